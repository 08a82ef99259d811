// EventBridge CloudTrail event → enforcement report; throws after reporting when a resource failed.
import type { EnforcementReport } from "../engine/enforce.js";
import { logger } from "../observability.js";
import { parseCloudTrailEvent } from "../triggers/cloudtrail-event.js";
import { policyIrrelevance } from "../triggers/cloudtrail-relevance.js";
import { type EnforcementPorts, runEnforcement, throwIfAnyFailed } from "./run-enforcement.js";

export interface EventReport extends Pick<EnforcementReport, "outcomes"> {
  readonly mode?: EnforcementReport["mode"];
  readonly ignored?: string;
}

/**
 * 1. parse the event (malformed → EventValidationError, nothing written)
 * 2. skip failed API calls, and events the policy cannot care about (types it does not enforce, tags no rule
 *    matches on), without any AWS call
 * 3. enforce on the created or retagged resources, or the whole account-region after DeleteFlowLogs
 * 4. throw when any outcome failed, so Lambda retries and the on-failure destination keeps the event
 */
export async function enforceCloudTrailEvent(event: unknown, ports: EnforcementPorts): Promise<EventReport> {
  const request = parseCloudTrailEvent(event);
  if (request.kind === "ignored") {
    logger.info("event ignored", {
      eventId: request.eventId,
      eventName: request.eventName,
      reason: request.reason,
    });
    return { outcomes: [], ignored: request.reason };
  }
  const irrelevance = policyIrrelevance(request, (await ports.loadPolicy()).policy);
  if (irrelevance !== undefined) {
    logger.info("event ignored", {
      eventId: request.eventId,
      eventName: request.eventName,
      reason: irrelevance,
    });
    return { outcomes: [], ignored: irrelevance };
  }
  const report = await runEnforcement(
    {
      target: request.target,
      scope: request.scope,
      idempotencySeed: request.eventId,
      correlation: { trigger: "eventbridge", correlationId: request.eventId },
    },
    ports,
  );
  throwIfAnyFailed(report);
  return report;
}
