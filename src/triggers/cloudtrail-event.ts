// EventBridge "AWS API Call via CloudTrail" event → what to enforce, where. Pure parsing; no AWS calls.
import {
  type AccountRegion,
  accountRegion,
  isSubnetId,
  isVpcId,
  type ResourceRef,
  type SubnetId,
  type Tags,
  type VpcId,
} from "../domain/resources.js";
import type { EnforcementScope } from "../engine/enforce.js";
import { EventValidationError } from "../errors.js";
import * as z from "../zod.js";
import { accountIdSchema, parseOrThrow, regionSchema } from "./edge-schemas.js";

const TRIGGER = "CloudTrail";

export const HANDLED_EVENT_NAMES = [
  "CreateVpc",
  "CreateDefaultVpc",
  "CreateSubnet",
  "CreateDefaultSubnet",
  "DeleteFlowLogs",
] as const;
type HandledEventName = (typeof HANDLED_EVENT_NAMES)[number];

const vpcId = z.custom<VpcId>((v) => typeof v === "string" && isVpcId(v), "must be a VPC ID (vpc-…)");
const tagSet = z.nullish(
  z.object({ items: z.optional(z.array(z.object({ key: z.string(), value: z.optional(z.string()) }))) }),
);

const envelopeSchema = z.object({
  id: z.string().check(z.minLength(1)),
  "detail-type": z.literal("AWS API Call via CloudTrail"),
  source: z.literal("aws.ec2"),
  account: accountIdSchema,
  region: regionSchema,
  detail: z.object({
    eventName: z.string().check(z.minLength(1)),
    eventSource: z.optional(z.literal("ec2.amazonaws.com")),
    eventID: z.optional(z.string()),
    eventTime: z.optional(z.iso.datetime()),
    recipientAccountId: z.optional(accountIdSchema),
    // The region the function acts in: validated like the envelope's, not trusted as any string.
    awsRegion: z.optional(regionSchema),
    errorCode: z.optional(z.string()),
    errorMessage: z.optional(z.string()),
    responseElements: z.nullish(z.record(z.string(), z.unknown())),
  }),
});

const vpcResponse = z.object({
  vpc: z.object({ vpcId, tagSet }),
});
const subnetResponse = z.object({
  subnet: z.object({
    subnetId: z.custom<SubnetId>(
      (v) => typeof v === "string" && isSubnetId(v),
      "must be a subnet ID (subnet-…)",
    ),
    vpcId,
    tagSet,
  }),
});

export type CloudTrailRequest =
  | {
      readonly kind: "ignored";
      readonly eventId: string;
      readonly eventName: string;
      readonly reason: string;
    }
  | {
      readonly kind: "enforce";
      readonly eventId: string;
      readonly eventName: HandledEventName;
      /** When the call happened (CloudTrail's eventTime, ISO 8601), when the record says. */
      readonly eventTime?: string;
      readonly target: AccountRegion;
      readonly scope: EnforcementScope;
    };

/** Parses and validates the event; a malformed one raises EventValidationError naming each problem. */
export function parseCloudTrailEvent(event: unknown): CloudTrailRequest {
  const envelope = parseOrThrow(envelopeSchema, event, TRIGGER);
  const { detail } = envelope;
  const eventName = detail.eventName;
  if (detail.errorCode !== undefined) {
    return {
      kind: "ignored",
      eventId: envelope.id,
      eventName,
      reason: `the ${eventName} call failed (${detail.errorCode}${detail.errorMessage ? `: ${detail.errorMessage}` : ""})`,
    };
  }
  if (!isHandled(eventName))
    throw new EventValidationError(TRIGGER, [
      `detail.eventName: unsupported event ${eventName} (expected one of ${HANDLED_EVENT_NAMES.join(", ")})`,
    ]);
  // EventBridge sets the envelope; the detail is CloudTrail's record. Where they disagree the event is not what it
  // claims to be (forged or mangled on its way): refuse it rather than act in either account or region.
  const disagreements = [
    ...(detail.recipientAccountId !== undefined && detail.recipientAccountId !== envelope.account
      ? [
          `detail.recipientAccountId ${detail.recipientAccountId} differs from the envelope's account ${envelope.account}`,
        ]
      : []),
    ...(detail.awsRegion !== undefined && detail.awsRegion !== envelope.region
      ? [`detail.awsRegion ${detail.awsRegion} differs from the envelope's region ${envelope.region}`]
      : []),
  ];
  if (disagreements.length > 0) throw new EventValidationError(TRIGGER, disagreements);
  const target: AccountRegion = accountRegion(envelope.account, envelope.region);
  return {
    kind: "enforce",
    eventId: envelope.id,
    eventName,
    ...(detail.eventTime === undefined ? {} : { eventTime: detail.eventTime }),
    target,
    scope: scopeOf(eventName, detail.responseElements),
  };
}

function scopeOf(
  eventName: HandledEventName,
  responseElements: Record<string, unknown> | null | undefined,
): EnforcementScope {
  // Newer EC2 APIs wrap CloudTrail responses as { "<Action>Response": {…} }; accept both shapes.
  const response = unwrap(eventName, responseElements);
  switch (eventName) {
    case "DeleteFlowLogs":
      // The deleted flow log's resource is unknown afterwards: re-evaluate the whole account-region.
      return { kind: "account-region" };
    case "CreateVpc":
    case "CreateDefaultVpc": {
      if (eventName === "CreateDefaultVpc" && lacks(response, "vpc")) return { kind: "default-vpc" };
      const { vpc } = parseOrThrow(vpcResponse, response, TRIGGER, "detail.responseElements");
      const resource: ResourceRef = { type: "VPC", id: vpc.vpcId, tags: tagsOf(vpc.tagSet) };
      // A default VPC comes with a default subnet per zone that CloudTrail does not report separately.
      return eventName === "CreateDefaultVpc"
        ? { kind: "resources", resources: [resource], withSubnetsOf: [vpc.vpcId], newlyCreated: true }
        : { kind: "resources", resources: [resource], newlyCreated: true };
    }
    case "CreateSubnet":
    case "CreateDefaultSubnet": {
      if (eventName === "CreateDefaultSubnet" && lacks(response, "subnet")) return { kind: "default-vpc" };
      const { subnet } = parseOrThrow(subnetResponse, response, TRIGGER, "detail.responseElements");
      return {
        kind: "resources",
        resources: [
          { type: "Subnet", id: subnet.subnetId, vpcId: subnet.vpcId, tags: tagsOf(subnet.tagSet) },
        ],
        newlyCreated: true,
      };
    }
  }
}

function unwrap(eventName: string, responseElements: Record<string, unknown> | null | undefined): unknown {
  const wrapped = responseElements?.[`${eventName}Response`];
  return wrapped ?? responseElements;
}

/**
 * A default-resource record without the created resource's element (responseElements null, as CloudTrail writes
 * for some calls): the engine then reads the account-region's default VPC and default subnets instead.
 */
function lacks(response: unknown, element: string): boolean {
  return typeof response !== "object" || response === null || !(element in response);
}

function isHandled(name: string): name is HandledEventName {
  return (HANDLED_EVENT_NAMES as readonly string[]).includes(name);
}

function tagsOf(set: z.infer<typeof tagSet>): Tags {
  return Object.fromEntries((set?.items ?? []).map((item) => [item.key, item.value ?? ""]));
}
