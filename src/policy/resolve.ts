// Pure: (policy, resource, where it lives) → exempt, out of scope, or the flow-log settings the policy wants.
import {
  type DestinationOptions,
  ENFORCER_MARK,
  type FlowLogSettings,
  type LogGroupSettings,
  type ResolvedDestination,
} from "../domain/flow-logs.js";
import {
  type AccountRegion,
  isTransitGatewayType,
  type ResourceType,
  type Tags,
} from "../domain/resources.js";
import { DestinationError, EnforcerError, PlaceholderError } from "../errors.js";

import { exemptionEnd } from "./exemption-expiry.js";
import type { Policy, PolicyDestination, PolicyRule } from "./schema.js";

/** What rule matching sees of a resource. `tags` are the effective tags (a subnet inherits its VPC's). */
export interface ResourceFacts {
  readonly type: ResourceType;
  readonly id: string;
  readonly vpcId?: string | undefined;
  readonly tags: Tags;
}

/** Where the resource lives; `organizationalUnits` lists every OU above the account, when the policy needs them. */
export interface PlacementFacts extends AccountRegion {
  readonly organizationalUnits?: readonly string[];
  /** When the decision is made: an exemption past its `expires` no longer matches. Needed by expiring rules only. */
  readonly evaluatedAt?: Date;
}

/** An exempt rule whose match holds but whose `expires` has passed: the outcome says so. */
export interface ExpiredExemption {
  readonly rule: string;
  readonly expires: string;
}

export type Resolution =
  | { readonly kind: "out-of-scope"; readonly reason: string }
  | {
      readonly kind: "exempt";
      readonly rule: string;
      readonly reason?: string;
      readonly expires?: string;
    }
  | {
      readonly kind: "enforce";
      readonly rule?: string;
      readonly settings: FlowLogSettings;
      /** The first expired exemption that would have applied had it not expired. */
      readonly expiredExemption?: ExpiredExemption;
    };

/** Tags used for matching: the VPC's tags, overridden key by key by the resource's own. */
export function effectiveTags(own: Tags, vpcTags: Tags | undefined): Tags {
  return { ...(vpcTags ?? {}), ...own };
}

export function resolveFlowLogSettings(
  policy: Policy,
  resource: ResourceFacts,
  placement: PlacementFacts,
): Resolution {
  if (!policy.resourceTypes.includes(resource.type))
    return {
      kind: "out-of-scope",
      reason: `resource type ${resource.type} is not in the policy's resourceTypes`,
    };
  let expiredExemption: ExpiredExemption | undefined;
  const rule = policy.rules.find((candidate) => {
    const result = matchRule(candidate, resource, placement);
    if (result.kind === "expired") expiredExemption ??= { rule: candidate.name, expires: result.expires };
    return result.kind === "matches";
  });
  if (rule?.exempt)
    return {
      kind: "exempt",
      rule: rule.name,
      ...(rule.reason === undefined ? {} : { reason: rule.reason }),
      ...(rule.expires === undefined ? {} : { expires: rule.expires }),
    };
  const settings = mergeSettings(policy, rule, resource, placement);
  return {
    kind: "enforce",
    ...(rule === undefined ? {} : { rule: rule.name }),
    settings,
    ...(expiredExemption === undefined ? {} : { expiredExemption }),
  };
}

export function ruleMatches(rule: PolicyRule, resource: ResourceFacts, placement: PlacementFacts): boolean {
  return matchRule(rule, resource, placement).kind === "matches";
}

/**
 * Why a rule's match does not hold for the resource (its first failing condition, or its expiry), or undefined when
 * it holds. The single implementation of rule matching, so `flowlogs explain` reports exactly what enforcement
 * decides.
 */
export function ruleMismatch(
  rule: PolicyRule,
  resource: ResourceFacts,
  placement: PlacementFacts,
): string | undefined {
  const result = matchRule(rule, resource, placement);
  switch (result.kind) {
    case "matches":
      return undefined;
    case "no-match":
      return result.reason;
    case "expired":
      return `its match holds, but the exemption expired on ${result.expires}`;
  }
}

