// SweepWorkerFunction: SQS batches of `{ accountId, region, runId }` → partial batch response (failed records only).
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, SQSEvent } from "aws-lambda";
import { enforcerFromEnvironment, learnHomeAccount } from "../src/app/lambda.js";
import { logger, publishMetrics } from "../src/observability.js";
import { processSweepBatch } from "../src/use-cases/sweep-account-region.js";

const enforcer = enforcerFromEnvironment();

export const handler = middy(async (event: SQSEvent, context: Context) =>
  processSweepBatch(event, context, enforcer),
)
  .use(learnHomeAccount(enforcer))
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
