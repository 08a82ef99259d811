// The event queue's SQS batch → evaluations, coalesced by account-region → partial batch response. A record fails
// (and SQS redelivers it) only when the evaluation answering for it failed or was not started in time.
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { mapConcurrently } from "../batching.js";
import type { AccountRegion } from "../domain/resources.js";
import {
  type PlannedEvaluation,
  planEvaluations,
  type QueuedRequest,
  type TamperMarks,
  tamperWindowDecision,
} from "../engine/coalesce.js";
import { failedOutcomes } from "../engine/enforce.js";
import { EventValidationError, errorSummary } from "../errors.js";
import { logger, metrics } from "../observability.js";
import type { Policy } from "../policy/schema.js";
import type { CloudTrailRequest } from "../triggers/cloudtrail-event.js";
import { policyIrrelevance } from "../triggers/cloudtrail-relevance.js";
import { parseQueuedMessage, recheckMessageBody } from "../triggers/event-queue-message.js";
import { type EnforcementPorts, runEnforcement } from "./run-enforcement.js";
import { hasTimeToStart, type RemainingTime } from "./time-budget.js";

/** The queue the enforcer consumes, for the re-checks it defers to the end of a window. */
export interface RecheckQueue {
  send(body: string, delaySeconds: number): Promise<void>;
}

export interface EventBatchPorts extends EnforcementPorts {
  /** Repeated DeleteFlowLogs across batches cost at most one more evaluation per window; absent: each evaluates. */
  readonly tamperWindow?:
    | { readonly windowMs: number; readonly marks: TamperMarks; readonly rechecks: RecheckQueue }
    | undefined;
  /**
   * Time an evaluation may need once started (reads, creates, waiting for new resources to become visible); one is
   * not started with less left, and its records go back to the queue instead of timing out with the batch.
   */
  readonly evaluationReserveMs: number;
}

/**
 * Counted for each record dropped as malformed, or naming an account the organization boundary refuses: a replay
 * could never succeed, so it is not retried (the error log line keeps the record for review).
 */
export const REJECTED_EVENTS_METRIC = "EventsRejected";
/** Evaluations run at once: each in its own account-region, so each within its own EC2 request budget. */
const EVALUATION_CONCURRENCY = 4;

/** Counted for each evaluation a burst of events did not need (answered by another, or by a scheduled re-check). */
export const COALESCED_EVENTS_METRIC = "EventsCoalesced";

/**
 * 1. parse every record: a malformed one is dropped with an error log line and the EventsRejected metric (never
 *    retried: the same bytes would fail the same way; the log keeps them for review); failed calls, and events the
 *    policy cannot care about, are ignored
 * 2. plan the evaluations (engine/coalesce.ts): one per account-region with deletions, one per account-region for
 *    the resources creation and tag events named
 * 3. for each, while there is time to finish it: a tamper evaluation passes the cross-batch window first; run the
 *    one engine; a failed resource fails the records the evaluation answers for, an account the organization
 *    boundary refuses drops them (logged and counted as EventsRejected)
 * 4. return the records to redeliver as batch item failures
 */