type RuleMatch =
  | { readonly kind: "matches" }
  | { readonly kind: "no-match"; readonly reason: string }
  | { readonly kind: "expired"; readonly expires: string };

/** The conditions first, then the expiry: an exemption that would not apply anyway has not "expired" for it. */
function matchRule(rule: PolicyRule, resource: ResourceFacts, placement: PlacementFacts): RuleMatch {
  const reason = conditionMismatch(rule, resource, placement);
  if (reason !== undefined) return { kind: "no-match", reason };
  if (rule.expires === undefined) return { kind: "matches" };
  if (placement.evaluatedAt === undefined)
    throw new EnforcerError(`rule "${rule.name}" expires, but the time of the decision is unknown`);
  const end = exemptionEnd(rule.expires);
  // The schema refuses an expires it cannot read; should one reach here, the exemption does not hold.
  if (end === undefined || placement.evaluatedAt.getTime() >= end)
    return { kind: "expired", expires: rule.expires };
  return { kind: "matches" };
}

function conditionMismatch(
  rule: PolicyRule,
  resource: ResourceFacts,
  placement: PlacementFacts,
): string | undefined {
  const { match } = rule;
  if (match.accounts && !match.accounts.includes(placement.accountId))
    return `account ${placement.accountId} is not in match.accounts [${match.accounts.join(", ")}]`;
  if (match.regions && !match.regions.includes(placement.region))
    return `region ${placement.region} is not in match.regions [${match.regions.join(", ")}]`;
  if (match.resourceTypes && !match.resourceTypes.includes(resource.type))
    return `resource type ${resource.type} is not in match.resourceTypes [${match.resourceTypes.join(", ")}]`;
  if (match.organizationalUnits) {
    if (placement.organizationalUnits === undefined)
      throw new EnforcerError(
        `rule "${rule.name}" matches on organizationalUnits, but the OUs of account ${placement.accountId} are unknown`,
      );
    const ous = placement.organizationalUnits;
    if (!match.organizationalUnits.some((ou) => ous.includes(ou)))
      return `account ${placement.accountId} is not under any of match.organizationalUnits [${match.organizationalUnits.join(", ")}]`;
  }
  if (match.tags) {
    for (const [key, expected] of Object.entries(match.tags)) {
      const actual = Object.hasOwn(resource.tags, key) ? resource.tags[key] : undefined;
      if (actual === undefined) return `tag ${key} is missing (match.tags wants ${key}=${expected})`;
      if (expected !== "*" && actual !== expected)
        return `tag ${key} is "${actual}", not "${expected}" (match.tags)`;
    }
  }
  return undefined;
}

function mergeSettings(
  policy: Policy,
  rule: PolicyRule | undefined,
  resource: ResourceFacts,
  placement: PlacementFacts,
): FlowLogSettings {
  const { defaults } = policy;
  const values = placeholderValues(resource, placement);
  const destination = rule?.destination ?? defaults.destination;
  const interval =
    rule?.maxAggregationInterval ??
    defaults.maxAggregationInterval ??
    (isTransitGatewayType(resource.type) ? 60 : 600);
  const logFormat = rule?.logFormat ?? defaults.logFormat;
  // Options belong to a destination: a rule that changes the destination does not inherit the default's options.
  const options = rule?.destination
    ? rule.destinationOptions
    : (rule?.destinationOptions ?? defaults.destinationOptions);
  const tags = { ...(defaults.tags ?? {}), ...(rule?.tags ?? {}) };
  return {
    resourceType: resource.type,
    destination: substituteDestination(destination, values, placement),
    trafficType: rule?.trafficType ?? defaults.trafficType ?? "ALL",
    maxAggregationInterval: interval,
    ...(logFormat === undefined ? {} : { logFormat: normalizeLogFormat(logFormat) }),
    ...(options === undefined || destination.type !== "s3"
      ? {}
      : { destinationOptions: options satisfies DestinationOptions }),
    // The mark goes last: validation keeps policy tags out of its prefix, and nothing can overwrite it here.
    tags: {
      ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, substitute(value, values)])),
      [ENFORCER_MARK.key]: ENFORCER_MARK.value,
    },
  };
}

