// Pure decision: (resources, their tags and owners, existing flow logs, policy) → per-resource verdict, the flow log
// to create, and the flow logs that should not be there (unapproved destinations, outdated ones the enforcer made).
// No SDK import here: the same verdicts serve the EventBridge handler, the Config rule, the sweep and the CLI.
import type { ExistingFlowLog, FlowLogSettings, ResolvedDestination } from "../domain/flow-logs.js";
import { DEFAULT_LOG_FORMAT, isDeliveryFailing, isEnforcerCreated } from "../domain/flow-logs.js";
import type { ResourceRef, ResourceType, Tags } from "../domain/resources.js";
import { errorSummary } from "../errors.js";
import { destinationArn, destinationMatcher, flowLogDestinationArn } from "../policy/destination-patterns.js";
import {
  type ExpiredExemption,
  effectiveTags,
  normalizeLogFormat,
  type PlacementFacts,
  type Resolution,
  resolveFlowLogSettings,
} from "../policy/resolve.js";
import type { Policy } from "../policy/schema.js";

/** The flow log that would make a resource compliant: on the resource itself or, for a subnet, on its VPC. */
export interface Remedy {
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly settings: FlowLogSettings;
}

/** A flow log on the resource, named with the comparable destination ARN it delivers to. */
export interface FlowLogFinding {
  readonly flowLogId: string;
  readonly destination: string;
}

/** Flow logs on the resource itself that should not be there. */
export interface FlowLogFindings {
  /** Their destination is neither the policy's for this resource nor one approvedDestinations allows. */
  readonly unapproved: readonly FlowLogFinding[];
  /** replaceOutdated: the enforcer created them and they no longer satisfy the policy for this resource. */
  readonly outdated: readonly FlowLogFinding[];
}

/** What a verdict on an enforced resource may add: the exemption that no longer holds for it. */
interface Enforced {
  readonly rule?: string;
  readonly expiredExemption?: ExpiredExemption;
}

export type Verdict = (
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "exempt"; readonly rule: string; readonly reason?: string; readonly expires?: string }
  | (Enforced & { readonly kind: "compliant"; readonly flowLogIds: string[]; readonly reason: string })
  | (Enforced & { readonly kind: "delivery-failing"; readonly flowLogIds: string[]; readonly reason: string })
  | (Enforced & { readonly kind: "missing"; readonly reason: string; readonly remedy: Remedy })
  | { readonly kind: "failed"; readonly reason: string }
) & {
  /** Present when some flow log on the resource is unapproved or outdated. */
  readonly findings?: FlowLogFindings;
};

export interface CoverageSnapshot {
  readonly placement: PlacementFacts;
  /** Own tags per resource ID (targets and their VPCs); empty when the policy does not match on tags. */
  readonly tags: ReadonlyMap<string, Tags>;
  /** Owner account per resource ID when EC2 reported it (targets and, when read, their VPCs). */
  readonly owners?: ReadonlyMap<string, string>;
  /** Every flow log on the targets and on their VPCs. */
  readonly flowLogs: readonly ExistingFlowLog[];
  /**
   * The deployment's guard (ALLOWED_DESTINATIONS): a resource whose policy destination falls outside these patterns
   * is `failed`, never written. Undefined: no guard.
   */
  readonly allowedDestinations?: readonly string[] | undefined;
}

type FlowLogEvaluation =
  | { readonly kind: "compliant"; readonly flowLogIds: string[] }
  | { readonly kind: "delivery-failing"; readonly flowLogIds: string[]; readonly message: string }
  | { readonly kind: "missing"; readonly reason: string };

/** How flow logs are judged: the policy's compliance level, and the account-region a log group name lives in. */
interface Judging {
  readonly level: Policy["compliance"];
  readonly where: PlacementFacts;
}

/** Whether a flow log's destination is allowed: true for every flow log when the policy lists no approvedDestinations. */
type Approval = (log: ExistingFlowLog, resolved: readonly ResolvedDestination[]) => boolean;

/** Decides coverage for each target. Never throws for one resource: its verdict is `failed` instead. */
export function evaluateCoverage(
  policy: Policy,
  targets: readonly ResourceRef[],
  snapshot: CoverageSnapshot,
): Map<string, Verdict> {
  const flowLogsByResource = groupBy(snapshot.flowLogs, (log) => log.resourceId);
  const approval = approvalOf(policy, snapshot.placement);
  const guard = destinationGuard(snapshot);
  const verdicts = new Map<string, Verdict>();
  for (const target of targets) {
    try {
      verdicts.set(
        target.id,
        decide(policy, target, snapshot, flowLogsByResource, { approved: approval, outsideGuard: guard }),
      );
    } catch (error) {
      verdicts.set(target.id, { kind: "failed", reason: errorSummary(error) });
    }
  }
  return verdicts;
}

