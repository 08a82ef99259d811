// The one enforcement use case every trigger runs: read resources and flow logs, decide, create, delete, report.
import type { ExistingFlowLog } from "../domain/flow-logs.js";
import {
  type AccountRegion,
  accountRegionKey,
  type ResourceRef,
  type ResourceType,
  type Tags,
  type VpcId,
} from "../domain/resources.js";
import type { ExpiredExemption, PlacementFacts } from "../policy/resolve.js";
import { policyUsesTags, settingsKey } from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";
import { flowLogClientToken } from "./client-token.js";
import {
  type CoverageSnapshot,
  describeDestination,
  evaluateCoverage,
  type FlowLogFinding,
  type Remedy,
  type Verdict,
} from "./coverage.js";
import { prepareLogGroups } from "./log-groups.js";
import {
  type Clock,
  type CreationResult,
  type FlowLogPort,
  type LogGroupPort,
  SYSTEM_CLOCK,
} from "./ports.js";

export const OUTCOMES = [
  "created",
  "compliant",
  "delivery-failing",
  "unapproved",
  "exempt",
  "would-create",
  "not-found",
  "ignored",
  "failed",
] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

/** A flow log on the resource to a destination the policy does not approve, and what was done about it. */
export interface UnapprovedFlowLog {
  readonly flowLogId: string;
  readonly destination: string;
  /** reported: left in place (unapprovedFlowLogs: report, or see `reason`); would-delete: audit mode. */
  readonly action: "reported" | "deleted" | "would-delete";
  /** Why a flow log `delete` would remove is still there. */
  readonly reason?: string;
}

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
  /** The flow log enforcement creates, would create or failed to create (`VPC flow log on vpc-… to arn:…`). */
  readonly remedy?: string;
  /** Flow logs on the resource to unapproved destinations (approvedDestinations); outcome `unapproved` while any remains. */
  readonly unapprovedFlowLogs?: UnapprovedFlowLog[];
  /** replaceOutdated: flow logs the enforcer created that no longer satisfied the policy, deleted by this run. */
  readonly replacedFlowLogIds?: string[];
  /** replaceOutdated: such flow logs still there (audit mode, or no compliant flow log confirmed yet). */
  readonly outdatedFlowLogIds?: string[];
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
      /**
       * The resources were just created (a creation event names them): EC2 may not show them yet, so those it does
       * not show are read again for a bounded time before they are reported not-found.
       */
      readonly newlyCreated?: boolean;
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
  /** The deployment's destination guard (ALLOWED_DESTINATIONS patterns); undefined: none. */
  readonly allowedDestinations?: readonly string[] | undefined;
}

export interface EnforcementDeps {
  readonly policy: Policy;
  readonly ec2: FlowLogPort;
  /** CloudWatch Logs of the account-region, reached only when a remedy needs a log group prepared. */
  readonly logGroups?: () => Promise<LogGroupPort>;
  /** Waits between reads of resources not visible yet; the system clock unless a test passes its own. */
  readonly clock?: Clock;
  /** How long to wait for resources a creation event names (DEFAULT_NEW_RESOURCE_WAIT_MS unless set). */
  readonly newResourceWaitMs?: number;
}

/** How long a resource named by a creation event is waited for when EC2 does not show it yet. */
export const DEFAULT_NEW_RESOURCE_WAIT_MS = 20_000;
/** The most reads of resources EC2 does not show yet, whatever the clock says. */
const MAX_VISIBILITY_CHECKS = 8;
const FIRST_VISIBILITY_DELAY_MS = 500;
const MAX_VISIBILITY_DELAY_MS = 5_000;
/** Re-reads after creating, until the new flow logs show in DescribeFlowLogs, before anything is deleted. */
const CREATED_VISIBILITY_DELAYS_MS = [500, 1_000, 2_000] as const;