function placeholderValues(
  resource: ResourceFacts,
  placement: PlacementFacts,
): Record<string, string | undefined> {
  return {
    AccountId: placement.accountId,
    Region: placement.region,
    Partition: placement.partition,
    ResourceId: resource.id,
    VpcId: resource.type === "VPC" ? resource.id : resource.vpcId,
  };
}

function substitute(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\$\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new PlaceholderError(`\${${name}} has no value for this resource`);
    return value;
  });
}

function substituteDestination(
  destination: PolicyDestination,
  values: Record<string, string | undefined>,
  placement: PlacementFacts,
): ResolvedDestination {
  const optional = (key: string, value: string | undefined) =>
    value === undefined ? {} : { [key]: substitute(value, values) };
  switch (destination.type) {
    case "cloud-watch-logs":
      return {
        type: destination.type,
        ...optional("logGroupName", destination.logGroupName),
        ...optional("arn", destination.arn),
        deliverLogsPermissionArn: substitute(destination.deliverLogsPermissionArn, values),
        ...(destination.logGroup === undefined
          ? {}
          : { logGroup: substituteLogGroup(destination.logGroup, values) }),
      };
    case "kinesis-data-firehose":
      return firehoseDestination(
        substitute(destination.arn, values),
        optional("deliverLogsPermissionArn", destination.deliverLogsPermissionArn),
        optional("deliverCrossAccountRole", destination.deliverCrossAccountRole),
        placement,
      );
    case "s3":
      return { type: destination.type, arn: substitute(destination.arn, values) };
  }
}

function substituteLogGroup(
  settings: NonNullable<Extract<PolicyDestination, { type: "cloud-watch-logs" }>["logGroup"]>,
  values: Record<string, string | undefined>,
): LogGroupSettings {
  return {
    ...(settings.retentionDays === undefined ? {} : { retentionDays: settings.retentionDays }),
    ...(settings.kmsKeyArn === undefined ? {} : { kmsKeyArn: substitute(settings.kmsKeyArn, values) }),
    ...(settings.class === undefined ? {} : { class: settings.class }),
  };
}

/**
 * AWS's two-role setup for a stream in another account: the source-account role (deliverLogsPermissionArn) and the
 * destination-account role (deliverCrossAccountRole) are both required then. Which case applies is known only here,
 * once `${AccountId}` is substituted; for a stream in the resource's own account the roles are not sent.
 */
function firehoseDestination(
  arn: string,
  permission: { deliverLogsPermissionArn?: string },
  crossAccount: { deliverCrossAccountRole?: string },
  placement: PlacementFacts,
): ResolvedDestination {
  const streamAccount = arn.split(":")[4];
  if (streamAccount === placement.accountId) return { type: "kinesis-data-firehose", arn };
  const missing = [
    ...(permission.deliverLogsPermissionArn === undefined ? ["deliverLogsPermissionArn"] : []),
    ...(crossAccount.deliverCrossAccountRole === undefined ? ["deliverCrossAccountRole"] : []),
  ];
  if (missing.length > 0)
    throw new DestinationError(
      `the Firehose stream ${arn} is in account ${streamAccount}, not ${placement.accountId}: cross-account delivery needs ${missing.join(" and ")}`,
    );
  return { type: "kinesis-data-firehose", arn, ...permission, ...crossAccount };
}

/** AWS stores the format with single spaces; compare like with like. */
export function normalizeLogFormat(format: string): string {
  return format.trim().split(/\s+/).join(" ");
}

/** A stable key for grouping identical settings into one CreateFlowLogs call and for the ClientToken. */
export function settingsKey(settings: FlowLogSettings): string {
  return stableStringify(settings);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
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