/**
 * approvedDestinations, compiled once per account-region: a flow log is approved when it goes to one of the
 * destinations the policy resolves for its resource or to one a pattern matches (destination-patterns.ts decides
 * both comparisons).
 */
function approvalOf(policy: Policy, placement: PlacementFacts): Approval {
  if (policy.approvedDestinations === undefined) return () => true;
  const matches = destinationMatcher(policy.approvedDestinations, placement);
  return (log, resolved) => {
    const arn = flowLogDestinationArn(log, placement);
    if (arn === undefined) return false;
    return resolved.some((destination) => destinationArn(destination, placement) === arn) || matches(arn);
  };
}

/** Why settings may not be written under the guard (a reason naming it), or undefined when they may. */
type DestinationGuard = (settings: FlowLogSettings) => string | undefined;

function destinationGuard({ allowedDestinations, placement }: CoverageSnapshot): DestinationGuard {
  if (allowedDestinations === undefined) return () => undefined;
  const allowed = destinationMatcher(allowedDestinations, placement);
  return ({ destination }) => {
    const arn = destinationArn(destination, placement);
    if (arn !== undefined && allowed(arn)) return undefined;
    return `destination ${arn ?? describeDestination(destination)} is outside ALLOWED_DESTINATIONS (${allowedDestinations.join(", ")}); the deployment's guard allows no flow log to it`;
  };
}

/** The destination limits a decision applies: the policy's approvedDestinations and the deployment's guard. */
interface DestinationLimits {
  readonly approved: Approval;
  readonly outsideGuard: DestinationGuard;
}

function decide(
  policy: Policy,
  target: ResourceRef,
  snapshot: CoverageSnapshot,
  flowLogsByResource: ReadonlyMap<string, ExistingFlowLog[]>,
  { approved, outsideGuard }: DestinationLimits,
): Verdict {
  const tagsOf = (id: string | undefined) => (id === undefined ? undefined : snapshot.tags.get(id));
  const ownTags = target.tags ?? tagsOf(target.id) ?? {};
  const tags = target.type === "VPC" ? ownTags : effectiveTags(ownTags, tagsOf(target.vpcId));
  if (policy.resourceTypes.includes(target.type)) {
    const foreign = foreignOwner(target, snapshot);
    if (foreign !== undefined) return { kind: "ignored", reason: foreign };
  }
  const resolution = resolveFlowLogSettings(policy, { ...target, tags }, snapshot.placement);
  if (resolution.kind === "out-of-scope") return { kind: "ignored", reason: resolution.reason };
  const ownLogs = flowLogsByResource.get(target.id) ?? [];
  if (resolution.kind === "exempt") {
    const { kind: _, ...exemption } = resolution;
    return withFindings(
      { kind: "exempt", ...exemption },
      findingsOf(policy, ownLogs, [], undefined, approved, snapshot),
    );
  }

  // The policy cannot widen the deploy-time guard: a destination outside it is never judged, let alone written.
  const refused = outsideGuard(resolution.settings);
  if (refused !== undefined) return { kind: "failed", reason: refused };

  const rule: Enforced = {
    ...(resolution.rule === undefined ? {} : { rule: resolution.rule }),
    ...(resolution.expiredExemption === undefined ? {} : { expiredExemption: resolution.expiredExemption }),
  };
  const { settings } = resolution;
  const judging: Judging = { level: policy.compliance, where: snapshot.placement };
  const findings = findingsOf(policy, ownLogs, [settings.destination], settings, approved, snapshot);
  const ownApproved = (log: ExistingFlowLog) => approved(log, [settings.destination]);
  const own = evaluateFlowLogs(ownLogs, settings, judging, ownApproved);
  if (own.kind === "compliant")
    return withFindings(
      { kind: "compliant", ...rule, flowLogIds: own.flowLogIds, reason: "has a compliant flow log" },
      findings,
    );

  const remedyOnResource: Remedy = { resourceType: target.type, resourceId: target.id, settings };
  if (target.type !== "Subnet" || policy.subnetCoverage === "own" || target.vpcId === undefined) {
    return withFindings(verdictFrom(own, rule, remedyOnResource), findings);
  }

  // subnetCoverage: vpc — the VPC's flow log covers the subnet when it satisfies either the subnet's settings
  // or the VPC's own (a VPC-only rule may send the VPC elsewhere; that still covers its subnets).
  const vpcId = target.vpcId;
  const vpcResolution: Resolution = resolveFlowLogSettings(
    policy,
    { type: "VPC", id: vpcId, tags: tagsOf(vpcId) ?? {} },
    snapshot.placement,
  );
  const vpcDestinations =
    vpcResolution.kind === "enforce"
      ? [settings.destination, vpcResolution.settings.destination]
      : [settings.destination];
  const vpcApproved = (log: ExistingFlowLog) => approved(log, vpcDestinations);
  const vpcLogs = flowLogsByResource.get(vpcId) ?? [];
  const viaVpc = [evaluateFlowLogs(vpcLogs, settings, judging, vpcApproved)];
  if (vpcResolution.kind === "enforce")
    viaVpc.push(evaluateFlowLogs(vpcLogs, vpcResolution.settings, judging, vpcApproved));
  const coveredViaVpc = viaVpc.find((evaluation) => evaluation.kind === "compliant");
  if (coveredViaVpc?.kind === "compliant")
    return withFindings(
      {
        kind: "compliant",
        ...rule,
        flowLogIds: coveredViaVpc.flowLogIds,
        reason: `covered by its VPC ${vpcId}`,
      },
      findings,
    );

  // Remediating the VPC covers this subnet and its siblings with one flow log instead of one per subnet.
  const remedy: Remedy =
    vpcResolution.kind === "enforce"
      ? { resourceType: "VPC", resourceId: vpcId, settings: vpcResolution.settings }
      : remedyOnResource;
  const failing = [own, ...viaVpc].find((evaluation) => evaluation.kind === "delivery-failing");
  const verdict = verdictFrom(failing ?? own, rule, remedy);
  // The VPC's own rule may send its flow log elsewhere than the subnet's: that remedy is guarded too.
  const refusedRemedy = verdict.kind === "missing" ? outsideGuard(remedy.settings) : undefined;
  return refusedRemedy === undefined
    ? withFindings(verdict, findings)
    : { kind: "failed", reason: `its VPC ${vpcId}: ${refusedRemedy}` };
}

