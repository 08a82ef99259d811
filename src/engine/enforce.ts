// The one enforcement use case every trigger runs: read flow logs (and tags), decide, create, report.
import {
  type AccountRegion,
  accountRegionKey,
  type ResourceRef,
  type ResourceType,
  type Tags,
  type VpcId,
} from "../domain/resources.js";
import type { PlacementFacts } from "../policy/resolve.js";
import { policyUsesTags, settingsKey } from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";
import { flowLogClientToken } from "./client-token.js";
import {
  type CoverageSnapshot,
  describeDestination,
  evaluateCoverage,
  type Remedy,
  type Verdict,
} from "./coverage.js";
import type { CreationResult, FlowLogPort } from "./ports.js";

export const OUTCOMES = [
  "created",
  "compliant",
  "delivery-failing",
  "exempt",
  "would-create",
  "not-found",
  "ignored",
  "failed",
] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

export interface Outcome {
  readonly accountId: string;
  readonly region: string;
  /** "AccountRegion" when the whole account-region could not be handled (e.g. its role cannot be assumed). */
  readonly resourceType: ResourceType | "AccountRegion";
  readonly resourceId: string;
  readonly outcome: OutcomeKind;
  readonly flowLogIds?: string[];
  /** would-create: the resource the planned flow log goes on (a subnet's VPC when the VPC's flow log covers it). */
  readonly remedyOn?: string;
  readonly rule?: string;
  readonly reason?: string;
}

export type EnforcementMode = Policy["mode"];

export interface EnforcementReport {
  /** The mode the engine ran in (the policy's, or the caller's override): what its outcomes mean. */
  readonly mode: EnforcementMode;
  readonly outcomes: Outcome[];
}

export type EnforcementScope =
  | {
      readonly kind: "resources";
      readonly resources: readonly ResourceRef[];
      /** VPCs whose subnets are new too and not reported separately (a default VPC's default subnets). */
      readonly withSubnetsOf?: readonly VpcId[];
    }
  /** Every in-scope resource of the account-region (tamper repair, sweeps, periodic Config runs). */
  | {
      readonly kind: "account-region";
      /** List these types instead of the policy's (a Config rule's scope); those outside the policy are `ignored`. */
      readonly resourceTypes?: readonly ResourceType[];
    }
  /**
   * The account-region's default VPC and its default subnets, read from EC2: a CreateDefaultVpc/CreateDefaultSubnet
   * record that names no ID (its responseElements null).
   */
  | { readonly kind: "default-vpc" };

export interface EnforcementRequest {
  readonly placement: PlacementFacts;
  readonly scope: EnforcementScope;
  /** Seeds the ClientToken: the triggering event's id or the sweep run's id. */
  readonly idempotencySeed: string;
  /** Overrides the policy's mode, e.g. the Config rule evaluator always audits. */
  readonly mode?: EnforcementMode;
}

export interface EnforcementDeps {
  readonly policy: Policy;
  readonly ec2: FlowLogPort;
}

/**
 * Brings the requested resources to the policy.
 * 1. list the resources (account-region scope) or complete subnet → VPC links
 * 2. read their flow logs, and their tags when a rule matches on tags, in parallel
 * 3. decide each resource's verdict (pure)
 * 4. create the missing flow logs, grouped by identical settings, batched (enforce mode only)
 * 5. return one outcome per resource
 */
export async function enforceCoverage(
  request: EnforcementRequest,
  deps: EnforcementDeps,
): Promise<EnforcementReport> {
  const { policy, ec2 } = deps;
  const facts = await gatherFacts(request.scope, deps);
  const verdicts = evaluateCoverage(policy, facts.targets, { placement: request.placement, ...facts });
  const mode = request.mode ?? policy.mode;
  const write = mode === "enforce";
  const creations = write ? await createRemedies(verdicts, request.idempotencySeed, ec2) : new Map();
  return {
    mode,
    outcomes: facts.targets.map((target) =>
      toOutcome(request.placement, target, verdicts.get(target.id), creations, write),
    ),
  };
}

/** What the engine decides from: the targets (subnets linked to their VPCs), their tags and their flow logs. */
export interface CoverageFacts extends Omit<CoverageSnapshot, "placement"> {
  readonly targets: readonly ResourceRef[];
}

