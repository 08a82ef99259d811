// ConfigRuleFunction: AWS Config custom rule (change-triggered, oversized and periodic notifications); never writes.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ConfigClients } from "../src/gateways/config-gateway.js";
import { logger, metrics } from "../src/observability.js";
import { accountOfFunctionArn, createRuntime } from "../src/runtime.js";
import { evaluateConfigRuleEvent } from "../src/use-cases/evaluate-config-rule.js";

const runtime = createRuntime();
const configClients = new ConfigClients(runtime.accounts, runtime.config.maxAttempts);

export const handler = middy(async (event: unknown, context: Context) => {
  const home = accountOfFunctionArn(context.invokedFunctionArn);
  if (home) runtime.accounts.setHomeAccount(home);
  return evaluateConfigRuleEvent(event, { runtime, configFor: (target) => configClients.configFor(target) });
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