/**
 * Brings the requested resources to the policy.
 * 1. list the resources (account-region scope), or read the named ones by ID (existence, owner, VPC, tags), waiting
 *    a bounded time for those a creation event names that EC2 does not show yet
 * 2. read their flow logs (and, for tag rules, their VPCs' tags) in parallel with that
 * 3. decide each resource's verdict and unwanted flow logs (pure)
 * 4. prepare the log groups remedies send to (create a missing one, fix retention), then create the missing flow
 *    logs, grouped by identical settings, batched (enforce mode only)
 * 5. delete unapproved (unapprovedFlowLogs: delete) and outdated (replaceOutdated) flow logs, batched, once a
 *    compliant flow log is seen in DescribeFlowLogs (enforce mode only)
 * 6. return one outcome per resource
 */
export async function enforceCoverage(
  request: EnforcementRequest,
  deps: EnforcementDeps,
): Promise<EnforcementReport> {
  const { policy, ec2 } = deps;
  const facts = await gatherFacts(request.scope, deps);
  const snapshot: CoverageSnapshot = {
    placement: request.placement,
    allowedDestinations: request.allowedDestinations,
    ...facts,
  };
  const verdicts = evaluateCoverage(policy, facts.targets, snapshot);
  const mode = request.mode ?? policy.mode;
  const write = mode === "enforce";
  const ready = write ? await prepareLogGroups(verdicts, request.placement, deps.logGroups) : verdicts;
  const creations = write ? await createRemedies(ready, request.idempotencySeed, ec2) : new Map();
  const removals = await removeUnwantedFlowLogs(
    { targets: facts.targets, verdicts: ready, creations, snapshot, write, scope: request.scope.kind },
    deps,
  );
  return {
    mode,
    outcomes: [
      ...facts.targets.map((target) =>
        withRemoval(
          toOutcome(request.placement, target, ready.get(target.id), creations, write),
          removals.get(target.id),
        ),
      ),
      ...facts.notFound.map((resource) => notFoundOutcome(request.placement, resource, request.scope)),
    ],
  };
}

/** What the engine decides from: the targets (subnets linked to their VPCs), their tags, owners and flow logs. */
export interface CoverageFacts extends Omit<CoverageSnapshot, "placement"> {
  readonly targets: readonly ResourceRef[];
  /** Resources a `resources` scope named that EC2 does not show: reported not-found, nothing decided for them. */
  readonly notFound: readonly ResourceRef[];
}

/**
 * Reads what a decision needs, with as few calls as the scope allows. Exported so `flowlogs explain` decides from
 * exactly the facts enforcement would read.
 */
export async function gatherFacts(scope: EnforcementScope, deps: EnforcementDeps): Promise<CoverageFacts> {
  const { policy, ec2 } = deps;
  if (scope.kind === "account-region") {
    const types = scope.resourceTypes ?? policy.resourceTypes;
    // Listing the whole account-region returns tags and owners with the resources, and one unfiltered
    // DescribeFlowLogs (paginated) costs fewer calls than filtering by thousands of IDs.
    const [targets, flowLogs] = await Promise.all([ec2.listResources(types), ec2.describeFlowLogs("all")]);
    const vpcs = types.includes("VPC") ? [] : await listVpcsForInheritance(policy, ec2);
    const known = [...targets, ...vpcs];
    return { targets, tags: tagsOf(known), owners: ownersOf(known), flowLogs, notFound: [] };
  }
  if (scope.kind === "default-vpc") return gatherFacts(await defaultVpcScope(ec2), deps);
  return gatherNamedFacts(scope, deps);
}

/**
 * The resources a trigger names, read by ID (one Describe call per type: existence, owner, VPC and current tags at
 * once), and their flow logs and those of their VPCs, in parallel when every subnet's VPC is known up front.
 */
