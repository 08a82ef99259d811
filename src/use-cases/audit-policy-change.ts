// A change to the policy parameter (CloudTrail via EventBridge) → one structured audit line naming who made it and,
// when the deployment has an alarm topic, a notification. Reads no policy and reaches no account.
import { logger } from "../observability.js";
import { type PolicyChange, parsePolicyChangeEvent } from "../triggers/policy-change-event.js";

export interface PolicyNotification {
  readonly subject: string;
  readonly message: string;
}

export interface PolicyAuditPorts {
  /** Sends the notification to the alarm topic; undefined when the deployment has none (AlarmTopicArn empty). */
  readonly notify?: ((notification: PolicyNotification) => Promise<void>) | undefined;
}

export interface PolicyAuditResult {
  readonly change: PolicyChange;
  readonly notified: boolean;
}

/**
 * 1. parse the event (malformed → EventValidationError)
 * 2. log one line, "policy parameter changed" (or "policy parameter change denied" for a failed call), with who,
 *    from where, and the new Version
 * 3. notify the alarm topic when there is one; a failed publish fails the invocation, so the event is retried and
 *    finally kept in the dead-letter queue
 */
export async function auditPolicyChange(event: unknown, ports: PolicyAuditPorts): Promise<PolicyAuditResult> {
  const change = parsePolicyChangeEvent(event);
  const failed = change.errorCode !== undefined;
  logger[failed ? "warn" : "info"](failed ? "policy parameter change denied" : "policy parameter changed", {
    ...change,
  });
  if (ports.notify === undefined) return { change, notified: false };
  await ports.notify(notificationOf(change));
  return { change, notified: true };
}

/** A person reads it: what happened first, then every fact the log line has. */
export function notificationOf(change: PolicyChange): PolicyNotification {
  const parameters = change.parameters.join(", ") || "(not named)";
  const what = change.errorCode === undefined ? "changed" : `change attempted (${change.errorCode})`;
  const version = change.newVersion === undefined ? "" : `; new version ${change.newVersion}`;
  return {
    // SNS allows 100 characters of subject.
    subject: `vpc-flow-log-enforcer: policy ${what}`.slice(0, 100),
    message: [
      `${change.action} on ${parameters} in ${change.accountId}/${change.region}${version}`,
      `by ${change.changedBy}${change.changedByRole === undefined ? "" : ` (role ${change.changedByRole})`}`,
      ...(change.sourceIp === undefined ? [] : [`from ${change.sourceIp}`]),
      ...(change.eventTime === undefined ? [] : [`at ${change.eventTime}`]),
      ...(change.errorMessage === undefined ? [] : [`error: ${change.errorMessage}`]),
      "",
      JSON.stringify(change, null, 2),
    ].join("\n"),
  };
}
