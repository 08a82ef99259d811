// EventBridge "AWS API Call via CloudTrail" event for a call that changes the policy parameter (PutParameter,
// DeleteParameter, DeleteParameters, LabelParameterVersion) → who changed what, when. Pure parsing; no AWS calls.
// CloudTrail carries the caller (userIdentity); SSM's own "Parameter Store Change" event does not.
import * as z from "../zod.js";
import { accountIdSchema, parseOrThrow, regionSchema } from "./edge-schemas.js";

const TRIGGER = "policy change";

export const AUDITED_EVENT_NAMES = [
  "PutParameter",
  "DeleteParameter",
  "DeleteParameters",
  "LabelParameterVersion",
  "UnlabelParameterVersion",
] as const;

const identitySchema = z.object({
  type: z.optional(z.string()),
  arn: z.optional(z.string()),
  principalId: z.optional(z.string()),
  accountId: z.optional(z.string()),
  invokedBy: z.optional(z.string()),
  sessionContext: z.optional(
    z.object({ sessionIssuer: z.optional(z.object({ arn: z.optional(z.string()) })) }),
  ),
});

const eventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  "detail-type": z.literal("AWS API Call via CloudTrail"),
  source: z.literal("aws.ssm"),
  account: accountIdSchema,
  region: regionSchema,
  detail: z.object({
    eventSource: z.literal("ssm.amazonaws.com"),
    eventName: z.enum(AUDITED_EVENT_NAMES),
    eventTime: z.optional(z.string()),
    userIdentity: identitySchema,
    sourceIPAddress: z.optional(z.string()),
    userAgent: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    errorMessage: z.optional(z.string()),
    requestParameters: z.nullish(
      z.object({ name: z.optional(z.string()), names: z.optional(z.array(z.string())) }),
    ),
    responseElements: z.nullish(z.object({ version: z.optional(z.number()) })),
  }),
});

/** One change (or attempted change) of the policy parameter, as the audit log line and notification state it. */
export interface PolicyChange {
  readonly eventId: string;
  readonly action: (typeof AUDITED_EVENT_NAMES)[number];
  readonly parameters: readonly string[];
  readonly accountId: string;
  readonly region: string;
  /** Who: the caller's ARN (for an assumed role, the session's), else its principal ID or type. */
  readonly changedBy: string;
  /** The role behind an assumed-role session, when CloudTrail names it. */
  readonly changedByRole?: string;
  readonly identityType?: string;
  readonly invokedBy?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly eventTime?: string;
  /** The Version PutParameter created: the one the functions will report once they read it. */
  readonly newVersion?: number;
  /** Set when the call failed (AccessDenied…): an attempt, not a change. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** Parses the event; a malformed one raises EventValidationError naming each problem. */
export function parsePolicyChangeEvent(event: unknown): PolicyChange {
  const { id, account, region, detail } = parseOrThrow(eventSchema, event, TRIGGER);
  const identity = detail.userIdentity;
  const names = detail.requestParameters?.names ?? [];
  const name = detail.requestParameters?.name;
  const version = detail.responseElements?.version;
  const role = identity.sessionContext?.sessionIssuer?.arn;
  return {
    eventId: id,
    action: detail.eventName,
    parameters: name === undefined ? names : [name, ...names],
    accountId: account,
    region,
    changedBy: identity.arn ?? identity.principalId ?? identity.type ?? "unknown",
    ...(role === undefined ? {} : { changedByRole: role }),
    ...(identity.type === undefined ? {} : { identityType: identity.type }),
    ...(identity.invokedBy === undefined ? {} : { invokedBy: identity.invokedBy }),
    ...(detail.sourceIPAddress === undefined ? {} : { sourceIp: detail.sourceIPAddress }),
    ...(detail.userAgent === undefined ? {} : { userAgent: detail.userAgent }),
    ...(detail.eventTime === undefined ? {} : { eventTime: detail.eventTime }),
    ...(version === undefined ? {} : { newVersion: version }),
    ...(detail.errorCode === undefined ? {} : { errorCode: detail.errorCode }),
    ...(detail.errorMessage === undefined ? {} : { errorMessage: detail.errorMessage }),
  };
}
