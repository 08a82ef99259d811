// Config remediation action (via SSM Automation) → the engine on one VPC or subnet, in the policy's mode.
import type { RegionName } from "../domain/resources.js";
import type { EnforcementReport } from "../engine/enforce.js";
import { parseRemediationEvent } from "../triggers/config-remediation-event.js";
import { type EnforcementPorts, runEnforcement, throwIfAnyFailed } from "./run-enforcement.js";

export interface RemediationPorts extends EnforcementPorts {
  /** The function's own region, for payloads that name none. */
  readonly homeRegion?: RegionName | undefined;
}

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
  ports: RemediationPorts,
  invocation: RemediationInvocation,
): Promise<EnforcementReport> {
  const request = parseRemediationEvent(event, {
    accountId: invocation.homeAccountId,
    region: ports.homeRegion,
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
    ports,
  );
  throwIfAnyFailed(report);
  return report;
}
