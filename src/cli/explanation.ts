// Pure: (policy, resource facts, placement) → which rule applies and why, traced rule by rule, and what it resolves to.
// Built on the engine's own ruleMismatch and resolveFlowLogSettings, so the explanation cannot drift from enforcement.
import type { FlowLogSettings } from "../domain/flow-logs.js";
import { describeDestination } from "../engine/coverage.js";
import { errorSummary } from "../errors.js";
import {
  PlaceholderError,
  type PlacementFacts,
  type Resolution,
  type ResourceFacts,
  resolveFlowLogSettings,
  ruleMismatch,
} from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";

export type RuleTrace =
  | { readonly index: number; readonly name: string; readonly result: "matches"; readonly exempt: boolean }
  | { readonly index: number; readonly name: string; readonly result: "no-match"; readonly reason: string }
  | { readonly index: number; readonly name: string; readonly result: "not-reached" }
  | {
      readonly index: number;
      readonly name: string;
      readonly result: "undecidable";
      readonly reason: string;
    };

export interface Explanation {
  readonly resource: ResourceFacts;
  readonly placement: PlacementFacts;
  /** Where the tags came from: the command line or DescribeTags. */
  readonly tagsFrom: "--tags" | "DescribeTags" | "not needed";
  readonly rules: readonly RuleTrace[];
  readonly result: Resolution | { readonly kind: "error"; readonly reason: string };
  readonly compliance: Policy["compliance"];
  /** For a subnet under subnetCoverage vpc: how its VPC can cover it. */
  readonly subnetCoverage?: string;
}

export function explainResolution(
  policy: Policy,
  resource: ResourceFacts,
  placement: PlacementFacts,
  tagsFrom: Explanation["tagsFrom"],
): Explanation {
  const base = { resource, placement, tagsFrom, compliance: policy.compliance };
  if (!policy.resourceTypes.includes(resource.type))
    return { ...base, rules: [], result: resolveFlowLogSettings(policy, resource, placement) };
  const rules = traceRules(policy, resource, placement);
  const undecidable = rules.find((trace) => trace.result === "undecidable");
  if (undecidable?.result === "undecidable")
    return { ...base, rules, result: { kind: "error", reason: undecidable.reason } };
  let result: Explanation["result"];
  try {
    result = resolveFlowLogSettings(policy, resource, placement);
  } catch (error) {
    // ${VpcId} is the one placeholder a resource can lack: the others come from its ID and placement.
    const needsVpc =
      error instanceof PlaceholderError && resource.type !== "VPC" && resource.vpcId === undefined;
    result = { kind: "error", reason: `${errorSummary(error)}${needsVpc ? " (pass --vpc <vpc-id>)" : ""}` };
  }
  const subnetCoverage =
    resource.type === "Subnet" && policy.subnetCoverage === "vpc" && result.kind === "enforce"
      ? `subnetCoverage is vpc: a compliant flow log on its VPC ${resource.vpcId ?? "(unknown: pass --vpc)"} also covers this subnet, and enforcement remedies the VPC rather than the subnet`
      : undefined;
  return { ...base, rules, result, ...(subnetCoverage === undefined ? {} : { subnetCoverage }) };
}

/** Every rule up to the first that matches, with the condition that failed; later rules are not reached. */
function traceRules(policy: Policy, resource: ResourceFacts, placement: PlacementFacts): RuleTrace[] {
  let decided = false;
  return policy.rules.map((rule, index): RuleTrace => {
    const name = rule.name;
    if (decided) return { index, name, result: "not-reached" };
    try {
      const reason = ruleMismatch(rule, resource, placement);
      if (reason !== undefined) return { index, name, result: "no-match", reason };
      decided = true;
      return { index, name, result: "matches", exempt: rule.exempt };
    } catch (error) {
      decided = true;
      return { index, name, result: "undecidable", reason: errorSummary(error) };
    }
  });
}

