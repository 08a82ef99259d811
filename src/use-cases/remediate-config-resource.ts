// Config remediation action (via SSM Automation) → the engine on one VPC or subnet, in the policy's mode.
import type { EnforcementReport } from "../engine/enforce.js";
import { EnforcementFailedError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { parseRemediationEvent } from "../triggers/config-remediation-event.js";
import { runEnforcement } from "./run-enforcement.js";

export interface RemediationInvocation {
  /** The function's own account (from its ARN), for payloads that name no account. */
  readonly homeAccountId?: string | undefined;
  /** Lambda's request ID: the idempotency seed when the payload carries no Automation execution ID. */
  readonly requestId: string;
}

/**
 * 1. parse the payload (malformed → EventValidationError, nothing written)
 * 2. enforce on the resource through the engine: same decision, ClientToken and subnet-via-VPC rule as every trigger
 * 3. throw EnforcementFailedError when the outcome is `failed`, so the Automation step — and Config's remediation
 *    status — shows the failure with its reason
 */
export async function remediateConfigResource(
  event: unknown,
  runtime: Runtime,
  invocation: RemediationInvocation,
): Promise<EnforcementReport> {
  const request = parseRemediationEvent(event, {
    accountId: invocation.homeAccountId,
    region: runtime.config.region,
  });
  const seed = request.executionId ?? invocation.requestId;
  const report = await runEnforcement(
    {
      target: request.target,
      scope: { kind: "resources", resources: [request.resource] },
      idempotencySeed: seed,
      correlation: { trigger: "config-remediation", correlationId: seed },
      ...(request.mode === undefined ? {} : { mode: request.mode }),
      ...(request.policySource === undefined ? {} : { policySource: request.policySource }),
    },
    runtime,
  );
  const failures = report.outcomes.filter((outcome) => outcome.outcome === "failed");
  if (failures.length > 0) throw new EnforcementFailedError(failures, report);
  return report;
}
