// SweepWorkerFunction: SQS batches of `{ accountId, region, runId }` → partial batch response (failed records only).
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSEvent } from "aws-lambda";
import { logger, metrics } from "../src/observability.js";
import { createRuntime, learnHomeAccount } from "../src/runtime.js";
import { processSweepBatch } from "../src/use-cases/sweep-account-region.js";

const runtime = createRuntime();

export const handler = middy(async (event: SQSEvent, context: Context) =>
  processSweepBatch(event, context, runtime),
)
  .use(learnHomeAccount(runtime))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
