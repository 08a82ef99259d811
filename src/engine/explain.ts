// Pure: why the engine decides what it decides for one resource — every rule traced up to the first match, the
// settings that rule resolves to, and (when the flow logs were read) the coverage verdict itself. Built on the
// engine's own ruleMismatch, resolveFlowLogSettings and evaluateCoverage, so `flowlogs explain` cannot drift from
// enforcement: it only formats what this module returns.
import { errorSummary, PlaceholderError } from "../errors.js";
import {
  effectiveTags,
  type PlacementFacts,
  type Resolution,
  type ResourceFacts,
  resolveFlowLogSettings,
  ruleMismatch,
} from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";
import { evaluateCoverage, type Verdict } from "./coverage.js";
import type { CoverageFacts } from "./enforce.js";

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
  /** Where the tags came from: the command line, or EC2 with the resource itself (DescribeVpcs, DescribeSubnets, …). */
  readonly tagsFrom: "--tags" | "EC2" | "not needed";
  readonly rules: readonly RuleTrace[];
  readonly result: Resolution | { readonly kind: "error"; readonly reason: string };
  readonly compliance: Policy["compliance"];
  /** What enforcement does with unapproved flow logs (the policy's unapprovedFlowLogs). */
  readonly unapprovedFlowLogs: Policy["unapprovedFlowLogs"];
  /** For a subnet under subnetCoverage vpc: how its VPC can cover it. */
  readonly subnetCoverage?: string;
  /** The engine's verdict from the facts it read; absent when the explanation was given facts (--tags) instead. */
  readonly coverage?: Verdict;
}

export function explainResolution(
  policy: Policy,
  resource: ResourceFacts,
  placement: PlacementFacts,
  tagsFrom: Explanation["tagsFrom"],
): Explanation {
  const base = {
    resource,
    placement,
    tagsFrom,
    compliance: policy.compliance,
    unapprovedFlowLogs: policy.unapprovedFlowLogs,
  };
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

/**
 * The explanation for `resourceId` from the facts the engine gathered (gatherFacts): the resource's effective tags
 * (a subnet's include its VPC's), the rule trace, and the same verdict evaluateCoverage gives enforcement.
 * Undefined when the facts hold no such target.
 */
export function explainCoverage(
  policy: Policy,
  placement: PlacementFacts,
  facts: CoverageFacts,
  resourceId: string,
  tagsFrom: Explanation["tagsFrom"],
): Explanation | undefined {
  const target = facts.targets.find((candidate) => candidate.id === resourceId);
  if (target === undefined) return undefined;
  const own = facts.tags.get(target.id) ?? {};
  const vpcTags = target.vpcId === undefined ? undefined : facts.tags.get(target.vpcId);
  const resource: ResourceFacts = {
    type: target.type,
    id: target.id,
    vpcId: target.vpcId,
    tags: target.type === "VPC" ? own : effectiveTags(own, vpcTags),
  };
  const verdict = evaluateCoverage(policy, [target], { placement, ...facts }).get(target.id);
  const explanation = explainResolution(policy, resource, placement, tagsFrom);
  return verdict === undefined ? explanation : { ...explanation, coverage: verdict };
}