async function gatherNamedFacts(
  scope: Extract<EnforcementScope, { kind: "resources" }>,
  deps: EnforcementDeps,
): Promise<CoverageFacts> {
  const { policy, ec2 } = deps;
  const named = uniqueById(scope.resources);
  const listedSubnets = await newSubnetsOf(scope, policy, ec2);
  // Subnets inherit their VPC's tags: read the VPCs too, in the same round, when a rule matches on tags.
  const inheritTags = policyUsesTags(policy);
  const upFrontVpcs = inheritTags ? named.flatMap((ref) => (ref.type === "VPC" ? [] : vpcOf(ref))) : [];
  const linked = named.every((ref) => ref.type !== "Subnet" || ref.vpcId !== undefined);
  const firstRound = Promise.all([
    ec2.describeResources(unique([...named.map((ref) => ref.id), ...upFrontVpcs])),
    linked ? ec2.describeFlowLogs(flowLogScope([...named, ...listedSubnets])) : undefined,
  ]);
  const [described, earlyFlowLogs] = await firstRound;
  const late = scope.newlyCreated ? await awaitVisibility(missingFrom(named, described), deps) : [];
  const found = new Map([...described, ...late].map((ref) => [ref.id, ref]));

  const targets: ResourceRef[] = [];
  const notFound: ResourceRef[] = [];
  for (const ref of named) {
    const current = found.get(ref.id);
    const vpcId = current?.vpcId ?? ref.vpcId;
    if (current === undefined) notFound.push(ref);
    else targets.push(vpcId === undefined ? current : { ...current, vpcId });
  }
  targets.push(...listedSubnets);
  // A second round only when the first could not cover everything: a subnet's VPC learned just now, or a resource
  // that appeared while waiting (its flow logs, if someone created one meanwhile, were not read yet).
  const learnedVpcs = inheritTags ? unique(targets.flatMap(vpcOf)).filter((id) => !found.has(id)) : [];
  const [flowLogs, vpcs] = await Promise.all([
    targets.length === 0
      ? Promise.resolve(earlyFlowLogs ?? [])
      : earlyFlowLogs === undefined || late.length > 0
        ? ec2.describeFlowLogs(flowLogScope(targets))
        : Promise.resolve(earlyFlowLogs),
    learnedVpcs.length > 0 ? ec2.describeResources(learnedVpcs) : Promise.resolve([]),
  ]);
  const known = [...found.values(), ...vpcs, ...listedSubnets];
  return { targets, tags: tagsOf(known), owners: ownersOf(known), flowLogs, notFound };
}

/**
 * EC2 is eventually consistent: a resource a creation event names can be invisible to Describe calls for a few
 * seconds. Reads the missing ones again with doubling delays, bounded by `newResourceWaitMs` in all and by
 * MAX_VISIBILITY_CHECKS reads; resolves with those that appeared.
 */
async function awaitVisibility(missing: readonly string[], deps: EnforcementDeps): Promise<ResourceRef[]> {
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const budget = deps.newResourceWaitMs ?? DEFAULT_NEW_RESOURCE_WAIT_MS;
  const started = clock.now();
  const appeared: ResourceRef[] = [];
  let waiting = [...missing];
  let delay = FIRST_VISIBILITY_DELAY_MS;
  for (let check = 0; check < MAX_VISIBILITY_CHECKS && waiting.length > 0; check += 1) {
    const left = budget - (clock.now() - started);
    if (left <= 0) break;
    await clock.sleep(Math.min(delay, left));
    const seen = await deps.ec2.describeResources(waiting);
    appeared.push(...seen);
    waiting = waiting.filter((id) => !seen.some((ref) => ref.id === id));
    delay = Math.min(delay * 2, MAX_VISIBILITY_DELAY_MS);
  }
  return appeared;
}

function missingFrom(named: readonly ResourceRef[], described: readonly ResourceRef[]): string[] {
  const seen = new Set(described.map((ref) => ref.id));
  return named.filter((ref) => !seen.has(ref.id)).map((ref) => ref.id);
}

