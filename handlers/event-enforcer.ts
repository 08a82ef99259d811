// EventEnforcerFunction: EventBridge CloudTrail events (CreateVpc, CreateSubnet, defaults, DeleteFlowLogs).
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { enforcerFromEnvironment, learnHomeAccount } from "../src/app/lambda.js";
import { logger, publishMetrics } from "../src/observability.js";
import { enforceCloudTrailEvent } from "../src/use-cases/enforce-cloudtrail-event.js";

const enforcer = enforcerFromEnvironment();

export const handler = middy(async (event: unknown) => enforceCloudTrailEvent(event, enforcer))
  .use(learnHomeAccount(enforcer))
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
