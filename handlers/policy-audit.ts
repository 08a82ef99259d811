// PolicyAuditFunction: EventBridge CloudTrail events of calls that change the policy parameter → audit line, notice.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { policyAuditFromEnvironment } from "../src/app/policy-audit.js";
import { logger } from "../src/observability.js";
import { auditPolicyChange } from "../src/use-cases/audit-policy-change.js";

const ports = policyAuditFromEnvironment();

export const handler = middy(async (event: unknown) => auditPolicyChange(event, ports)).use(
  injectLambdaContext(logger),
);
