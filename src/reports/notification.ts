// Pure: one account-region's outcomes in, the one notification about its non-compliant resources out (subject, a
// readable body listing each, and the attributes subscribers filter on), or nothing when all is well.
import type { EnforcementMode, Outcome } from "../engine/enforce.js";
import { isNonCompliant } from "./coverage.js";

/** SNS caps a subject at 100 characters and a message (with its attributes) at 256 KB. */
export const MAX_SUBJECT_LENGTH = 100;
export const MAX_MESSAGE_BYTES = 200 * 1024;

export interface Notification {
  readonly subject: string;
  readonly message: string;
  /** Published as SNS message attributes, so subscription filter policies can select by them. */
  readonly attributes: {
    readonly accountId: string;
    readonly region: string;
    /** The distinct non-compliant outcome kinds in the message (String.Array). */
    readonly outcome: readonly string[];
  };
}

export interface NotificationContext {
  readonly accountId: string;
  readonly region: string;
  readonly mode: EnforcementMode;
  readonly trigger: string;
  readonly correlationId: string;
}

/** The notification for one evaluation of an account-region; undefined when no outcome is non-compliant. */
export function notificationOf(
  outcomes: readonly Outcome[],
  context: NotificationContext,
): Notification | undefined {
  const listed = outcomes
    .filter(isNonCompliant)
    .sort((a, b) => a.outcome.localeCompare(b.outcome) || a.resourceId.localeCompare(b.resourceId));
  if (listed.length === 0) return undefined;
  const where = `${context.accountId} ${context.region}`;
  return {
    subject: subjectOf(listed.length, where),
    message: messageOf(listed, context),
    attributes: {
      accountId: context.accountId,
      region: context.region,
      outcome: [...new Set(listed.map((o) => o.outcome))],
    },
  };
}

function subjectOf(count: number, where: string): string {
  const subject = `vpc-flow-log-enforcer: ${count} resource(s) not covered in ${where}`;
  return subject.length <= MAX_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…`;
}

function messageOf(listed: readonly Outcome[], context: NotificationContext): string {
  const header = [
    `vpc-flow-log-enforcer found ${listed.length} resource(s) without the working VPC flow log the policy requires.`,
    "",
    `Account: ${context.accountId}`,
    `Region:  ${context.region}`,
    `Mode:    ${context.mode}${context.mode === "audit" ? " (nothing is created automatically)" : ""}`,
    `Trigger: ${context.trigger} (${context.correlationId})`,
    "",
  ].join("\n");
  const entries = listed.map(entryOf);
  let message = header;
  let included = 0;
  for (const entry of entries) {
    if (Buffer.byteLength(message + entry, "utf8") > MAX_MESSAGE_BYTES) break;
    message += entry;
    included += 1;
  }
  const left = entries.length - included;
  if (left > 0)
    message += `\n… and ${left} more: query the enforcer's logs for correlationId ${context.correlationId}.\n`;
  return message;
}

function entryOf(outcome: Outcome): string {
  const lines = [
    `- ${outcome.outcome.toUpperCase()}  ${outcome.resourceType} ${outcome.resourceId}`,
    `    rule:   ${outcome.rule ?? "(policy defaults)"}`,
    `    reason: ${outcome.reason ?? outcome.outcome}`,
  ];
  if (outcome.remedy !== undefined) lines.push(`    flow log: ${outcome.remedy}`);
  return `${lines.join("\n")}\n`;
}
