// EventBridge "AWS API Call via CloudTrail" event → what to enforce, where, and what changed. Pure parsing; no AWS
// calls.
import {
  type AccountRegion,
  accountRegion,
  isSubnetId,
  isVpcId,
  RESOURCE_TYPES,
  type ResourceRef,
  type ResourceType,
  resourceTypeOfId,
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
  "CreateTransitGateway",
  "CreateTransitGatewayVpcAttachment",
  "CreateTransitGatewayPeeringAttachment",
  "CreateTransitGatewayConnect",
  "CreateNetworkInterface",
  "CreateTags",
  "DeleteTags",
] as const satisfies readonly string[];
type HandledEventName = (typeof HANDLED_EVENT_NAMES)[number];

/**
 * Handled, but forwarded only when a deployment opts in (template parameter InterfaceCreationEvents, central and member stacks):
 * Lambda, ECS, EKS and load balancers create and delete interfaces all day, one event each.
 */
export const OPT_IN_EVENT_NAMES = ["CreateNetworkInterface"] as const satisfies readonly HandledEventName[];

const vpcId = z.custom<VpcId>((v) => typeof v === "string" && isVpcId(v), "must be a VPC ID (vpc-…)");
const subnetId = z.custom<SubnetId>(
  (v) => typeof v === "string" && isSubnetId(v),
  "must be a subnet ID (subnet-…)",
);
const idOf = (type: ResourceType, example: string) =>
  z.custom<string>(
    (v) => typeof v === "string" && resourceTypeOfId(v) === type,
    `must be a ${type} ID (${example}…)`,
  );
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
    // Lets a caller tell whether an evaluation it ran already saw this change: a real instant, not any string.
    eventTime: z.optional(
      z.iso.datetime({ error: "must be an ISO 8601 date-time in UTC (2025-11-20T14:03:27Z)" }),
    ),
    recipientAccountId: z.optional(accountIdSchema),
    // The region the function acts in: validated like the envelope's, not trusted as any string.
    awsRegion: z.optional(regionSchema),
    errorCode: z.optional(z.string()),
    errorMessage: z.optional(z.string()),
    requestParameters: z.nullish(z.record(z.string(), z.unknown())),
    responseElements: z.nullish(z.record(z.string(), z.unknown())),
  }),
});

const vpcResponse = z.object({
  vpc: z.object({ vpcId, tagSet }),
});
const subnetResponse = z.object({
  subnet: z.object({ subnetId, vpcId, tagSet }),
});
// Tags are not read from the transit gateway records: the AWS example writes a single tag as `tagSet.item`, an
// object, not `items`, an array. The engine reads current tags from EC2 anyway.
const transitGatewayResponse = z.object({
  transitGateway: z.object({ transitGatewayId: idOf("TransitGateway", "tgw-") }),
});
const attachment = z.object({ transitGatewayAttachmentId: idOf("TransitGatewayAttachment", "tgw-attach-") });
/**
 * The transit gateway attachment creations whose record names the new attachment, each under its own element (a
 * Connect attachment's transport is `transportTransitGatewayAttachmentId`, which is not the new attachment).
 */
