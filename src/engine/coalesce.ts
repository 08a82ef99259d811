// Coalescing the event queue's batches: which evaluations a batch of CloudTrail events (and re-check messages) needs,
// and whether a burst of DeleteFlowLogs that crosses batches needs another one. Pure decisions; no AWS calls.
import type { AccountRegion, ResourceRef, VpcId } from "../domain/resources.js";
import type { EnforcementScope } from "./enforce.js";

/** One record of a batch, once parsed: what it asks to enforce, where, and when the call it reports happened. */
export interface QueuedRequest {
  readonly recordId: string;
  readonly target: AccountRegion;
  /** The CloudTrail event's id, or the re-check's own id; seeds the ClientToken. */
  readonly eventId: string;
  readonly scope: EnforcementScope;
  /** When the reported call happened (CloudTrail eventTime), in epoch ms; unknown for a re-check. */
  readonly happenedAtMs?: number | undefined;
  /** A deferred re-evaluation this function scheduled itself (see tamperWindowDecision): evaluated unconditionally. */
  readonly recheck?: boolean;
}

/**
 * One evaluation the batch needs, and the records it answers for (they succeed or fail with it).
 * - `tamper`: an account-region evaluation because flow logs were deleted; subject to the cross-batch window.
 * - `recheck`: an account-region evaluation this function deferred to the end of a window; always runs.
 * - `resources`: the resources creation and tag events named, evaluated together.
 */
export interface PlannedEvaluation {
  readonly reason: "tamper" | "recheck" | "resources";
  readonly target: AccountRegion;
  readonly scope: EnforcementScope;
  readonly recordIds: readonly string[];
  /** Every event the evaluation answers for, sorted: their ids together seed the ClientToken. */
  readonly eventIds: readonly string[];
  /**
   * The latest moment an event it answers for happened (tamper only): deletions, and the creations and tag changes it
   * covers too; undefined when some event has no time.
   */
  readonly latestEventAtMs?: number | undefined;
}

/**
 * Groups a batch by account-region. Within one:
 * - any request for the whole account-region (a DeleteFlowLogs, a re-check) makes one account-region evaluation,
 *   which covers every other request of the group too: it lists every in-scope resource with current tags;
 * - otherwise the named resources of every request are evaluated together (one batched describe and create);
 *   a record-less default-VPC request stays an evaluation of its own, once per account-region.
 */
export function planEvaluations(requests: readonly QueuedRequest[]): PlannedEvaluation[] {
  const groups = new Map<string, QueuedRequest[]>();
  for (const request of requests) {
    const key = `${request.target.accountId}/${request.target.region}`;
    groups.set(key, [...(groups.get(key) ?? []), request]);
  }
  return [...groups.values()].flatMap(planGroup);
}

function planGroup(group: readonly QueuedRequest[]): PlannedEvaluation[] {
  const [first] = group;
  if (first === undefined) return [];
  const target = first.target;
  const whole = group.filter((request) => request.scope.kind === "account-region");
  if (whole.length > 0) {
    const recheck = whole.some((request) => request.recheck === true);
    // Every record the evaluation answers for counts, creation events too: an earlier evaluation that started before
    // a VPC was created did not see it, whatever it saw of the deletions.
    const eventTimes = group.flatMap((request) =>
      request.happenedAtMs === undefined ? [] : [request.happenedAtMs],
    );
    return [
      {
        reason: recheck ? "recheck" : "tamper",
        target,
        scope: { kind: "account-region" },
        ...answering(group),
        // An event without a time could have happened at any moment: the window cannot vouch for it.
        latestEventAtMs: !recheck && eventTimes.length === group.length ? Math.max(...eventTimes) : undefined,
      },
    ];
  }
  const defaults = group.filter((request) => request.scope.kind === "default-vpc");
  const named = group.filter((request) => request.scope.kind === "resources");
  return [
    ...(named.length === 0
      ? []
      : [{ reason: "resources" as const, target, scope: mergeScopes(named), ...answering(named) }]),
    ...(defaults.length === 0
      ? []
      : [
          {
            reason: "resources" as const,
            target,
            scope: { kind: "default-vpc" as const },
            ...answering(defaults),
          },
        ]),
  ];
}

function answering(requests: readonly QueuedRequest[]): Pick<PlannedEvaluation, "recordIds" | "eventIds"> {
  return {
    recordIds: requests.map((request) => request.recordId),
    eventIds: [...new Set(requests.map((request) => request.eventId))].sort(),
  };
}

