// AWS Config custom-rule invocation → what to evaluate, where, and how to report it. Pure parsing; no AWS calls.
import {
  type AccountRegion,
  accountRegion,
  isRegionName,
  isVpcId,
  type RegionName,
  type ResourceRef,
  type ResourceType,
  resourceTypeOfId,
  type Tags,
} from "../domain/resources.js";
import { EventValidationError } from "../errors.js";
import type { PolicySource } from "../policy/policy-source.js";
import type { Policy } from "../policy/schema.js";
import * as z from "../zod.js";
import {
  accountIdSchema,
  parseJsonField,
  parseOrThrow,
  policySourceSchema,
  regionSchema,
} from "./edge-schemas.js";

const TRIGGER = "Config rule";

/** The Config resource types the rule evaluates, and the engine's name for each. */
export const CONFIG_RESOURCE_TYPES = {
  "AWS::EC2::VPC": "VPC",
  "AWS::EC2::Subnet": "Subnet",
} as const satisfies Record<string, ResourceType>;
export type ConfigResourceType = keyof typeof CONFIG_RESOURCE_TYPES;

export const MESSAGE_TYPES = [
  "ConfigurationItemChangeNotification",
  "OversizedConfigurationItemChangeNotification",
  "ScheduledNotification",
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Config item statuses of a resource that exists and is recorded; any other status is NOT_APPLICABLE. */
const APPLICABLE_STATUSES: ReadonlySet<string> = new Set(["OK", "ResourceDiscovered"]);

/** `ruleParameters` the rule accepts; an empty string means "not set" (CloudFormation cannot omit a key). */
export interface RuleParameters {
  /** Overrides POLICY_SOURCE. */
  readonly policySource?: PolicySource;
  /**
   * The mode remediation runs in, passed on to the remediation action. The evaluator itself never writes,
   * whatever the mode.
   */
  readonly mode?: Policy["mode"];
  /** Keys the rule does not know, ignored (the caller logs them). */
  readonly ignored?: readonly string[];
}

/** The rule parameters this rule reads; any other key is ignored. */
export const RULE_PARAMETER_KEYS = ["policySource", "mode"] as const;

interface RequestBase {
  readonly messageType: MessageType;
  readonly resultToken: string;
  readonly ruleName?: string;
  readonly parameters: RuleParameters;
  readonly target: AccountRegion;
  /** Config orders evaluations by this: the item's capture time, or the notification time of periodic runs. */
  readonly orderingTimestamp: Date;
}

export type ConfigRuleRequest =
  /** Nothing to read from AWS: the resource is gone, left the rule's scope, or is of a type the rule does not judge. */
  | (RequestBase & {
      readonly kind: "not-applicable";
      readonly resource: { readonly configType: string; readonly id: string };
      readonly reason: string;
    })
  /** One resource; for an oversized item only its type and ID are known, the rest is read from EC2. */
  | (RequestBase & {
      readonly kind: "resource";
      readonly configType: ConfigResourceType;
      readonly resource: ResourceRef;
    })
  /** Periodic run: every VPC and subnet of the account-region. */
  | (RequestBase & { readonly kind: "account-region" });

const accountId = accountIdSchema;
const region = regionSchema;
const timestamp = z.pipe(
  z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 timestamp")),
  z.transform((value: string) => new Date(value)),
);
const requiredString = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `required (${what})` : "must be a string") });

const envelopeSchema = z.object({
  invokingEvent: requiredString("the JSON-encoded invoking event").check(z.minLength(1, "must not be empty")),
  ruleParameters: z.nullish(z.string()),
  resultToken: requiredString("the token PutEvaluations needs").check(z.minLength(1, "must not be empty")),
  eventLeftScope: z.optional(z.boolean()),
  configRuleName: z.optional(z.string()),
  configRuleArn: z.optional(z.string()),
  accountId: z.optional(accountId),
});