const ATTACHMENT_RESPONSES = {
  CreateTransitGatewayVpcAttachment: z.pipe(
    z.object({ transitGatewayVpcAttachment: attachment }),
    z.transform((response) => response.transitGatewayVpcAttachment.transitGatewayAttachmentId),
  ),
  CreateTransitGatewayPeeringAttachment: z.pipe(
    z.object({ transitGatewayPeeringAttachment: attachment }),
    z.transform((response) => response.transitGatewayPeeringAttachment.transitGatewayAttachmentId),
  ),
  CreateTransitGatewayConnect: z.pipe(
    z.object({ transitGatewayConnect: attachment }),
    z.transform((response) => response.transitGatewayConnect.transitGatewayAttachmentId),
  ),
} as const;
const interfaceResponse = z.object({
  networkInterface: z.object({
    networkInterfaceId: idOf("NetworkInterface", "eni-"),
    // Some abridged records omit it; the engine then learns the interface's VPC from EC2.
    vpcId: z.optional(vpcId),
  }),
});
const tagRequest = z.object({
  resourcesSet: z.object({
    items: z.array(z.object({ resourceId: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
  }),
  tagSet: z.nullish(
    z.object({
      items: z.optional(
        z.array(z.object({ key: z.string().check(z.minLength(1)), value: z.optional(z.string()) })),
      ),
    }),
  ),
});

/** What the event changed, so a caller can coalesce events and skip those a policy cannot care about. */
export type CloudTrailChange = "created" | "flow-logs-deleted" | "tags-changed";

interface RequestBase {
  readonly eventId: string;
  /** When the call was made (detail.eventTime, normalized to `Date.toISOString()`), when the record says. */
  readonly eventTime?: string;
}

interface EnforceBase extends RequestBase {
  readonly kind: "enforce";
  readonly eventName: HandledEventName;
  readonly target: AccountRegion;
  readonly scope: EnforcementScope;
  /** The resource types whose verdicts the event can change: a policy enforcing none of them can skip it. */
  readonly concerns: readonly ResourceType[];
}

export type CloudTrailRequest =
  | (RequestBase & {
      readonly kind: "ignored";
      readonly eventName: string;
      readonly reason: string;
    })
  | (EnforceBase & { readonly change: "created" | "flow-logs-deleted" })
  | (EnforceBase & {
      readonly change: "tags-changed";
      /**
       * The tag keys the call added, changed or removed on the named resources; "all" when a DeleteTags call named
       * no key (EC2 then deletes every tag of the resources). Values are not taken from the event: the engine reads
       * the current tags.
       */
      readonly tagKeys: readonly string[] | "all";
    });

type Parsed = z.infer<typeof envelopeSchema>;
type EnforceRequest = Extract<CloudTrailRequest, { kind: "enforce" }>;
/** An enforce request without what every request shares (distributed over the variants, which Omit alone is not). */
type Described<R = EnforceRequest> = R extends EnforceRequest
  ? Omit<R, keyof RequestBase | "kind" | "target">
  : never;

/** Parses and validates the event; a malformed one raises EventValidationError naming each problem. */
export function parseCloudTrailEvent(event: unknown): CloudTrailRequest {
  const envelope = parseOrThrow(envelopeSchema, event, TRIGGER);
  const { detail } = envelope;
  const eventName = detail.eventName;
  const base: RequestBase = {
    eventId: envelope.id,
    ...(detail.eventTime === undefined ? {} : { eventTime: new Date(detail.eventTime).toISOString() }),
  };
  if (detail.errorCode !== undefined) {
    return {
      kind: "ignored",
      ...base,
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
  const described = describe(eventName, detail);
  if (typeof described === "string") return { kind: "ignored", ...base, eventName, reason: described };
  const target: AccountRegion = accountRegion(envelope.account, envelope.region);
  return { kind: "enforce", ...base, target, ...described };
}

/** What the event asks for, or why it asks for nothing. */
function describe(eventName: HandledEventName, detail: Parsed["detail"]): Described | string {
  // Newer EC2 APIs wrap CloudTrail responses as { "<Action>Response": {…} }; accept both shapes.
  const response = unwrap(eventName, detail.responseElements);
  const created = (resource: ResourceRef): Described => ({
    eventName,
    change: "created",
    concerns: [resource.type],
    scope: { kind: "resources", resources: [resource], newlyCreated: true },
  });
  switch (eventName) {
    case "DeleteFlowLogs":
      // The deleted flow log's resource is unknown afterwards: re-evaluate the whole account-region.
      return {
        eventName,
        change: "flow-logs-deleted",
        concerns: RESOURCE_TYPES,
        scope: { kind: "account-region" },
      };
    case "CreateVpc":
    case "CreateDefaultVpc": {
      // A default VPC comes with a default subnet per zone that CloudTrail does not report separately.
      const isDefault = eventName === "CreateDefaultVpc";
      const concerns: readonly ResourceType[] = isDefault ? ["VPC", "Subnet"] : ["VPC"];
      if (isDefault && lacks(response, "vpc"))
        return { eventName, change: "created", concerns, scope: { kind: "default-vpc" } };
      const { vpc } = parseOrThrow(vpcResponse, response, TRIGGER, "detail.responseElements");
      const resource: ResourceRef = { type: "VPC", id: vpc.vpcId, tags: tagsOf(vpc.tagSet) };
      return {
        eventName,
        change: "created",
        concerns,
        scope: isDefault
          ? { kind: "resources", resources: [resource], withSubnetsOf: [vpc.vpcId], newlyCreated: true }
          : { kind: "resources", resources: [resource], newlyCreated: true },
      };
    }
    case "CreateSubnet":
    case "CreateDefaultSubnet": {
      if (eventName === "CreateDefaultSubnet" && lacks(response, "subnet"))
        return { eventName, change: "created", concerns: ["Subnet"], scope: { kind: "default-vpc" } };
      const { subnet } = parseOrThrow(subnetResponse, response, TRIGGER, "detail.responseElements");
      return created({
        type: "Subnet",
        id: subnet.subnetId,
        vpcId: subnet.vpcId,
        tags: tagsOf(subnet.tagSet),
      });
    }
    case "CreateTransitGateway": {
      const { transitGateway } = parseOrThrow(
        transitGatewayResponse,
        response,
        TRIGGER,
        "detail.responseElements",
      );
      return created({ type: "TransitGateway", id: transitGateway.transitGatewayId });
    }
    case "CreateTransitGatewayVpcAttachment":
    case "CreateTransitGatewayPeeringAttachment":
    case "CreateTransitGatewayConnect":
      return created({
        type: "TransitGatewayAttachment",
        id: parseOrThrow(ATTACHMENT_RESPONSES[eventName], response, TRIGGER, "detail.responseElements"),
      });
    case "CreateNetworkInterface": {
      const { networkInterface } = parseOrThrow(
        interfaceResponse,
        response,
        TRIGGER,
        "detail.responseElements",
      );
      return created({
        type: "NetworkInterface",
        id: networkInterface.networkInterfaceId,
        ...(networkInterface.vpcId === undefined ? {} : { vpcId: networkInterface.vpcId }),
      });
    }
    case "CreateTags":
    case "DeleteTags":
      return describeTagChange(eventName, detail.requestParameters);
  }
}

/**
 * CreateTags/DeleteTags name their resources in the request (any EC2 type, up to 1,000 IDs). Only VPCs and subnets
 * are acted on: a VPC's tags are inherited by its subnets (and interfaces), so its subnets are listed again too;
 * interfaces inheriting them, and tag changes on other types, are left to the sweep.
 */
function describeTagChange(
  eventName: "CreateTags" | "DeleteTags",
  requestParameters: Record<string, unknown> | null | undefined,
): Described | string {
  const request = parseOrThrow(tagRequest, requestParameters, TRIGGER, "detail.requestParameters");
  const named = request.resourcesSet.items.map((item) => item.resourceId);
  const vpcs = unique(named.filter(isVpcId));
  const subnets = unique(named.filter(isSubnetId));
  if (vpcs.length === 0 && subnets.length === 0)
    return `${eventName} named no VPC or subnet (${named.slice(0, 5).join(", ")}${named.length > 5 ? ", …" : ""})`;
  const keys = unique((request.tagSet?.items ?? []).map((item) => item.key));
  // DeleteTags without keys deletes every tag; CreateTags requires at least one, so none means nothing changed.
  if (keys.length === 0 && eventName === "CreateTags") return "CreateTags named no tag";
  const resources: ResourceRef[] = [
    ...vpcs.map((id): ResourceRef => ({ type: "VPC", id })),
    ...subnets.map((id): ResourceRef => ({ type: "Subnet", id })),
  ];
  const concerns: ResourceType[] = vpcs.length > 0 ? ["VPC", "Subnet"] : ["Subnet"];
  return {
    eventName,
    change: "tags-changed",
    tagKeys: keys.length === 0 ? "all" : keys,
    concerns,
    // Not newlyCreated: these resources existed before the call, so one EC2 does not show is gone, not late.
    scope:
      vpcs.length > 0
        ? { kind: "resources", resources, withSubnetsOf: vpcs }
        : { kind: "resources", resources },
  };
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

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
