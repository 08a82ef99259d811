// Pure decision: (resources, their tags, existing flow logs, policy) → per-resource verdict and the flow log to create.
// No SDK import here: the same verdicts serve the EventBridge handler, the Config rule, the sweep and the CLI.
import type { ExistingFlowLog, FlowLogSettings, ResolvedDestination } from "../domain/flow-logs.js";
import { DEFAULT_LOG_FORMAT } from "../domain/flow-logs.js";
import type { ResourceRef, ResourceType, Tags } from "../domain/resources.js";
import { errorSummary } from "../errors.js";
import { destinationArn, destinationMatcher } from "../policy/destination-patterns.js";
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

/** What a verdict on an enforced resource may add: the exemption that no longer holds for it. */
interface Enforced {
  readonly rule?: string;
  readonly expiredExemption?: ExpiredExemption;
}

export type Verdict =
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "exempt"; readonly rule: string; readonly reason?: string; readonly expires?: string }
  | (Enforced & { readonly kind: "compliant"; readonly flowLogIds: string[]; readonly reason: string })
  | (Enforced & { readonly kind: "delivery-failing"; readonly flowLogIds: string[]; readonly reason: string })
  | (Enforced & { readonly kind: "missing"; readonly reason: string; readonly remedy: Remedy })
  | { readonly kind: "failed"; readonly reason: string };

