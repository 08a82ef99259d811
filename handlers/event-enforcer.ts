// EventEnforcerFunction: EventBridge CloudTrail events (CreateVpc, CreateSubnet, defaults, DeleteFlowLogs).
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger, metrics } from "../src/observability.js";
import { accountOfFunctionArn, createRuntime } from "../src/runtime.js";
import { enforceCloudTrailEvent } from "../src/use-cases/enforce-cloudtrail-event.js";

const runtime = createRuntime();

export const handler = middy(async (event: unknown, context: Context) => {
  const home = accountOfFunctionArn(context.invokedFunctionArn);
  if (home) runtime.accounts.setHomeAccount(home);
  return enforceCloudTrailEvent(event, runtime);
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
