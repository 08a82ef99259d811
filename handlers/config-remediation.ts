// ConfigRemediationFunction: the remediation action Config runs through an SSM Automation aws:invokeLambdaFunction step.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { accountOfFunctionArn, enforcerFromEnvironment, learnHomeAccount } from "../src/app/lambda.js";
import { logger, publishMetrics } from "../src/observability.js";
import { remediateConfigResource } from "../src/use-cases/remediate-config-resource.js";

const enforcer = enforcerFromEnvironment();

export const handler = middy(async (event: unknown, context: Context) =>
  remediateConfigResource(event, enforcer, {
    homeAccountId: accountOfFunctionArn(context.invokedFunctionArn),
    requestId: context.awsRequestId,
  }),
)
  .use(learnHomeAccount(enforcer))
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
