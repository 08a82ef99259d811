// ConfigRuleFunction: AWS Config custom rule (change-triggered, oversized and periodic notifications); never writes.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { configRuleFromEnvironment } from "../src/app/config-rule.js";
import { learnHomeAccount } from "../src/app/lambda.js";
import { logger, publishMetrics } from "../src/observability.js";
import { evaluateConfigRuleEvent } from "../src/use-cases/evaluate-config-rule.js";

const app = configRuleFromEnvironment();

export const handler = middy(async (event: unknown) => evaluateConfigRuleEvent(event, app))
  .use(learnHomeAccount(app))
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
