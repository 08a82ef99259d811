// SweepWorkerFunction: SQS batches of `{ accountId, region, runId }` → partial batch response (failed records only).
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, SQSEvent } from "aws-lambda";
import { learnHomeAccount } from "../src/app/lambda.js";
import { sweepWorkerFromEnvironment } from "../src/app/sweep-worker.js";
import { logger, publishMetrics } from "../src/observability.js";
import { processSweepBatch } from "../src/use-cases/sweep-account-region.js";

const enforcer = sweepWorkerFromEnvironment();

export const handler = middy(async (event: SQSEvent, context: Context) =>
  processSweepBatch(event, context, enforcer),
)
  .use(learnHomeAccount(enforcer))
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