/** The IDs whose flow logs decide the resources' coverage: each resource and its VPC. */
function flowLogScope(resources: readonly ResourceRef[]): string[] {
  return unique(resources.flatMap((ref) => [ref.id, ...vpcOf(ref)]));
}

function vpcOf(ref: ResourceRef): string[] {
  return ref.vpcId === undefined ? [] : [ref.vpcId];
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
async function newSubnetsOf(
  scope: Extract<EnforcementScope, { kind: "resources" }>,
  policy: Policy,
  ec2: FlowLogPort,
): Promise<ResourceRef[]> {
  const vpcIds = scope.withSubnetsOf ?? [];
  if (vpcIds.length === 0 || policy.subnetCoverage !== "own" || !policy.resourceTypes.includes("Subnet"))
    return [];
  const named = new Set(scope.resources.map((ref) => ref.id));
  return (await ec2.listResources(["Subnet"], { vpcIds })).filter((ref) => !named.has(ref.id));
}

function tagsOf(resources: readonly ResourceRef[]): Map<string, Tags> {
  const tags = new Map<string, Tags>();
  for (const resource of resources) if (resource.tags) tags.set(resource.id, resource.tags);
  return tags;
}

function ownersOf(resources: readonly ResourceRef[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const resource of resources) if (resource.ownerId) owners.set(resource.id, resource.ownerId);
  return owners;
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

/** What became of one target's unapproved and outdated flow logs. */
interface Removal {
  readonly unapproved: UnapprovedFlowLog[];
  readonly replaced: string[];
  readonly outdated: string[];
  /** Deletions that failed, as `fl-…: reason`: they make the outcome `failed`. */
  readonly failures: string[];
}

interface RemovalRequest {
  readonly targets: readonly ResourceRef[];
  readonly verdicts: ReadonlyMap<string, Verdict>;
  readonly creations: ReadonlyMap<string, CreationResult>;
  readonly snapshot: CoverageSnapshot;
  readonly write: boolean;
  /** An account-region re-reads all its flow logs (paginated) rather than filtering by thousands of IDs. */
  readonly scope: EnforcementScope["kind"];
}

interface RemovalPlan {
  readonly target: ResourceRef;
  readonly verdict: Verdict;
  readonly unapproved: readonly FlowLogFinding[];
  readonly outdated: readonly FlowLogFinding[];
  /** The flow logs the policy wants deleted: outdated ones, and unapproved ones with unapprovedFlowLogs: delete. */
  readonly removable: ReadonlySet<string>;
  /** Why they must stay for now, if they must. */
  readonly kept?: string;
}

/**
 * Deletes what the policy wants gone, never leaving a resource without logging: a target's flow logs are deleted
 * only when, with every flow log this run would delete left out, its coverage is still `compliant` (or it is exempt)
 * as DescribeFlowLogs shows it — read again after this run created the covering flow log. Audit mode only plans.
 */
async function removeUnwantedFlowLogs(
  request: RemovalRequest,
  deps: EnforcementDeps,
): Promise<Map<string, Removal>> {
  const plans = removalPlans(request, deps.policy);
  const pending = plans.filter((plan) => plan.removable.size > 0 && plan.kept === undefined);
  if (!request.write || pending.length === 0)
    return new Map(plans.map((plan) => [plan.target.id, removalOf(plan, request.write, new Map())]));

  const confirmed = await confirmCoverage(pending, request, deps);
  const deletable = unique(confirmed.flatMap((plan) => [...plan.removable]));
  const results = deletable.length === 0 ? [] : await deps.ec2.deleteFlowLogs(deletable);
  const deletions = new Map(
    results.map((result) => [result.flowLogId, result.status === "deleted" ? undefined : result.reason]),
  );
  const unconfirmed = "kept: no compliant flow log covering the resource is seen in DescribeFlowLogs yet";
  return new Map(
    plans.map((plan) => {
      const waiting = plan.kept === undefined && plan.removable.size > 0 && !confirmed.includes(plan);
      return [plan.target.id, removalOf(waiting ? { ...plan, kept: unconfirmed } : plan, true, deletions)];
    }),
  );
}

function removalPlans(request: RemovalRequest, policy: Policy): RemovalPlan[] {
  return request.targets.flatMap((target): RemovalPlan[] => {
    const verdict = request.verdicts.get(target.id);
    const findings = verdict?.findings;
    if (verdict === undefined || findings === undefined) return [];
    const removable = new Set(
      [...(policy.unapprovedFlowLogs === "delete" ? findings.unapproved : []), ...findings.outdated].map(
        (finding) => finding.flowLogId,
      ),
    );
    const kept = keptReason(verdict, request.creations, request.write);
    return [
      {
        target,
        verdict,
        unapproved: findings.unapproved,
        outdated: findings.outdated,
        removable,
        ...(kept === undefined ? {} : { kept }),
      },
    ];
  });
}

/** Why a resource's unwanted flow logs cannot be deleted in this run, or undefined when they can once confirmed. */
function keptReason(
  verdict: Verdict,
  creations: ReadonlyMap<string, CreationResult>,
  write: boolean,
): string | undefined {
  switch (verdict.kind) {
    case "compliant":
    case "exempt":
      return undefined;
    case "missing": {
      if (!write) return undefined;
      const status = creations.get(verdict.remedy.resourceId)?.status;
      return status === "created" || status === "already-exists"
        ? undefined
        : "kept: the resource has no compliant flow log, and none could be created";
    }
    case "delivery-failing":
      return "kept: the flow log to the policy's destination is not delivering";
    case "ignored":
    case "failed":
      return "kept: no verdict on the resource's coverage";
  }
}

/**
 * The plans whose targets stay covered without any flow log this run deletes, judged by the one decision
 * (evaluateCoverage) on DescribeFlowLogs: read again for targets whose covering flow log this run created, until the
 * new flow logs show (a few bounded retries), since EC2 may not list them at once.
 */
async function confirmCoverage(
  pending: readonly RemovalPlan[],
  request: RemovalRequest,
  deps: EnforcementDeps,
): Promise<RemovalPlan[]> {
  const recreated = pending.filter((plan) => plan.verdict.kind === "missing");
  let flowLogs = request.snapshot.flowLogs;
  if (recreated.length > 0) {
    const ids = unique(
      recreated.flatMap((plan) => [
        plan.target.id,
        ...vpcOf(plan.target),
        ...(plan.verdict.kind === "missing" ? [plan.verdict.remedy.resourceId] : []),
      ]),
    );
    const expected = recreated.flatMap((plan) => {
      const result =
        plan.verdict.kind === "missing" ? request.creations.get(plan.verdict.remedy.resourceId) : undefined;
      return result?.status === "created" ? [result.flowLogId] : [];
    });
    const reread = new Set(ids);
    const fresh = await readUntilListed(request.scope === "account-region" ? "all" : ids, expected, deps);
    flowLogs =
      request.scope === "account-region"
        ? fresh
        : [...flowLogs.filter((log) => !reread.has(log.resourceId)), ...fresh];
  }
  const leaving = new Set(pending.flatMap((plan) => [...plan.removable]));
  const after = evaluateCoverage(
    deps.policy,
    pending.map((plan) => plan.target),
    { ...request.snapshot, flowLogs: flowLogs.filter((log) => !leaving.has(log.flowLogId)) },
  );
  return pending.filter((plan) => {
    const kind = after.get(plan.target.id)?.kind;
    return kind === "compliant" || kind === "exempt";
  });
}

async function readUntilListed(
  resourceIds: readonly string[] | "all",
  flowLogIds: readonly string[],
  deps: EnforcementDeps,
): Promise<ExistingFlowLog[]> {
  const clock = deps.clock ?? SYSTEM_CLOCK;
  let logs = await deps.ec2.describeFlowLogs(resourceIds);
  for (const delay of CREATED_VISIBILITY_DELAYS_MS) {
    const listed = new Set(logs.map((log) => log.flowLogId));
    if (flowLogIds.every((id) => listed.has(id))) break;
    await clock.sleep(delay);
    logs = await deps.ec2.describeFlowLogs(resourceIds);
  }
  return logs;
}

/** `deletions`: flow log ID → undefined when deleted, the reason when DeleteFlowLogs failed for it. */
function removalOf(
  plan: RemovalPlan,
  write: boolean,
  deletions: ReadonlyMap<string, string | undefined>,
): Removal {
  const deleted = (id: string) => deletions.has(id) && deletions.get(id) === undefined;
  const failure = (id: string) => deletions.get(id);
  const unapproved = plan.unapproved.map((finding): UnapprovedFlowLog => {
    const id = finding.flowLogId;
    if (deleted(id)) return { ...finding, action: "deleted" };
    if (!write && plan.removable.has(id) && plan.kept === undefined)
      return { ...finding, action: "would-delete" };
    const reason =
      failure(id) === undefined
        ? plan.removable.has(id)
          ? plan.kept
          : undefined
        : `DeleteFlowLogs failed: ${failure(id)}`;
    return { ...finding, action: "reported", ...(reason === undefined ? {} : { reason }) };
  });
  return {
    unapproved,
    replaced: plan.outdated
      .filter((finding) => deleted(finding.flowLogId))
      .map((finding) => finding.flowLogId),
    outdated: plan.outdated
      .filter((finding) => !deleted(finding.flowLogId))
      .map((finding) => finding.flowLogId),
    failures: [...plan.removable].flatMap((id) => {
      const reason = failure(id);
      return reason === undefined ? [] : [`${id}: ${reason}`];
    }),
  };
}

/**
 * The outcome with what became of the resource's unwanted flow logs. While an unapproved flow log remains the kind is
 * `unapproved` (its reason leads with them, then the coverage verdict); a deletion that failed makes it `failed`.
 */
function withRemoval(outcome: Outcome, removal: Removal | undefined): Outcome {
  if (removal === undefined) return outcome;
  const details: Partial<Outcome> = {
    ...(removal.unapproved.length === 0 ? {} : { unapprovedFlowLogs: removal.unapproved }),
    ...(removal.replaced.length === 0 ? {} : { replacedFlowLogIds: removal.replaced }),
    ...(removal.outdated.length === 0 ? {} : { outdatedFlowLogIds: removal.outdated }),
  };
  const notes: string[] = [];
  const deleted = removal.unapproved.filter((log) => log.action === "deleted");
  if (deleted.length > 0) notes.push(`deleted ${listFlowLogs(deleted, "unapproved")}`);
  if (removal.replaced.length > 0) notes.push(`replaced outdated ${removal.replaced.join(", ")}`);
  const base = [outcome.reason, ...notes].filter(Boolean).join("; ");
  if (outcome.outcome !== "failed" && removal.failures.length > 0)
    return {
      ...outcome,
      ...details,
      outcome: "failed",
      reason: `${base}; deleting failed: ${removal.failures.join("; ")}`,
    };
  const remaining = removal.unapproved.filter((log) => log.action !== "deleted");
  if (outcome.outcome === "failed" || remaining.length === 0) return { ...outcome, ...details, reason: base };
  const actions = remaining.map(
    (log) => `${log.flowLogId} to ${log.destination} (${log.reason ?? log.action})`,
  );
  return {
    ...outcome,
    ...details,
    outcome: "unapproved",
    reason: `${remaining.length} unapproved flow log${remaining.length === 1 ? "" : "s"}: ${actions.join(", ")}; ${outcome.outcome}: ${base}`,
  };
}

function listFlowLogs(logs: readonly UnapprovedFlowLog[], what: string): string {
  return `${what} ${logs.map((log) => `${log.flowLogId} (to ${log.destination})`).join(", ")}`;
}

function notFoundOutcome(placement: PlacementFacts, resource: ResourceRef, scope: EnforcementScope): Outcome {
  const waited = scope.kind === "resources" && scope.newlyCreated === true;
  return {
    accountId: placement.accountId,
    region: placement.region,
    resourceType: resource.type,
    resourceId: resource.id,
    outcome: "not-found",
    reason: `${resource.type} ${resource.id} does not exist in account ${placement.accountId}, ${placement.region}${waited ? " (EC2 did not show it while the enforcer waited for it: deleted right after creation?)" : ""}`,
  };
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
      return { ...base, outcome: "exempt", rule: verdict.rule, reason: exemptionReason(verdict) };
    case "failed":
      return { ...base, outcome: "failed", reason: verdict.reason };
    case "compliant":
    case "delivery-failing":
      return {
        ...base,
        outcome: verdict.kind,
        ...rule,
        flowLogIds: verdict.flowLogIds,
        reason: withExpiredExemption(verdict.reason, verdict),
      };
    case "missing": {
      const remedied = remedyOutcome(target, verdict, creations, write);
      return {
        ...base,
        ...rule,
        ...remedied,
        reason: withExpiredExemption(remedied.reason ?? "", verdict),
      };
    }
  }
}

/** `exempt by rule sandboxes: <its reason> (until 2026-12-31)`, as much of it as the rule states. */
function exemptionReason(verdict: Extract<Verdict, { kind: "exempt" }>): string {
  const why = verdict.reason === undefined ? "" : `: ${verdict.reason}`;
  const until = verdict.expires === undefined ? "" : ` (until ${verdict.expires})`;
  return `exempt by rule ${verdict.rule}${why}${until}`;
}

/** A resource an expired exemption would have covered says so, wherever its outcome is read. */
function withExpiredExemption(
  reason: string,
  verdict: { readonly expiredExemption?: ExpiredExemption | undefined },
): string {
  const expired = verdict.expiredExemption;
  return expired === undefined
    ? reason
    : `${reason}; the exemption by rule ${expired.rule} expired on ${expired.expires}`;
}

function remedyOutcome(
  target: ResourceRef,
  verdict: Extract<Verdict, { kind: "missing" }>,
  creations: ReadonlyMap<string, CreationResult>,
  write: boolean,
): Pick<Outcome, "outcome" | "flowLogIds" | "reason" | "remedy" | "remedyOn"> {
  const { remedy } = verdict;
  const onParent = remedy.resourceId !== target.id;
  const what = `${remedy.resourceType} flow log on ${remedy.resourceId} to ${describeDestination(remedy.settings.destination)}`;
  if (!write)
    return {
      outcome: "would-create",
      reason: `${verdict.reason}; would create a ${what}`,
      remedy: what,
      remedyOn: remedy.resourceId,
    };
  const result = creations.get(remedy.resourceId);
  if (result === undefined) return { outcome: "failed", reason: `no result for the ${what}` };
  switch (result.status) {
    case "created":
      return {
        outcome: "created",
        flowLogIds: [result.flowLogId],
        remedy: what,
        reason: onParent ? `covered by a new flow log on its VPC ${remedy.resourceId}` : `created a ${what}`,
      };
    case "already-exists":
      return { outcome: "compliant", reason: `FlowLogAlreadyExists: an identical ${what} exists` };
    case "not-found":
      return { outcome: "not-found", reason: result.reason };
    case "failed":
      return { outcome: "failed", reason: `creating a ${what} failed: ${result.reason}`, remedy: what };
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

function uniqueById(resources: readonly ResourceRef[]): ResourceRef[] {
  return [...new Map(resources.map((resource) => [resource.id, resource])).values()];
}
