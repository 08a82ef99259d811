// ConfigRuleFunction: AWS Config custom rule (change-triggered, oversized and periodic notifications); never writes.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { ConfigClients } from "../src/gateways/config-gateway.js";
import { logger, metrics } from "../src/observability.js";
import { createRuntime, learnHomeAccount } from "../src/runtime.js";
import { evaluateConfigRuleEvent } from "../src/use-cases/evaluate-config-rule.js";

const runtime = createRuntime();
const configClients = new ConfigClients(runtime.accounts, runtime.config.maxAttempts);

export const handler = middy(async (event: unknown) =>
  evaluateConfigRuleEvent(event, { runtime, configFor: (target) => configClients.configFor(target) }),
)
  .use(learnHomeAccount(runtime))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