export interface CoverageSnapshot {
  readonly placement: PlacementFacts;
  /** Own tags per resource ID (targets and their VPCs); empty when the policy does not match on tags. */
  readonly tags: ReadonlyMap<string, Tags>;
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

/** Decides coverage for each target. Never throws for one resource: its verdict is `failed` instead. */
export function evaluateCoverage(
  policy: Policy,
  targets: readonly ResourceRef[],
  snapshot: CoverageSnapshot,
): Map<string, Verdict> {
  const flowLogsByResource = groupBy(snapshot.flowLogs, (log) => log.resourceId);
  const guard = destinationGuard(snapshot);
  const verdicts = new Map<string, Verdict>();
  for (const target of targets) {
    try {
      verdicts.set(target.id, decide(policy, target, snapshot, flowLogsByResource, guard));
    } catch (error) {
      verdicts.set(target.id, { kind: "failed", reason: errorSummary(error) });
    }
  }
  return verdicts;
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

function decide(
  policy: Policy,
  target: ResourceRef,
  snapshot: CoverageSnapshot,
  flowLogsByResource: ReadonlyMap<string, ExistingFlowLog[]>,
  outsideGuard: DestinationGuard,
): Verdict {
  const tagsOf = (id: string | undefined) => (id === undefined ? undefined : snapshot.tags.get(id));
  const ownTags = target.tags ?? tagsOf(target.id) ?? {};
  const tags = target.type === "VPC" ? ownTags : effectiveTags(ownTags, tagsOf(target.vpcId));
  const resolution = resolveFlowLogSettings(policy, { ...target, tags }, snapshot.placement);
  if (resolution.kind === "out-of-scope") return { kind: "ignored", reason: resolution.reason };
  if (resolution.kind === "exempt") {
    const { kind: _, ...exemption } = resolution;
    return { kind: "exempt", ...exemption };
  }

  // The policy cannot widen the deploy-time guard: a destination outside it is never judged, let alone written.
  const refused = outsideGuard(resolution.settings);
  if (refused !== undefined) return { kind: "failed", reason: refused };

  const rule = {
    ...(resolution.rule === undefined ? {} : { rule: resolution.rule }),
    ...(resolution.expiredExemption === undefined ? {} : { expiredExemption: resolution.expiredExemption }),
  };
  const own = evaluateFlowLogs(
    flowLogsByResource.get(target.id) ?? [],
    resolution.settings,
    policy.compliance,
  );
  if (own.kind === "compliant")
    return { kind: "compliant", ...rule, flowLogIds: own.flowLogIds, reason: "has a compliant flow log" };

  const remedyOnResource: Remedy = {
    resourceType: target.type,
    resourceId: target.id,
    settings: resolution.settings,
  };
  if (target.type !== "Subnet" || policy.subnetCoverage === "own" || target.vpcId === undefined) {
    return verdictFrom(own, rule, remedyOnResource);
  }

  // subnetCoverage: vpc — the VPC's flow log covers the subnet when it satisfies either the subnet's settings
  // or the VPC's own (a VPC-only rule may send the VPC elsewhere; that still covers its subnets).
  const vpcId = target.vpcId;
  const vpcResolution: Resolution = resolveFlowLogSettings(
    policy,
    { type: "VPC", id: vpcId, tags: tagsOf(vpcId) ?? {} },
    snapshot.placement,
  );
  const vpcLogs = flowLogsByResource.get(vpcId) ?? [];
  const viaVpc = [evaluateFlowLogs(vpcLogs, resolution.settings, policy.compliance)];
  if (vpcResolution.kind === "enforce")
    viaVpc.push(evaluateFlowLogs(vpcLogs, vpcResolution.settings, policy.compliance));
  const coveredViaVpc = viaVpc.find((evaluation) => evaluation.kind === "compliant");
  if (coveredViaVpc?.kind === "compliant")
    return {
      kind: "compliant",
      ...rule,
      flowLogIds: coveredViaVpc.flowLogIds,
      reason: `covered by its VPC ${vpcId}`,
    };

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
    ? verdict
    : { kind: "failed", reason: `its VPC ${vpcId}: ${refusedRemedy}` };
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

/** Whether any of a resource's flow logs satisfies the settings at the policy's compliance level. */
export function evaluateFlowLogs(
  logs: readonly ExistingFlowLog[],
  settings: FlowLogSettings,
  level: Policy["compliance"],
): FlowLogEvaluation {
  const active = logs.filter((log) => log.status === "ACTIVE");
  const matching = active.filter((log) => flowLogMismatch(log, settings, level) === undefined);
  const delivering = matching.filter((log) => log.deliverLogsStatus !== "FAILED");
  if (delivering.length > 0) return { kind: "compliant", flowLogIds: delivering.map((log) => log.flowLogId) };
  if (matching.length > 0) {
    const message =
      matching.map((log) => log.deliverLogsErrorMessage).find(Boolean) ?? "DeliverLogsStatus FAILED";
    return { kind: "delivery-failing", flowLogIds: matching.map((log) => log.flowLogId), message };
  }
  return { kind: "missing", reason: missingReason(logs, active, settings, level) };
}

function missingReason(
  all: readonly ExistingFlowLog[],
  active: readonly ExistingFlowLog[],
  settings: FlowLogSettings,
  level: Policy["compliance"],
): string {
  const wanted =
    level === "any"
      ? "no ACTIVE flow log"
      : `no ACTIVE flow log to ${describeDestination(settings.destination)}`;
  if (all.length === 0) return `${wanted}; found none`;
  const mismatches = new Map<string, number>();
  for (const log of active) {
    const mismatch = flowLogMismatch(log, settings, level) ?? "other settings";
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
  level: Policy["compliance"],
): string | undefined {
  if (level === "any") return undefined;
  if (log.destinationType !== settings.destination.type)
    return `to another destination type (${log.destinationType})`;
  if (!sameDestination(log, settings.destination)) return "to another destination";
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
  const wanted = settings.destinationOptions;
  const actual = log.destinationOptions ?? {};
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

function sameDestination(log: ExistingFlowLog, wanted: ResolvedDestination): boolean {
  if (wanted.type === "cloud-watch-logs") {
    const actualName = log.logGroupName || logGroupNameOf(log.logDestination);
    const wantedName = wanted.logGroupName ?? logGroupNameOf(wanted.arn);
    return actualName !== undefined && actualName === wantedName;
  }
  return (
    log.logDestination !== undefined && normalizeArn(log.logDestination) === normalizeArn(wanted.arn ?? "")
  );
}

/** `arn:aws:s3:::bucket/prefix/` and `…/prefix` name the same place. */
function normalizeArn(arn: string): string {
  return arn.replace(/\/+$/, "");
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