const itemFields = {
  resourceType: z.string().check(z.minLength(1)),
  resourceId: z.string().check(z.minLength(1)),
  awsAccountId: accountId,
  awsRegion: region,
  configurationItemCaptureTime: timestamp,
  configurationItemStatus: z.string().check(z.minLength(1)),
};

const changeNotificationSchema = z.object({
  messageType: z.literal("ConfigurationItemChangeNotification"),
  configurationItem: z.object({
    ...itemFields,
    // null for deleted resources.
    configuration: z.nullish(z.object({ vpcId: z.optional(z.string()) })),
    tags: z.nullish(z.record(z.string(), z.string())),
  }),
});

const oversizedNotificationSchema = z.object({
  messageType: z.literal("OversizedConfigurationItemChangeNotification"),
  configurationItemSummary: z.object(itemFields),
});

const scheduledNotificationSchema = z.object({
  messageType: z.literal("ScheduledNotification"),
  awsAccountId: z.optional(accountId),
  notificationCreationTime: timestamp,
});

const emptyIsUnset = (value: unknown) => (value === "" ? undefined : value);
// Not strict: Config passes whatever parameters the rule was deployed with (AWS's own example events carry
// `myParameterKey`), and one unknown key must not make every evaluation of the rule fail.
const ruleParametersSchema = z.object({
  policySource: z.pipe(z.transform(emptyIsUnset), z.optional(policySourceSchema)),
  mode: z.pipe(z.transform(emptyIsUnset), z.optional(z.enum(["enforce", "audit"]))),
});

export interface ConfigEventDefaults {
  /** The function's region, for periodic runs whose event does not carry a rule ARN. */
  readonly region?: RegionName | undefined;
}

/** Parses and validates a Config rule invocation; a malformed one raises EventValidationError naming each problem. */
export function parseConfigRuleEvent(event: unknown, defaults: ConfigEventDefaults = {}): ConfigRuleRequest {
  const envelope = parseOrThrow(envelopeSchema, event, TRIGGER);
  const invoking = parseJsonField(envelope.invokingEvent, TRIGGER, "invokingEvent");
  const parameters = parseRuleParameters(envelope.ruleParameters);
  const messageType = messageTypeOf(invoking);
  const common = {
    messageType,
    resultToken: envelope.resultToken,
    parameters,
    ...(envelope.configRuleName === undefined ? {} : { ruleName: envelope.configRuleName }),
  };

  if (messageType === "ScheduledNotification") {
    const scheduled = parseOrThrow(scheduledNotificationSchema, invoking, TRIGGER, "invokingEvent");
    const account = scheduled.awsAccountId ?? envelope.accountId;
    const where = regionOfRuleArn(envelope.configRuleArn) ?? defaults.region;
    const problems = [
      ...(account === undefined
        ? ["invokingEvent.awsAccountId: required (or accountId) for a periodic run"]
        : []),
      ...(where === undefined ? ["configRuleArn: required to know the region of a periodic run"] : []),
    ];
    if (account === undefined || where === undefined) throw new EventValidationError(TRIGGER, problems);
    return {
      ...common,
      kind: "account-region",
      target: accountRegion(account, where),
      orderingTimestamp: scheduled.notificationCreationTime,
    };
  }

  // An oversized item comes as a summary without configuration or tags.
  const full =
    messageType === "ConfigurationItemChangeNotification"
      ? parseOrThrow(changeNotificationSchema, invoking, TRIGGER, "invokingEvent").configurationItem
      : undefined;
  const item =
    full ??
    parseOrThrow(oversizedNotificationSchema, invoking, TRIGGER, "invokingEvent").configurationItemSummary;
  const located = {
    ...common,
    target: accountRegion(item.awsAccountId, item.awsRegion),
    orderingTimestamp: item.configurationItemCaptureTime,
  };
  const notApplicable = (reason: string): ConfigRuleRequest => ({
    ...located,
    kind: "not-applicable",
    resource: { configType: item.resourceType, id: item.resourceId },
    reason,
  });

  if (!isConfigResourceType(item.resourceType))
    return notApplicable(`the rule does not evaluate ${item.resourceType} resources`);
  if (!APPLICABLE_STATUSES.has(item.configurationItemStatus))
    return notApplicable(`configuration item status is ${item.configurationItemStatus}`);
  if (envelope.eventLeftScope === true) return notApplicable("the resource left the rule's scope");

  const type = CONFIG_RESOURCE_TYPES[item.resourceType];
  if (resourceTypeOfId(item.resourceId) !== type)
    throw new EventValidationError(TRIGGER, [
      `invokingEvent.${full ? "configurationItem" : "configurationItemSummary"}.resourceId: "${item.resourceId}" does not name a resource of type ${item.resourceType}`,
    ]);
  const vpcId = full?.configuration?.vpcId;
  return {
    ...located,
    kind: "resource",
    configType: item.resourceType,
    resource: {
      type,
      id: item.resourceId,
      // Subnets carry their VPC in the item; an oversized one gets it from EC2 (DescribeSubnets).
      ...(type === "Subnet" && vpcId !== undefined && isVpcId(vpcId) ? { vpcId } : {}),
      ...(full?.tags ? { tags: tagsOf(full.tags) } : {}),
    },
  };
}

