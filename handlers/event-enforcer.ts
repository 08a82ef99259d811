// EventEnforcerFunction: the event queue's SQS batches (CloudTrail events after the grace delay, and the function's
// own deferred re-checks) → partial batch response; a single EventBridge event (a direct invoke, events/*.json) →
// its enforcement report.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { eventEnforcerFromEnvironment } from "../src/app/event-enforcer.js";
import { learnHomeAccount } from "../src/app/lambda.js";
import { logger, publishMetrics } from "../src/observability.js";
import { isSqsBatch } from "../src/triggers/event-queue-message.js";
import { enforceCloudTrailEvent } from "../src/use-cases/enforce-cloudtrail-event.js";
import { processEventBatch } from "../src/use-cases/enforce-event-batch.js";

const enforcer = eventEnforcerFromEnvironment();

export const handler = middy(async (event: unknown, context: Context) =>
  isSqsBatch(event) ? processEventBatch(event, context, enforcer) : enforceCloudTrailEvent(event, enforcer),
)
  .use(learnHomeAccount(enforcer))
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
