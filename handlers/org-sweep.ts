// OrgSweepFunction: EventBridge Scheduler (`{}`) or an on-demand `{ accounts?, regions?, runId? }` → SQS messages.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { orgSweepFromEnvironment } from "../src/app/org-sweep.js";
import { logger, publishMetrics } from "../src/observability.js";
import { startOrgSweep } from "../src/use-cases/start-org-sweep.js";

const ports = orgSweepFromEnvironment();

export const handler = middy(async (event: unknown, context: Context) =>
  startOrgSweep(event, `org-sweep-${context.awsRequestId}`, ports),
)
  .use(injectLambdaContext(logger))
  .use(publishMetrics());