/**
 * Reads what a decision needs, with as few calls as the scope allows. Exported so `flowlogs explain` decides from
 * exactly the facts enforcement would read.
 */
export async function gatherFacts(
  scope: EnforcementScope,
  { policy, ec2 }: EnforcementDeps,
): Promise<CoverageFacts> {
  if (scope.kind === "account-region") {
    const types = scope.resourceTypes ?? policy.resourceTypes;
    // Listing the whole account-region returns tags with the resources, and one unfiltered DescribeFlowLogs
    // (paginated) costs fewer calls than filtering by thousands of IDs.
    const [targets, flowLogs] = await Promise.all([ec2.listResources(types), ec2.describeFlowLogs("all")]);
    const vpcs = types.includes("VPC") ? [] : await listVpcsForInheritance(policy, ec2);
    return { targets, tags: tagsOf([...targets, ...vpcs]), flowLogs };
  }

  if (scope.kind === "default-vpc") return gatherFacts(await defaultVpcScope(ec2), { policy, ec2 });

  const targets = await completeVpcLinks(await withNewSubnets(scope, policy, ec2), ec2);
  const ids = unique(targets.flatMap((target) => (target.vpcId ? [target.id, target.vpcId] : [target.id])));
  const [flowLogs, currentTags] = await Promise.all([
    ec2.describeFlowLogs(ids),
    policyUsesTags(policy) ? ec2.describeTags(ids) : Promise.resolve(new Map<string, Tags>()),
  ]);
  // Tags can change right after creation: current tags win over those carried by the event.
  const tags = tagsOf(targets);
  for (const [id, current] of currentTags) tags.set(id, current);
  return { targets: targets.map(({ tags: _eventTags, ...rest }) => rest), tags, flowLogs };
}

/** The default VPC and its default subnets (with tags and VPC links), as a resources scope. */
async function defaultVpcScope(ec2: FlowLogPort): Promise<EnforcementScope> {
  const resources = await ec2.listResources(["VPC", "Subnet"], { defaultOnly: true });
  return { kind: "resources", resources };
}

/** Subnets and interfaces inherit their VPC's tags, so the VPCs are needed even when VPCs are not enforced. */
async function listVpcsForInheritance(policy: Policy, ec2: FlowLogPort): Promise<ResourceRef[]> {
  return policyUsesTags(policy) || policy.subnetCoverage === "vpc" ? ec2.listResources(["VPC"]) : [];
}

/** With subnetCoverage "vpc" the VPC's flow log covers its subnets, so only "own" needs them listed. */
async function withNewSubnets(
  scope: Extract<EnforcementScope, { kind: "resources" }>,
  policy: Policy,
  ec2: FlowLogPort,
): Promise<readonly ResourceRef[]> {
  const vpcIds = scope.withSubnetsOf ?? [];
  if (vpcIds.length === 0 || policy.subnetCoverage !== "own" || !policy.resourceTypes.includes("Subnet"))
    return scope.resources;
  return [...scope.resources, ...(await ec2.listResources(["Subnet"], { vpcIds }))];
}

async function completeVpcLinks(resources: readonly ResourceRef[], ec2: FlowLogPort): Promise<ResourceRef[]> {
  const unlinked = resources.filter((r) => r.type === "Subnet" && r.vpcId === undefined).map((r) => r.id);
  if (unlinked.length === 0) return [...resources];
  const vpcIds = await ec2.describeSubnetVpcs(unlinked);
  return resources.map((resource) => {
    const vpcId = vpcIds.get(resource.id);
    return vpcId === undefined ? resource : { ...resource, vpcId };
  });
}

function tagsOf(resources: readonly ResourceRef[]): Map<string, Tags> {
  const tags = new Map<string, Tags>();
  for (const resource of resources) if (resource.tags) tags.set(resource.id, resource.tags);
  return tags;
}