/** One resources scope naming each resource once; new when any request says so (those are waited for). */
function mergeScopes(requests: readonly QueuedRequest[]): EnforcementScope {
  const resources = new Map<string, ResourceRef>();
  const withSubnetsOf = new Set<VpcId>();
  let newlyCreated = false;
  for (const { scope } of requests) {
    if (scope.kind !== "resources") continue;
    for (const resource of scope.resources)
      if (!resources.has(resource.id)) resources.set(resource.id, resource);
    for (const vpcId of scope.withSubnetsOf ?? []) withSubnetsOf.add(vpcId);
    newlyCreated ||= scope.newlyCreated === true;
  }
  return {
    kind: "resources",
    resources: [...resources.values()],
    ...(withSubnetsOf.size === 0 ? {} : { withSubnetsOf: [...withSubnetsOf] }),
    ...(newlyCreated ? { newlyCreated } : {}),
  };
}

/**
 * What the cross-batch window remembers about an account-region: when its latest tamper evaluation started, and
 * when a deferred re-check is due, if one is scheduled and has not started yet.
 */
export interface TamperMark {
  readonly startedAtMs: number;
  readonly recheckDueAtMs?: number | undefined;
}

/**
 * Where the window's marks are kept across batches and invocations (a DynamoDB item per account-region,
 * gateways/tamper-marks.ts); every write is conditional, so concurrent invocations agree.
 */
export interface TamperMarks {
  /** Claims an evaluation starting now unless one started within the window: undefined when claimed, else the mark. */
  claim(target: AccountRegion, nowMs: number, windowMs: number): Promise<TamperMark | undefined>;
  /** Claims scheduling the re-check due at `dueAtMs`; false when another invocation has one scheduled already. */
  claimRecheck(target: AccountRegion, dueAtMs: number, nowMs: number): Promise<boolean>;
  /** Gives the claim back when the re-check could not be sent, so a retry can schedule it. */
  releaseRecheck(target: AccountRegion, dueAtMs: number): Promise<void>;
  /** A re-check starts: it is now the account-region's latest evaluation, and no re-check is scheduled any more. */
  startRecheck(target: AccountRegion, nowMs: number, windowMs: number): Promise<void>;
  /**
   * The evaluation that started at `startedAtMs` failed: it vouches for nothing, so the mark no longer says it ran
   * (unless a later one replaced it), and its retry, or the next batch, evaluates again.
   */
  releaseClaim(target: AccountRegion, startedAtMs: number): Promise<void>;
}

/**
 * How much later than a deletion an evaluation must start to be sure it saw the deletion: CloudTrail's eventTime
 * has whole seconds, and EC2's reads are eventually consistent for a few seconds after a write.
 */
export const SEEN_AFTER_MS = 10_000;
/**
 * A re-check not started this long after it fell due may never run (its message deferred or failing on its way to
 * the dead-letter queue): schedule another rather than let it answer for deletions. Short, because trusting a lost
 * re-check loses deletions, while a second re-check only costs one more evaluation.
 */
export const STALE_RECHECK_MS = 2 * 60_000;

export type TamperWindowDecision =
  /** An evaluation started after every deletion of the group happened: it saw them; nothing more to do. */
  | { readonly kind: "seen"; readonly byEvaluationAtMs: number }
  /** A re-check is already scheduled for later than the deletions: it will see them. */
  | { readonly kind: "recheck-scheduled"; readonly dueAtMs: number }
  /** Schedule one re-check at the end of the window (when the latest evaluation's window closes). */
  | { readonly kind: "schedule-recheck"; readonly dueAtMs: number };

/**
 * Repeated DeleteFlowLogs across batches cost at most one more evaluation per window: the first evaluates at once;
 * later ones within the window are either already seen by an evaluation that started after them, or answered by a
 * single re-check at the window's end. `mark` is the account-region's mark when claiming it failed (an evaluation
 * started within the window); when the claim succeeds there is nothing to decide: evaluate.
 */
export function tamperWindowDecision(input: {
  readonly mark: TamperMark;
  readonly latestEventAtMs: number | undefined;
  readonly nowMs: number;
  readonly windowMs: number;
}): TamperWindowDecision {
  const { mark, latestEventAtMs, nowMs, windowMs } = input;
  if (latestEventAtMs !== undefined && mark.startedAtMs >= latestEventAtMs + SEEN_AFTER_MS)
    return { kind: "seen", byEvaluationAtMs: mark.startedAtMs };
  const due = mark.recheckDueAtMs;
  if (due !== undefined && due > nowMs - STALE_RECHECK_MS) return { kind: "recheck-scheduled", dueAtMs: due };
  return { kind: "schedule-recheck", dueAtMs: Math.max(nowMs, mark.startedAtMs + windowMs) };
}