/**
 * Why a resource belongs to another account (a VPC or subnet shared with this one through AWS RAM), or undefined.
 * Only the owner can create or see its flow logs, so it is enforced from the owner's account. A subnet follows its
 * VPC's owner too, when known.
 */
function foreignOwner(target: ResourceRef, snapshot: CoverageSnapshot): string | undefined {
  const { accountId } = snapshot.placement;
  const owner = target.ownerId ?? snapshot.owners?.get(target.id);
  const shared =
    "shared with this account; only the owner can create or see its flow logs, so it is enforced there";
  if (owner !== undefined && owner !== accountId) return `owned by account ${owner}: ${shared}`;
  if (target.type !== "Subnet" || target.vpcId === undefined) return undefined;
  const vpcOwner = snapshot.owners?.get(target.vpcId);
  if (vpcOwner !== undefined && vpcOwner !== accountId)
    return `in VPC ${target.vpcId} owned by account ${vpcOwner}: ${shared}`;
  return undefined;
}

/** The unapproved and (replaceOutdated) outdated flow logs on the resource itself; undefined when there are none. */
function findingsOf(
  policy: Policy,
  ownLogs: readonly ExistingFlowLog[],
  resolved: readonly ResolvedDestination[],
  settings: FlowLogSettings | undefined,
  approved: Approval,
  snapshot: CoverageSnapshot,
): FlowLogFindings | undefined {
  const finding = (log: ExistingFlowLog): FlowLogFinding => ({
    flowLogId: log.flowLogId,
    destination:
      flowLogDestinationArn(log, snapshot.placement) ??
      `(no destination reported, type ${log.destinationType})`,
  });
  const unapproved = ownLogs.filter((log) => !approved(log, resolved)).map(finding);
  const outdated =
    policy.replaceOutdated && settings !== undefined
      ? ownLogs
          .filter(
            (log) =>
              isEnforcerCreated(log) &&
              flowLogMismatch(log, settings, { level: policy.compliance, where: snapshot.placement }) !==
                undefined,
          )
          .map(finding)
      : [];
  return unapproved.length === 0 && outdated.length === 0 ? undefined : { unapproved, outdated };
}

function withFindings(verdict: Verdict, findings: FlowLogFindings | undefined): Verdict {
  return findings === undefined ? verdict : { ...verdict, findings };
}

function verdictFrom(evaluation: FlowLogEvaluation, rule: Enforced, remedy: Remedy): Verdict {
  switch (evaluation.kind) {
    case "compliant":
      return {
        kind: "compliant",
        ...rule,
        flowLogIds: evaluation.flowLogIds,
        reason: "has a compliant flow log",
      };
    case "delivery-failing":
      return {
        kind: "delivery-failing",
        ...rule,
        flowLogIds: evaluation.flowLogIds,
        reason: `flow log delivery is failing: ${evaluation.message}`,
      };
    case "missing":
      return { kind: "missing", ...rule, reason: evaluation.reason, remedy };
  }
}