export function renderExplanationText(explanation: Explanation): string {
  const { resource, placement, result } = explanation;
  const lines: string[] = [];
  const vpc = resource.type !== "VPC" && resource.vpcId ? ` in ${resource.vpcId}` : "";
  lines.push(
    `resource:   ${resource.type} ${resource.id}${vpc}, account ${placement.accountId}, region ${placement.region}`,
  );
  const tags = Object.entries(resource.tags).map(([key, value]) => `${key}=${value}`);
  lines.push(
    `tags:       ${tags.length === 0 ? "(none)" : tags.join(", ")}  [${tagsOrigin(explanation.tagsFrom)}]`,
  );
  if (explanation.rules.length > 0) {
    lines.push("rules (first match applies):");
    for (const trace of explanation.rules)
      lines.push(`  ${trace.index + 1}. ${trace.name}: ${ruleLine(trace)}`);
  }
  lines.push(...resultLines(result));
  if (explanation.subnetCoverage) lines.push(`note:       ${explanation.subnetCoverage}`);
  if (result.kind === "enforce")
    lines.push(`compliance: ${complianceLine(explanation.compliance, result.settings)}`);
  return `${lines.join("\n")}\n`;
}

function tagsOrigin(from: Explanation["tagsFrom"]): string {
  if (from === "--tags") return "from --tags; no AWS call";
  if (from === "DescribeTags") return "read with DescribeTags";
  return "not read: no rule matches on tags";
}

function ruleLine(trace: RuleTrace): string {
  switch (trace.result) {
    case "matches":
      return trace.exempt ? "MATCHES (exempt rule)" : "MATCHES";
    case "no-match":
      return `no match: ${trace.reason}`;
    case "not-reached":
      return "not reached (an earlier rule matched)";
    case "undecidable":
      return `cannot tell: ${trace.reason}`;
  }
}

function resultLines(result: Explanation["result"]): string[] {
  switch (result.kind) {
    case "out-of-scope":
      return [`result:     OUT OF SCOPE: ${result.reason}; no flow log is required`];
    case "exempt":
      return [`result:     EXEMPT by rule ${result.rule}: no flow log is required`];
    case "error":
      return [`result:     CANNOT RESOLVE: ${result.reason}`];
    case "enforce":
      return [
        `result:     ENFORCE with ${result.rule === undefined ? "the defaults (no rule matches)" : `rule ${result.rule}`}`,
        "settings:",
        ...settingsLines(result.settings).map(([key, value]) => `  ${key.padEnd(25)}${value}`),
      ];
  }
}

export function settingsLines(settings: FlowLogSettings): Array<[string, string]> {
  const { destination } = settings;
  const lines: Array<[string, string]> = [
    ["resourceType", settings.resourceType],
    ["destination.type", destination.type],
  ];
  if (destination.arn !== undefined) lines.push(["destination.arn", destination.arn]);
  if (destination.logGroupName !== undefined)
    lines.push(["destination.logGroupName", destination.logGroupName]);
  if (destination.deliverLogsPermissionArn !== undefined)
    lines.push(["deliverLogsPermissionArn", destination.deliverLogsPermissionArn]);
  if (destination.deliverCrossAccountRole !== undefined)
    lines.push(["deliverCrossAccountRole", destination.deliverCrossAccountRole]);
  lines.push(["trafficType", settings.trafficType]);
  lines.push(["maxAggregationInterval", String(settings.maxAggregationInterval)]);
  lines.push(["logFormat", settings.logFormat ?? "(AWS default format)"]);
  if (settings.destinationOptions !== undefined) {
    const { fileFormat, hiveCompatiblePartitions, perHourPartition } = settings.destinationOptions;
    lines.push([
      "destinationOptions",
      `fileFormat=${fileFormat}, hiveCompatiblePartitions=${hiveCompatiblePartitions}, perHourPartition=${perHourPartition}`,
    ]);
  }
  const tags = Object.entries(settings.tags).map(([key, value]) => `${key}=${value}`);
  lines.push(["tags", tags.length === 0 ? "(none)" : tags.join(", ")]);
  return lines;
}

function complianceLine(level: Policy["compliance"], settings: FlowLogSettings): string {
  const where = describeDestination(settings.destination);
  switch (level) {
    case "any":
      return "any: any ACTIVE flow log on the resource satisfies the policy";
    case "destination":
      return `destination: an ACTIVE flow log to ${where} whose traffic type covers ${settings.trafficType} satisfies the policy`;
    case "exact":
      return `exact: an ACTIVE flow log to ${where} with exactly these settings satisfies the policy`;
  }
}

/** The explanation as JSON for scripts: the same facts as the text. */
export function explanationJson(explanation: Explanation): string {
  return `${JSON.stringify(explanation, null, 2)}\n`;
}