export function isConfigResourceType(type: string): type is ConfigResourceType {
  return Object.hasOwn(CONFIG_RESOURCE_TYPES, type);
}

const CONFIG_TYPE_OF: Readonly<Record<string, ConfigResourceType>> = {
  VPC: "AWS::EC2::VPC",
  Subnet: "AWS::EC2::Subnet",
} satisfies { [K in ConfigResourceType as (typeof CONFIG_RESOURCE_TYPES)[K]]: K };

/** The Config resource type of an engine resource type, when the rule evaluates it. */
export function configTypeOf(type: string): ConfigResourceType | undefined {
  return Object.hasOwn(CONFIG_TYPE_OF, type) ? CONFIG_TYPE_OF[type] : undefined;
}

function messageTypeOf(invoking: unknown): MessageType {
  const { messageType } = parseOrThrow(
    z.object({ messageType: requiredString("the kind of notification") }),
    invoking,
    "invokingEvent",
  );
  if (!isMessageType(messageType))
    throw new EventValidationError(TRIGGER, [
      `invokingEvent.messageType: unsupported "${messageType}" (expected one of ${MESSAGE_TYPES.join(", ")})`,
    ]);
  return messageType;
}

function isMessageType(value: string): value is MessageType {
  return (MESSAGE_TYPES as readonly string[]).includes(value);
}

function parseRuleParameters(text: string | null | undefined): RuleParameters {
  if (text === undefined || text === null || text.trim() === "") return {};
  const raw = parseJsonField(text, TRIGGER, "ruleParameters");
  const parsed = parseOrThrow(ruleParametersSchema, raw, TRIGGER, "ruleParameters");
  const known: ReadonlySet<string> = new Set(RULE_PARAMETER_KEYS);
  const ignored = Object.keys(typeof raw === "object" && raw !== null ? raw : {}).filter(
    (key) => !known.has(key),
  );
  return {
    ...(parsed.policySource === undefined ? {} : { policySource: parsed.policySource }),
    ...(parsed.mode === undefined ? {} : { mode: parsed.mode }),
    ...(ignored.length === 0 ? {} : { ignored }),
  };
}

/** `arn:aws:config:<region>:<account>:config-rule/…` → region. */
function regionOfRuleArn(arn: string | undefined): RegionName | undefined {
  const candidate = arn?.split(":")[3];
  return candidate !== undefined && isRegionName(candidate) ? candidate : undefined;
}

function tagsOf(tags: Record<string, string>): Tags {
  return { ...tags };
}
