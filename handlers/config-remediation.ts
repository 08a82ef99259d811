// ConfigRemediationFunction: the remediation action Config runs through an SSM Automation aws:invokeLambdaFunction step.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger, metrics } from "../src/observability.js";
import { accountOfFunctionArn, createRuntime, learnHomeAccount } from "../src/runtime.js";
import { remediateConfigResource } from "../src/use-cases/remediate-config-resource.js";

const runtime = createRuntime();

export const handler = middy(async (event: unknown, context: Context) => {
  const home = accountOfFunctionArn(context.invokedFunctionArn);
  return remediateConfigResource(event, runtime, { homeAccountId: home, requestId: context.awsRequestId });
})
  .use(learnHomeAccount(runtime))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