/**
 * Whether any of a resource's flow logs satisfies the settings at the policy's compliance level. A flow log to an
 * unapproved destination never does, whatever the level: it is what the policy wants gone, not coverage.
 */
export function evaluateFlowLogs(
  logs: readonly ExistingFlowLog[],
  settings: FlowLogSettings,
  judging: Judging,
  approved: (log: ExistingFlowLog) => boolean = () => true,
): FlowLogEvaluation {
  const active = logs.filter((log) => log.status === "ACTIVE");
  const matching = active.filter(
    (log) => flowLogMismatch(log, settings, judging) === undefined && approved(log),
  );
  const delivering = matching.filter((log) => !isDeliveryFailing(log));
  if (delivering.length > 0) return { kind: "compliant", flowLogIds: delivering.map((log) => log.flowLogId) };
  if (matching.length > 0) {
    const message =
      matching.map((log) => log.deliverLogsErrorMessage).find(Boolean) ?? "DeliverLogsStatus FAILED";
    return { kind: "delivery-failing", flowLogIds: matching.map((log) => log.flowLogId), message };
  }
  return { kind: "missing", reason: missingReason(logs, active, settings, judging, approved) };
}

function missingReason(
  all: readonly ExistingFlowLog[],
  active: readonly ExistingFlowLog[],
  settings: FlowLogSettings,
  judging: Judging,
  approved: (log: ExistingFlowLog) => boolean,
): string {
  const wanted =
    judging.level === "any"
      ? "no ACTIVE flow log"
      : `no ACTIVE flow log to ${describeDestination(settings.destination)}`;
  if (all.length === 0) return `${wanted}; found none`;
  const mismatches = new Map<string, number>();
  for (const log of active) {
    const mismatch =
      flowLogMismatch(log, settings, judging) ??
      (approved(log) ? "other settings" : "to an unapproved destination");
    mismatches.set(mismatch, (mismatches.get(mismatch) ?? 0) + 1);
  }
  const inactive = all.length - active.length;
  if (inactive > 0) mismatches.set("not ACTIVE", inactive);
  const found = [...mismatches].map(([what, count]) => `${count} ${what}`).join(", ");
  return `${wanted}; found ${found}`;
}

/** Why a flow log does not satisfy the settings (a short phrase), or undefined when it does. */
export function flowLogMismatch(
  log: ExistingFlowLog,
  settings: FlowLogSettings,
  { level, where }: Judging,
): string | undefined {
  if (level === "any") return undefined;
  if (log.destinationType !== settings.destination.type)
    return `to another destination type (${log.destinationType})`;
  // destination-patterns.ts decides "same place" for every destination comparison: trailing slashes, `:*`, and a
  // log group named by name or by ARN.
  const destination = flowLogDestinationArn(log, where);
  if (destination === undefined || destination !== destinationArn(settings.destination, where))
    return "to another destination";
  if (!trafficCovers(log.trafficType, settings.trafficType))
    return `with traffic type ${log.trafficType ?? "unknown"}`;
  if (level === "destination") return undefined;
  if (
    normalizeLogFormat(log.logFormat ?? DEFAULT_LOG_FORMAT) !==
    normalizeLogFormat(settings.logFormat ?? DEFAULT_LOG_FORMAT)
  )
    return "with another log format";
  if ((log.maxAggregationInterval ?? 600) !== settings.maxAggregationInterval)
    return "with another aggregation interval";
  // Real EC2 returns DestinationOptions for every S3 flow log (defaults included); a response without them (moto)
  // says nothing about the options, so they cannot differ. Treating absence as "plain-text, no partitions" made an
  // audit call a Parquet flow log non-compliant that enforcement, refused with FlowLogAlreadyExists, called compliant.
  const wanted = settings.destinationOptions;
  const actual = log.destinationOptions;
  if (actual === undefined) return undefined;
  if (
    (actual.fileFormat ?? "plain-text") !== (wanted?.fileFormat ?? "plain-text") ||
    (actual.hiveCompatiblePartitions ?? false) !== (wanted?.hiveCompatiblePartitions ?? false) ||
    (actual.perHourPartition ?? false) !== (wanted?.perHourPartition ?? false)
  )
    return "with other destination options";
  return undefined;
}

/** ALL covers ACCEPT and REJECT; otherwise the types must be equal. */
export function trafficCovers(actual: string | undefined, wanted: string): boolean {
  return actual === "ALL" || actual === wanted;
}

/** The log group name inside `arn:…:logs:region:account:log-group:NAME[:*]`. */
export function logGroupNameOf(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const match = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(arn);
  return match?.[1];
}

export function describeDestination(destination: ResolvedDestination): string {
  if (destination.type === "cloud-watch-logs")
    return `log group ${destination.logGroupName ?? logGroupNameOf(destination.arn) ?? destination.arn}`;
  return destination.arn ?? destination.type;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
