// EventEnforcerFunction: EventBridge CloudTrail events (CreateVpc, CreateSubnet, defaults, DeleteFlowLogs).
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { logger, metrics } from "../src/observability.js";
import { createRuntime, learnHomeAccount } from "../src/runtime.js";
import { enforceCloudTrailEvent } from "../src/use-cases/enforce-cloudtrail-event.js";

const runtime = createRuntime();

export const handler = middy(async (event: unknown) => enforceCloudTrailEvent(event, runtime))
  .use(learnHomeAccount(runtime))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
