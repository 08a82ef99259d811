// The policy contract: zod schema (source of policy.schema.json) and the static checks a schema alone cannot express.
import * as z from "zod";
import { FLOW_LOG_FIELDS } from "../domain/flow-logs.js";
import { isTransitGatewayType, RESOURCE_TYPES } from "../domain/resources.js";

/** Placeholders allowed in destination fields and flow-log tag values. */
export const PLACEHOLDERS = ["AccountId", "Region", "Partition", "ResourceId", "VpcId"] as const;
const PLACEHOLDER_PATTERN = /\$\{([^}]*)\}/g;

function unknownPlaceholders(value: string): string[] {
  const known: ReadonlySet<string> = new Set(PLACEHOLDERS);
  return [...value.matchAll(PLACEHOLDER_PATTERN)]
    .map((match) => match[1] ?? "")
    .filter((name) => !known.has(name));
}

/** A string that may carry `${AccountId}`-style placeholders; unknown ones are rejected. */
const templated = (description: string) =>
  z
    .string()
    .min(1)
    .describe(`${description} Placeholders: ${PLACEHOLDERS.map((p) => `\${${p}}`).join(", ")}.`)
    .superRefine((value, ctx) => {
      for (const name of unknownPlaceholders(value)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder \${${name}} (allowed: ${PLACEHOLDERS.join(", ")})`,
        });
      }
    });

// ARNs are checked with the partition left open, since `${Partition}` is substituted later.
const PARTITION = String.raw`(?:aws[a-z-]*|\$\{Partition\})`;
const s3Arn = new RegExp(String.raw`^arn:${PARTITION}:s3:::[^/\s]+(?:/\S*)?$`);
const logGroupArn = new RegExp(String.raw`^arn:${PARTITION}:logs:[^:]+:[^:]+:log-group:\S+$`);
const firehoseArn = new RegExp(String.raw`^arn:${PARTITION}:firehose:[^:]+:[^:]+:deliverystream/\S+$`);
const roleArn = new RegExp(String.raw`^arn:${PARTITION}:iam::[^:]+:role/\S+$`);

const crossAccountRole = templated("IAM role that delivers logs to a destination in another account.")
  .refine((value) => roleArn.test(value), "must be an IAM role ARN")
  .optional();

const s3Destination = z.strictObject({
  type: z.literal("s3"),
  arn: templated("S3 bucket ARN, optionally with a folder prefix.").refine(
    (value) => s3Arn.test(value),
    "must be an S3 bucket ARN such as arn:${Partition}:s3:::bucket/prefix/",
  ),
  deliverCrossAccountRole: crossAccountRole,
});

const cloudWatchDestination = z
  .strictObject({
    type: z.literal("cloud-watch-logs"),
    logGroupName: templated("CloudWatch Logs log group name.").optional(),
    arn: templated("CloudWatch Logs log group ARN.")
      .refine((value) => logGroupArn.test(value), "must be a CloudWatch Logs log group ARN")
      .optional(),
    deliverLogsPermissionArn: templated(
      "IAM role the flow-logs service assumes to publish to the log group.",
    ).refine((value) => roleArn.test(value), "must be an IAM role ARN"),
    deliverCrossAccountRole: crossAccountRole,
  })
  .refine((value) => (value.logGroupName === undefined) !== (value.arn === undefined), {
    message: "set exactly one of logGroupName or arn",
    path: ["logGroupName"],
  });

const firehoseDestination = z.strictObject({
  type: z.literal("kinesis-data-firehose"),
  arn: templated("Kinesis Data Firehose delivery stream ARN.").refine(
    (value) => firehoseArn.test(value),
    "must be a Kinesis Data Firehose delivery stream ARN",
  ),
  deliverCrossAccountRole: crossAccountRole,
});

export const destinationSchema = z.discriminatedUnion("type", [
  s3Destination,
  cloudWatchDestination,
  firehoseDestination,
]);

const logFormatSchema = z
  .string()
  .describe("Custom record format: `${field}` names separated by spaces (not placeholders).")
  .superRefine((value, ctx) => {
    const tokens = value.trim().split(/\s+/);
    for (const token of tokens) {
      const field = /^\$\{([a-z0-9-]+)\}$/.exec(token)?.[1];
      if (field === undefined)
        ctx.addIssue({ code: "custom", message: `"${token}" is not a \${field} reference` });
      else if (!FLOW_LOG_FIELDS.has(field))
        ctx.addIssue({ code: "custom", message: `unknown flow-log field \${${field}}` });
    }
  });

const destinationOptionsSchema = z.strictObject({
  fileFormat: z.enum(["plain-text", "parquet"]).default("plain-text"),
  hiveCompatiblePartitions: z.boolean().default(false),
  perHourPartition: z.boolean().default(false),
});

const resourceTypeSchema = z.enum(RESOURCE_TYPES);
const accountIdSchema = z.string().regex(/^\d{12}$/, "must be a 12-digit account ID");
const tagValueSchema = templated("Tag value.");

/** Fields a rule may override; all optional so a rule only states what differs from the defaults. */
const settingsShape = {
  destination: destinationSchema.optional(),
  trafficType: z.enum(["ACCEPT", "REJECT", "ALL"]).optional().describe("Traffic to log. Default ALL."),
  maxAggregationInterval: z
    .union([z.literal(60), z.literal(600)])
    .optional()
    .describe("Seconds. Default 600 (60 for transit gateway types, which accept only 60)."),
  logFormat: logFormatSchema.optional(),
  destinationOptions: destinationOptionsSchema.optional().describe("S3 destinations only."),
  tags: z.record(z.string().min(1), tagValueSchema).optional().describe("Tags put on created flow logs."),
};

const matchSchema = z.strictObject({
  accounts: z.array(accountIdSchema).min(1).optional().describe("Account IDs."),
  organizationalUnits: z
    .array(
      z.string().regex(/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/, "must be an OU ID such as ou-ab12-cd34ef56"),
    )
    .min(1)
    .optional()
    .describe("An account matches when it sits anywhere under one of these OUs."),
  regions: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be a region name"))
    .min(1)
    .optional()
    .describe("Region names."),
  resourceTypes: z.array(resourceTypeSchema).min(1).optional().describe("Resource types."),
  tags: z
    .record(z.string().min(1), z.string())
    .optional()
    .describe('Every key must carry this value; "*" means the key is present.'),
});

const ruleSchema = z
  .strictObject({
    name: z.string().min(1).describe("Shown in reports, logs and Config annotations."),
    match: matchSchema
      .default({})
      .describe("Every listed condition must hold; an empty match matches everything."),
    exempt: z
      .boolean()
      .default(false)
      .describe("Matching resources need no flow log and are reported as exempt."),
    ...settingsShape,
  })
  .superRefine((rule, ctx) => {
    if (!rule.exempt) return;
    for (const key of Object.keys(settingsShape)) {
      if (rule[key as keyof typeof settingsShape] !== undefined)
        ctx.addIssue({
          code: "custom",
          message: `an exempt rule creates nothing, so ${key} has no effect`,
          path: [key],
        });
    }
  });

export const policySchema = z
  .strictObject({
    version: z.literal(1).describe("Policy format version."),
    mode: z
      .enum(["enforce", "audit"])
      .default("enforce")
      .describe("enforce creates missing flow logs; audit only evaluates and reports what it would create."),
    resourceTypes: z
      .array(resourceTypeSchema)
      .min(1)
      .default(["VPC", "Subnet"])
      .describe("Resource types that must be covered by a flow log."),
    subnetCoverage: z
      .enum(["vpc", "own"])
      .default("vpc")
      .describe(
        "vpc: a compliant flow log on its VPC covers a subnet; own: every subnet needs its own flow log.",
      ),
    compliance: z
      .enum(["any", "destination", "exact"])
      .default("destination")
      .describe(
        "any: any ACTIVE flow log covers; destination: an ACTIVE flow log to the policy's destination with a traffic type that covers the policy's; exact: also log format, aggregation interval and destination options.",
      ),
    allowedAccounts: z
      .array(accountIdSchema)
      .optional()
      .describe("If set, only these accounts are enforced."),
    defaults: z
      .strictObject({ ...settingsShape, destination: destinationSchema })
      .describe("Flow-log settings for every resource no rule overrides."),
    rules: z
      .array(ruleSchema)
      .default([])
      .describe(
        "Evaluated in order; the first rule whose match holds applies and its fields override the defaults.",
      ),
  })
  .superRefine((policy, ctx) => {
    const names = new Set<string>();
    policy.rules.forEach((rule, index) => {
      if (names.has(rule.name))
        ctx.addIssue({
          code: "custom",
          message: `duplicate rule name "${rule.name}"`,
          path: ["rules", index, "name"],
        });
      names.add(rule.name);
    });
    checkDestinationOptions(policy, ctx);
    checkTransitGatewayInterval(policy, ctx);
  });

export type Policy = z.output<typeof policySchema>;
export type PolicyRule = Policy["rules"][number];
export type PolicyDestination = z.output<typeof destinationSchema>;

type Ctx = z.RefinementCtx;
type SettingsLike = { destination?: PolicyDestination | undefined; destinationOptions?: unknown };

function checkDestinationOptions(policy: Policy, ctx: Ctx): void {
  const parts: Array<[SettingsLike, Array<string | number>]> = [
    [policy.defaults, ["defaults"]],
    ...policy.rules.map((rule, index): [SettingsLike, Array<string | number>] => [rule, ["rules", index]]),
  ];
  for (const [part, path] of parts) {
    if (part.destinationOptions === undefined) continue;
    const type = (part.destination ?? policy.defaults.destination).type;
    if (type !== "s3")
      ctx.addIssue({
        code: "custom",
        message: `destinationOptions apply to s3 destinations only (destination type is ${type})`,
        path: [...path, "destinationOptions"],
      });
  }
}

/** Transit gateway flow logs accept only a 60 s interval: reject an explicit 600 that could reach them. */
function checkTransitGatewayInterval(policy: Policy, ctx: Ctx): void {
  const tgwTypes: string[] = policy.resourceTypes.filter(isTransitGatewayType);
  if (tgwTypes.length === 0) return;
  const reachesTgw = (rule: PolicyRule) =>
    rule.match.resourceTypes === undefined || rule.match.resourceTypes.some((t) => tgwTypes.includes(t));
  policy.rules.forEach((rule, index) => {
    const interval = rule.maxAggregationInterval ?? policy.defaults.maxAggregationInterval;
    if (!rule.exempt && reachesTgw(rule) && interval === 600)
      ctx.addIssue({
        code: "custom",
        message: "transit gateway flow logs accept only maxAggregationInterval 60",
        path: ["rules", index, "maxAggregationInterval"],
      });
  });
  if (policy.defaults.maxAggregationInterval === 600)
    ctx.addIssue({
      code: "custom",
      message:
        "transit gateway flow logs accept only maxAggregationInterval 60 (omit it to get 600 for VPCs)",
      path: ["defaults", "maxAggregationInterval"],
    });
}

/** True when some rule matches on tags, so resource tags must be read before deciding. */
export function policyUsesTags(policy: Policy): boolean {
  return policy.rules.some(
    (rule) => rule.match.tags !== undefined && Object.keys(rule.match.tags).length > 0,
  );
}

/** True when some rule matches on organizationalUnits, so the account's OU ancestry must be known before deciding. */
export function policyUsesOrganizationalUnits(policy: Policy): boolean {
  return policy.rules.some((rule) => rule.match.organizationalUnits !== undefined);
}
