// OrgSweepFunction: EventBridge Scheduler (`{}`) or an on-demand `{ accounts?, regions?, runId? }` → SQS messages.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger, metrics } from "../src/observability.js";
import { createOrgSweepRuntime } from "../src/sweep-runtime.js";
import { startOrgSweep } from "../src/use-cases/start-org-sweep.js";

const deps = createOrgSweepRuntime();

export const handler = middy(async (event: unknown, context: Context) =>
  startOrgSweep(event, `org-sweep-${context.awsRequestId}`, deps),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
