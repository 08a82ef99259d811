// The policy contract: zod schema (source of policy.schema.json) and the static checks a schema alone cannot express.
import { FLOW_LOG_FIELDS, RESERVED_TAG_PREFIX } from "../domain/flow-logs.js";
import { isTransitGatewayType, RESOURCE_TYPES } from "../domain/resources.js";
import * as z from "../zod.js";
import { PATTERN_PLACEHOLDERS, unknownPatternPlaceholders } from "./destination-patterns.js";
import { exemptionEnd } from "./exemption-expiry.js";

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
const templated = (description: string, ...checks: z.core.$ZodCheck<string>[]) =>
  z.string().check(
    z.minLength(1),
    z.describe(`${description} Placeholders: ${PLACEHOLDERS.map((p) => `\${${p}}`).join(", ")}.`),
    z.superRefine((value, ctx) => {
      for (const name of unknownPlaceholders(value)) {
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder \${${name}} (allowed: ${PLACEHOLDERS.join(", ")})`,
        });
      }
    }),
    ...checks,
  );
/** A check that `pattern` matches, with `message` when it does not. */
const matching = (pattern: RegExp, message: string) =>
  z.refine<string>((value) => pattern.test(value), message);

/** Attaches the description that policy.schema.json and the generated reference show for a field. */
const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
  schema.check(z.describe(description));

// ARNs are checked with the partition left open, since `${Partition}` is substituted later.
const PARTITION = String.raw`(?:aws[a-z-]*|\$\{Partition\})`;
const s3Arn = new RegExp(String.raw`^arn:${PARTITION}:s3:::[^/\s]+(?:/\S*)?$`);
const logGroupArn = new RegExp(String.raw`^arn:${PARTITION}:logs:[^:]+:[^:]+:log-group:\S+$`);
const firehoseArn = new RegExp(String.raw`^arn:${PARTITION}:firehose:[^:]+:[^:]+:deliverystream/\S+$`);
const roleArn = new RegExp(String.raw`^arn:${PARTITION}:iam::[^:]+:role/\S+$`);

const kmsKeyArn = new RegExp(String.raw`^arn:${PARTITION}:kms:[^:]+:[^:]+:key/\S+$`);

/**
 * CreateFlowLogs uses DeliverCrossAccountRole only for a Firehose stream in another account; S3 and CloudWatch Logs
 * destinations would silently ignore it, so a policy that sets it there is told why instead.
 */
const ignoredCrossAccountRole = (why: string) =>
  z.optional(
    z.unknown().check(
      z.describe(`Not accepted: ${why}`),
      z.refine(
        () => false,
        `deliverCrossAccountRole applies to kinesis-data-firehose destinations only: ${why}`,
      ),
    ),
  );

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const logGroupSettings = z.strictObject({
  retentionDays: described(
    z.optional(z.union(LOG_RETENTION_DAYS.map((days) => z.literal(days)))),
    "Days CloudWatch Logs keeps the events. Unset: never expire.",
  ),
  kmsKeyArn: z.optional(
    templated(
      "KMS key that encrypts the log group; its key policy must let logs.<region>.amazonaws.com use it.",
      matching(kmsKeyArn, "must be a KMS key ARN (arn:…:kms:<region>:<account>:key/<id>)"),
    ),
  ),
  class: described(
    z.optional(z.enum(["STANDARD", "INFREQUENT_ACCESS"])),
    "Log group class. Default STANDARD.",
  ),
});

const s3Destination = z.strictObject({
  type: z.literal("s3"),
  arn: templated(
    "S3 bucket ARN, optionally with a folder prefix.",
    matching(s3Arn, "must be an S3 bucket ARN such as arn:${Partition}:s3:::bucket/prefix/"),
  ),
  deliverCrossAccountRole: ignoredCrossAccountRole(
    "a bucket in another account is reached through its bucket policy, not a role",
  ),
});

const cloudWatchDestination = z
  .strictObject({
    type: z.literal("cloud-watch-logs"),
    logGroupName: z.optional(templated("CloudWatch Logs log group name.")),
    arn: z.optional(
      templated(
        "CloudWatch Logs log group ARN.",
        matching(logGroupArn, "must be a CloudWatch Logs log group ARN"),
      ),
    ),
    deliverLogsPermissionArn: templated(
      "IAM role the flow-logs service assumes to publish to the log group.",
      matching(roleArn, "must be an IAM role ARN"),
    ),
    deliverCrossAccountRole: ignoredCrossAccountRole(
      "flow logs publish to a log group of the resource's own account, through deliverLogsPermissionArn",
    ),
    logGroup: described(
      z.optional(logGroupSettings),
      "When set, the enforcer creates the log group (with this retention, key and class) before the flow log if it does not exist, and keeps the retention of groups it created.",
    ),
  })
  .check(
    z.refine((value) => (value.logGroupName === undefined) !== (value.arn === undefined), {
      message: "set exactly one of logGroupName or arn",
      path: ["logGroupName"],
    }),
  );

const firehoseDestination = z.strictObject({
  type: z.literal("kinesis-data-firehose"),
  arn: templated(
    "Kinesis Data Firehose delivery stream ARN.",
    matching(firehoseArn, "must be a Kinesis Data Firehose delivery stream ARN"),
  ),
  deliverLogsPermissionArn: z.optional(
    templated(
      "Source-account role (in the resource's account, trusted by delivery.logs.amazonaws.com) for a stream in another account; required then, not sent for a stream in the resource's own account.",
      matching(roleArn, "must be an IAM role ARN"),
    ),
  ),
  deliverCrossAccountRole: z.optional(
    templated(
      "Destination-account role (in the stream's account, trusted by the source-account role) for a stream in another account; required then, not sent for a stream in the resource's own account.",
      matching(roleArn, "must be an IAM role ARN"),
    ),
  ),
});

export const destinationSchema = z.discriminatedUnion("type", [
  s3Destination,
  cloudWatchDestination,
  firehoseDestination,
]);

const logFormatSchema = z.string().check(
  z.describe("Custom record format: `${field}` names separated by spaces (not placeholders)."),
  z.superRefine((value, ctx) => {
    const tokens = value.trim().split(/\s+/);
    for (const token of tokens) {
      const field = /^\$\{([a-z0-9-]+)\}$/.exec(token)?.[1];
      if (field === undefined)
        ctx.addIssue({ code: "custom", message: `"${token}" is not a \${field} reference` });
      else if (!FLOW_LOG_FIELDS.has(field))
        ctx.addIssue({ code: "custom", message: `unknown flow-log field \${${field}}` });
    }
  }),
);

const destinationOptionsSchema = z.strictObject({
  fileFormat: z._default(z.enum(["plain-text", "parquet"]), "plain-text"),
  hiveCompatiblePartitions: z._default(z.boolean(), false),
  perHourPartition: z._default(z.boolean(), false),
});

const resourceTypeSchema = z.enum(RESOURCE_TYPES);
const accountIdSchema = z.string().check(z.regex(/^\d{12}$/, "must be a 12-digit account ID"));
const tagValueSchema = templated("Tag value.");
const nonEmptyList = <T extends z.ZodMiniType>(item: T) => z.array(item).check(z.minLength(1));

/**
 * Keys a JavaScript object treats specially. Copied into a plain object, `__proto__` replaces its prototype instead
 * of becoming a key (zod drops it), so a rule matching on it would silently match everything; parse.ts refuses them
 * wherever they appear, and this pattern puts the rule into policy.schema.json for editors.
 */
export const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];
const tagKeySchema = z
  .string()
  .check(
    z.minLength(1),
    z.regex(
      new RegExp(`^(?!(?:${RESERVED_KEYS.join("|")})$)`),
      `${RESERVED_KEYS.join(", ")} are not allowed as tag keys`,
    ),
  );

/** Fields a rule may override; all optional so a rule only states what differs from the defaults. */
const settingsShape = {
  destination: z.optional(destinationSchema),
  trafficType: described(z.optional(z.enum(["ACCEPT", "REJECT", "ALL"])), "Traffic to log. Default ALL."),
  maxAggregationInterval: described(
    z.optional(z.union([z.literal(60), z.literal(600)])),
    "Seconds. Default 600 (60 for transit gateway types, which accept only 60).",
  ),
  logFormat: z.optional(logFormatSchema),
  destinationOptions: described(z.optional(destinationOptionsSchema), "S3 destinations only."),
  tags: described(
    z.optional(
      z.record(tagKeySchema, tagValueSchema).check(
        z.superRefine((tags, ctx) => {
          for (const key of Object.keys(tags))
            if (key.startsWith(RESERVED_TAG_PREFIX))
              ctx.addIssue({
                code: "custom",
                message: `tag keys starting with "${RESERVED_TAG_PREFIX}" are reserved for the mark the enforcer puts on the flow logs it creates`,
                path: [key],
              });
        }),
      ),
    ),
    `Tags put on created flow logs. The enforcer adds its own mark, a tag under the reserved "${RESERVED_TAG_PREFIX}" prefix.`,
  ),
};

/** `arn:…` with `*` wildcards and the account-region placeholders; unknown placeholders are refused. */
const destinationPatternSchema = z.string().check(
  z.minLength(1),
  z.describe(
    `Destination ARN pattern: \`*\` matches any run of characters. Placeholders: ${PATTERN_PLACEHOLDERS.map((p) => `\${${p}}`).join(", ")}.`,
  ),
  z.refine(
    (value) => value.startsWith("arn:"),
    "must be a destination ARN pattern such as arn:${Partition}:s3:::bucket*",
  ),
  z.superRefine((value, ctx) => {
    for (const name of unknownPatternPlaceholders(value))
      ctx.addIssue({
        code: "custom",
        message: `unknown placeholder \${${name}} (allowed in destination patterns: ${PATTERN_PLACEHOLDERS.join(", ")})`,
      });
  }),
);

const matchSchema = z.strictObject({
  accounts: described(z.optional(nonEmptyList(accountIdSchema)), "Account IDs."),
  organizationalUnits: described(
    z.optional(
      nonEmptyList(
        z
          .string()
          .check(z.regex(/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/, "must be an OU ID such as ou-ab12-cd34ef56")),
      ),
    ),
    "An account matches when it sits anywhere under one of these OUs.",
  ),
  regions: described(
    z.optional(nonEmptyList(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be a region name")))),
    "Region names.",
  ),
  resourceTypes: described(z.optional(nonEmptyList(resourceTypeSchema)), "Resource types."),
  tags: described(
    z.optional(z.record(tagKeySchema, z.string())),
    'Every key must carry this value; "*" means the key is present.',
  ),
});

const ruleSchema = z
  .strictObject({
    name: z.string().check(z.minLength(1), z.describe("Shown in reports, logs and Config annotations.")),
    match: described(
      z._default(matchSchema, {}),
      "Every listed condition must hold; an empty match matches everything.",
    ),
    exempt: described(
      z._default(z.boolean(), false),
      "Matching resources need no flow log and are reported as exempt.",
    ),
    reason: described(
      z.optional(z.string().check(z.minLength(1))),
      "Exempt rules only: why the resources are exempt, shown with every exempt outcome.",
    ),
    expires: described(
      z.optional(
        z
          .string()
          .check(
            z.refine(
              (value) => exemptionEnd(value) !== undefined,
              "must be an ISO date (2026-12-31) or date-time with a zone (2026-12-31T18:00:00Z)",
            ),
          ),
      ),
      "Exempt rules only: after this date (its end, UTC) or date-time the rule no longer matches, and outcomes say the exemption expired.",
    ),
    ...settingsShape,
  })
  .check(
    z.superRefine((rule, ctx) => {
      if (!rule.exempt) {
        for (const key of ["reason", "expires"] as const)
          if (rule[key] !== undefined)
            ctx.addIssue({ code: "custom", message: `${key} applies to exempt rules only`, path: [key] });
        return;
      }
      for (const key of Object.keys(settingsShape)) {
        if (rule[key as keyof typeof settingsShape] !== undefined)
          ctx.addIssue({
            code: "custom",
            message: `an exempt rule creates nothing, so ${key} has no effect`,
            path: [key],
          });
      }
    }),
  );

export const policySchema = z
  .strictObject({
    version: described(z.literal(1), "Policy format version."),
    mode: described(
      z._default(z.enum(["enforce", "audit"]), "enforce"),
      "enforce creates missing flow logs; audit only evaluates and reports what it would create.",
    ),
    resourceTypes: described(
      z._default(nonEmptyList(resourceTypeSchema), ["VPC", "Subnet"]),
      "Resource types that must be covered by a flow log.",
    ),
    subnetCoverage: described(
      z._default(z.enum(["vpc", "own"]), "vpc"),
      "vpc: a compliant flow log on its VPC covers a subnet; own: every subnet needs its own flow log.",
    ),
    compliance: described(
      z._default(z.enum(["any", "destination", "exact"]), "destination"),
      "any: any ACTIVE flow log covers; destination: an ACTIVE flow log to the policy's destination with a traffic type that covers the policy's; exact: also log format, aggregation interval and destination options.",
    ),
    allowedAccounts: described(
      z.optional(z.array(accountIdSchema)),
      "If set, only these accounts are enforced.",
    ),
    defaults: described(
      z.strictObject({ ...settingsShape, destination: destinationSchema }),
      "Flow-log settings for every resource no rule overrides.",
    ),
    rules: described(
      z._default(z.array(ruleSchema), []),
      "Evaluated in order; the first rule whose match holds applies and its fields override the defaults.",
    ),
    approvedDestinations: described(
      z.optional(nonEmptyList(destinationPatternSchema)),
      `If set, every flow log on an in-scope resource (exempt ones included) must go to the policy's destination for that resource or to a destination one of these ARN patterns matches (\`*\` matches any run of characters; placeholders ${PATTERN_PLACEHOLDERS.map((p) => `\${${p}}`).join(", ")}); any other is reported as unapproved.`,
    ),
    unapprovedFlowLogs: described(
      z._default(z.enum(["report", "delete"]), "report"),
      "report: unapproved flow logs are reported (outcome unapproved); delete: in enforce mode they are deleted once the resource is covered by a compliant flow log (audit mode reports would-delete). Needs approvedDestinations.",
    ),
    replaceOutdated: described(
      z._default(z.boolean(), false),
      "true: a flow log the enforcer created that no longer satisfies the policy is deleted once a compliant flow log exists on the resource. Flow logs the enforcer did not create are never touched.",
    ),
  })
  .check(
    z.superRefine((policy, ctx) => {
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
      if (policy.unapprovedFlowLogs === "delete" && policy.approvedDestinations === undefined)
        ctx.addIssue({
          code: "custom",
          message:
            "unapprovedFlowLogs: delete needs approvedDestinations (without it no flow log is unapproved)",
          path: ["unapprovedFlowLogs"],
        });
    }),
  );

export type Policy = z.output<typeof policySchema>;
export type PolicyRule = Policy["rules"][number];
export type PolicyDestination = z.output<typeof destinationSchema>;

type Ctx = z.core.$RefinementCtx<Policy>;
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