/** Creates each distinct remedy once: subnets remedied through one VPC share a single flow log. */
async function createRemedies(
  verdicts: ReadonlyMap<string, Verdict>,
  seed: string,
  ec2: FlowLogPort,
): Promise<Map<string, CreationResult>> {
  const groups = new Map<string, { remedy: Remedy; resourceIds: Set<string> }>();
  for (const verdict of verdicts.values()) {
    if (verdict.kind !== "missing") continue;
    const key = settingsKey(verdict.remedy.settings);
    const group = groups.get(key) ?? { remedy: verdict.remedy, resourceIds: new Set<string>() };
    group.resourceIds.add(verdict.remedy.resourceId);
    groups.set(key, group);
  }
  const results = new Map<string, CreationResult>();
  const batches = await Promise.all(
    [...groups.values()].map(({ remedy, resourceIds }) =>
      ec2.createFlowLogs({
        settings: remedy.settings,
        resourceIds: [...resourceIds],
        clientTokenFor: (ids) => flowLogClientToken(seed, ids, remedy.settings),
      }),
    ),
  );
  for (const result of batches.flat()) results.set(result.resourceId, result);
  return results;
}

function toOutcome(
  placement: PlacementFacts,
  target: ResourceRef,
  verdict: Verdict | undefined,
  creations: ReadonlyMap<string, CreationResult>,
  write: boolean,
): Outcome {
  const base = {
    accountId: placement.accountId,
    region: placement.region,
    resourceType: target.type,
    resourceId: target.id,
  };
  if (verdict === undefined) return { ...base, outcome: "failed", reason: "no verdict was reached" };
  const rule = "rule" in verdict && verdict.rule !== undefined ? { rule: verdict.rule } : {};
  switch (verdict.kind) {
    case "ignored":
      return { ...base, outcome: "ignored", reason: verdict.reason };
    case "exempt":
      return { ...base, outcome: "exempt", rule: verdict.rule, reason: `exempt by rule ${verdict.rule}` };
    case "failed":
      return { ...base, outcome: "failed", reason: verdict.reason };
    case "compliant":
    case "delivery-failing":
      return {
        ...base,
        outcome: verdict.kind,
        ...rule,
        flowLogIds: verdict.flowLogIds,
        reason: verdict.reason,
      };
    case "missing":
      return { ...base, ...rule, ...remedyOutcome(target, verdict, creations, write) };
  }
}

function remedyOutcome(
  target: ResourceRef,
  verdict: Extract<Verdict, { kind: "missing" }>,
  creations: ReadonlyMap<string, CreationResult>,
  write: boolean,
): Pick<Outcome, "outcome" | "flowLogIds" | "remedyOn" | "reason"> {
  const { remedy } = verdict;
  const onParent = remedy.resourceId !== target.id;
  const what = `${remedy.resourceType} flow log on ${remedy.resourceId} to ${describeDestination(remedy.settings.destination)}`;
  if (!write)
    return {
      outcome: "would-create",
      remedyOn: remedy.resourceId,
      reason: `${verdict.reason}; would create a ${what}`,
    };
  const result = creations.get(remedy.resourceId);
  if (result === undefined) return { outcome: "failed", reason: `no result for the ${what}` };
  switch (result.status) {
    case "created":
      return {
        outcome: "created",
        flowLogIds: [result.flowLogId],
        reason: onParent ? `covered by a new flow log on its VPC ${remedy.resourceId}` : `created a ${what}`,
      };
    case "already-exists":
      return { outcome: "compliant", reason: `FlowLogAlreadyExists: an identical ${what} exists` };
    case "not-found":
      return { outcome: "not-found", reason: result.reason };
    case "failed":
      return { outcome: "failed", reason: `creating a ${what} failed: ${result.reason}` };
  }
}

/**
 * The outcomes of a job whose account-region could not be reached (not allowed, role not assumable): one `failed`
 * row per requested resource, or one AccountRegion row for an account-region scope.
 */
export function unreachableOutcomes(
  target: AccountRegion,
  scope: EnforcementScope,
  reason: string,
): Outcome[] {
  const base = { accountId: target.accountId, region: target.region, outcome: "failed", reason } as const;
  if (scope.kind === "resources")
    return scope.resources.map((resource) => ({
      ...base,
      resourceType: resource.type,
      resourceId: resource.id,
    }));
  return [{ ...base, resourceType: "AccountRegion", resourceId: accountRegionKey(target) }];
}

/** The outcomes no verdict was reached for: what makes an invocation fail. */
export function failedOutcomes(report: Pick<EnforcementReport, "outcomes">): Outcome[] {
  return report.outcomes.filter((outcome) => outcome.outcome === "failed");
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