export async function processEventBatch(
  event: SQSEvent,
  context: RemainingTime,
  ports: EventBatchPorts,
): Promise<SQSBatchResponse> {
  const failed: string[] = [];
  const parsed = event.Records.flatMap((record) => queuedRequestOf(record.messageId, record.body, failed));
  const requests = parsed.length === 0 ? [] : relevantTo((await ports.loadPolicy()).policy, parsed);
  const evaluations = planEvaluations(requests);
  const deferred: PlannedEvaluation[] = [];
  // A few account-regions at a time (each has its own EC2 request budget), each started only with time to finish.
  await mapConcurrently(evaluations, EVALUATION_CONCURRENCY, async (evaluation) => {
    if (
      deferred.length > 0 ||
      !hasTimeToStart(context.getRemainingTimeInMillis(), ports.evaluationReserveMs)
    ) {
      deferred.push(evaluation);
      return;
    }
    if (!(await succeeded(evaluation, ports))) failed.push(...evaluation.recordIds);
  });
  if (deferred.length > 0) {
    logger.warn("evaluations deferred: not enough time left to finish them", {
      evaluations: deferred.length,
      records: deferred.reduce((sum, e) => sum + e.recordIds.length, 0),
    });
    failed.push(...deferred.flatMap((e) => e.recordIds));
  }
  const answered = requests.length;
  if (evaluations.length < answered)
    metrics.addMetric(COALESCED_EVENTS_METRIC, MetricUnit.Count, answered - evaluations.length);
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

type ParsedRequest = QueuedRequest & { readonly request?: CloudTrailRequest };

/** Drops, without any AWS call, the events the policy cannot care about (types it does not enforce, tags no rule uses). */
function relevantTo(policy: Policy, requests: readonly ParsedRequest[]): QueuedRequest[] {
  return requests.filter(({ request, recordId }) => {
    const reason = request === undefined ? undefined : policyIrrelevance(request, policy);
    if (reason !== undefined)
      logger.info("event ignored", { messageId: recordId, eventId: request?.eventId, reason });
    return reason === undefined;
  });
}

/**
 * One record's request, or none: a malformed record is dropped (logged and counted), and one that cannot be read
 * for any other reason is added to `failed`, to be redelivered without holding up the rest of the batch.
 */
function queuedRequestOf(recordId: string, body: string, failed: string[]): ParsedRequest[] {
  try {
    const message = parseQueuedMessage(body);
    if (message.kind === "recheck") {
      const { target, dueAt } = message;
      return [
        {
          recordId,
          target,
          eventId: `recheck/${target.accountId}/${target.region}/${dueAt}`,
          scope: { kind: "account-region" },
          recheck: true,
        },
      ];
    }
    const { request } = message;
    if (request.kind === "ignored") {
      logger.info("event ignored", { messageId: recordId, eventId: request.eventId, reason: request.reason });
      return [];
    }
    return [
      {
        recordId,
        target: request.target,
        eventId: request.eventId,
        scope: request.scope,
        happenedAtMs: request.eventTime === undefined ? undefined : Date.parse(request.eventTime),
        request,
      },
    ];
  } catch (error) {
    if (!(error instanceof EventValidationError)) {
      logger.error("event not read: returned for redelivery", {
        messageId: recordId,
        error: errorSummary(error),
      });
      failed.push(recordId);
      return [];
    }
    logger.error("event rejected", {
      messageId: recordId,
      error: errorSummary(error),
      body: body.slice(0, 2048),
    });
    metrics.addMetric(REJECTED_EVENTS_METRIC, MetricUnit.Count, 1);
    return [];
  }
}

/** Runs one planned evaluation; false when its records should be redelivered. Never throws. */
async function succeeded(evaluation: PlannedEvaluation, ports: EventBatchPorts): Promise<boolean> {
  const correlation = {
    trigger: "eventbridge" as const,
    correlationId: evaluation.eventIds[0] ?? "",
    ...(evaluation.eventIds.length > 1 ? { coalescedEvents: evaluation.eventIds.length } : {}),
  };
  let claim: { readonly claimedAtMs?: number } | undefined;
  try {
    claim = await passesTamperWindow(evaluation, ports);
    if (claim === undefined) {
      metrics.addMetric(COALESCED_EVENTS_METRIC, MetricUnit.Count, 1);
      return true;
    }
    const report = await runEnforcement(
      {
        target: evaluation.target,
        scope: evaluation.scope,
        idempotencySeed: evaluation.eventIds.join(","),
        correlation,
      },
      ports,
    );
    if (report.refusedBecause !== undefined) {
      // The boundary refuses the same account every time: a retry could never succeed, so it is not asked for.
      logger.error("event rejected", {
        ...correlation,
        records: evaluation.recordIds,
        reason: report.refusedBecause,
      });
      metrics.addMetric(REJECTED_EVENTS_METRIC, MetricUnit.Count, evaluation.recordIds.length);
      return true;
    }
    if (failedOutcomes(report).length === 0) return true;
  } catch (error) {
    logger.error("evaluation failed", { ...correlation, ...evaluation.target, error: errorSummary(error) });
  }
  await releaseClaim(evaluation.target, claim?.claimedAtMs, ports);
  return false;
}

/** Best effort: a mark left claimed only delays the repair to the window's end (the records are redelivered). */
async function releaseClaim(target: AccountRegion, claimedAtMs: number | undefined, ports: EventBatchPorts) {
  if (claimedAtMs === undefined || ports.tamperWindow === undefined) return;
  try {
    await ports.tamperWindow.marks.releaseClaim(target, claimedAtMs);
  } catch (error) {
    logger.warn("tamper mark not released", { ...target, error: errorSummary(error) });
  }
}

/**
 * Tamper evaluations within the window of an earlier one are answered by that one (it started after the
 * deletions) or by one re-check at the window's end; a re-check itself always runs and restarts the window.
 * Undefined when the evaluation is not to run; otherwise when it claimed the mark, so a failure can release it.
 */
async function passesTamperWindow(
  evaluation: PlannedEvaluation,
  ports: EventBatchPorts,
): Promise<{ readonly claimedAtMs?: number } | undefined> {
  const window = ports.tamperWindow;
  if (window === undefined || evaluation.reason === "resources") return {};
  const { target } = evaluation;
  const nowMs = ports.now().getTime();
  if (evaluation.reason === "recheck") {
    await window.marks.startRecheck(target, nowMs, window.windowMs);
    return { claimedAtMs: nowMs };
  }
  const mark = await window.marks.claim(target, nowMs, window.windowMs);
  if (mark === undefined) return { claimedAtMs: nowMs };
  const decision = tamperWindowDecision({
    mark,
    latestEventAtMs: evaluation.latestEventAtMs,
    nowMs,
    windowMs: window.windowMs,
  });
  if (
    decision.kind === "schedule-recheck" &&
    (await window.marks.claimRecheck(target, decision.dueAtMs, nowMs))
  ) {
    try {
      await window.rechecks.send(
        recheckMessageBody(target, decision.dueAtMs),
        (decision.dueAtMs - nowMs) / 1000,
      );
    } catch (error) {
      await window.marks.releaseRecheck(target, decision.dueAtMs);
      throw error;
    }
  }
  logger.info("deletions answered within the tamper window", {
    ...target,
    events: evaluation.eventIds.length,
    answeredBy:
      decision.kind === "seen" ? "an evaluation that started after them" : "a re-check at the window's end",
    ...(decision.kind === "seen"
      ? { evaluationStartedAt: new Date(decision.byEvaluationAtMs).toISOString() }
      : { recheckDueAt: new Date(decision.dueAtMs).toISOString() }),
  });
  return undefined;
}
