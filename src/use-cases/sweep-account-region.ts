// SQS batch of sweep messages in, partial batch response out: each message is one account-region run through the
// one engine (runEnforcement, account-region scope), summarized in one log line; a failing one fails only its record.
import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import type { PartialItemFailureResponse } from "@aws-lambda-powertools/batch/types";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import type { EnforcementMode } from "../engine/enforce.js";
import { failedOutcomes } from "../engine/enforce.js";
import { type ReportSummary, summarizeReport } from "../engine/summary.js";
import { AccountNotAllowedError, EventValidationError, errorSummary, NotStartedError } from "../errors.js";
import { logger, metrics, publishCoverage } from "../observability.js";
import { coverageOf, isResourceOutcome } from "../reports/coverage.js";
import { historyLines, outcomesKey } from "../reports/history.js";
import { parseSweepMessage, type SweepMessage } from "../triggers/sweep-message.js";
import { type EnforcementPorts, runEnforcement, throwIfAnyFailed } from "./run-enforcement.js";
import { assertTimeToStart } from "./time-budget.js";

/** Where a run's outcomes are kept for later (REPORT_BUCKET): one object per key, overwritten on retry. */
export interface RunHistoryPort {
  put(key: string, body: string): Promise<void>;
}

/** The engine's ports, plus the coverage history when the deployment keeps one. */
export interface SweepWorkerPorts extends EnforcementPorts {
  readonly history?: RunHistoryPort | undefined;
}

export interface SweptAccountRegion extends ReportSummary {
  readonly accountId: string;
  readonly region: string;
  readonly runId: string;
  readonly mode: EnforcementMode;
}

/**
 * One account-region of an org sweep:
 * 1. enforce every in-scope resource through runEnforcement (authorize, assume the member role, list, decide,
 *    create in batches) seeded with the run's id, so a redelivered message never creates a second flow log
 * 2. log one summary line (counts; in audit mode what would be created) and count the account-region in EMF,
 *    with its coverage (CoveragePercent, CoveredResources, InScopeResources under the accountId dimension)
 * 3. keep the outcomes as JSON Lines at runs/run=<runId>/account=<id>/region=<region>/outcomes.jsonl when the
 *    deployment keeps a history; a failed write fails the message, whose retry overwrites the same key
 * 4. throw AccountNotAllowedError when the organization boundary refused the account (no retry changes that), else
 *    EnforcementFailedError when anything failed, so SQS redelivers the message and finally dead-letters it
 */
export async function sweepAccountRegion(
  message: SweepMessage,
  ports: SweepWorkerPorts,
): Promise<SweptAccountRegion> {
  const { target, runId } = message;
  const report = await runEnforcement(
    {
      target,
      scope: { kind: "account-region" },
      idempotencySeed: runId,
      correlation: { trigger: "sweep", correlationId: runId },
    },
    ports,
  );
  const summary: SweptAccountRegion = {
    accountId: target.accountId,
    region: target.region,
    runId,
    mode: report.mode,
    ...summarizeReport(report),
  };
  const failed = failedOutcomes(report).length > 0;
  const coverage = coverageOf(report.outcomes);
  logger[failed ? "error" : "info"]("account-region swept", { ...summary, coverage });
  metrics.addMetric(failed ? "AccountRegionsFailed" : "AccountRegionsSwept", MetricUnit.Count, 1);
  // An account-region that could not be reached has unknown coverage, not zero: it adds nothing to the sums.
  if (report.outcomes.every(isResourceOutcome)) publishCoverage(target.accountId, coverage);
  await ports.history?.put(
    outcomesKey(runId, target),
    historyLines(report.outcomes, { runId, mode: report.mode, evaluatedAt: new Date() }),
  );
  if (report.refusedBecause !== undefined) throw new AccountNotAllowedError(report.refusedBecause);
  throwIfAnyFailed(report, summary);
  return summary;
}

/**
 * How much of the invocation must be left to start one more account-region. A healthy one takes seconds (about six
 * calls when compliant); a degraded one is bounded by the SDK timeouts: each call gives up after its attempts of
 * 10 s (src/app/client-config.ts), and an account-region makes a handful of sequential calls (AssumeRole, three
 * listings, CreateFlowLogs batches, the history write), so even one whose every call hangs to the end of its
 * retries ends within about three minutes. With the worker's 900 s timeout and batches of 10, records are deferred
 * only after the earlier ones of the batch used 12 minutes.
 */
export const ACCOUNT_REGION_RESERVE_MS = 180_000;

/** Counted once per message dropped because no redelivery could make it succeed (see processSweepBatch). */
export const REJECTED_MESSAGES_METRIC = "SweepMessagesRejected";

/** Counted once per message handed back unstarted because too little time was left. */
export const DEFERRED_MESSAGES_METRIC = "SweepMessagesDeferred";

export interface SweepBatchOptions {
  /** Time that must be left to start an account-region; ACCOUNT_REGION_RESERVE_MS unless set. */
  readonly reserveMs?: number;
}

/**
 * A failure that is a property of the message, not of the moment: a body that does not parse, an account the
 * organization boundary or an allow-list refuses. Redelivering it can only fail the same way.
 */
function isDeterministic(error: unknown): boolean {
  return error instanceof EventValidationError || error instanceof AccountNotAllowedError;
}

// Module scope: the processor is reused across invocations of the container, as Powertools recommends. The sweep
// queue is FIFO (deduplicated enqueue, see sweepQueueEntry) with one message group per account-region; with
// skipGroupOnError a failed record fails the records of its own group that follow it in the batch (FIFO order within
// the group) and nothing else, so one stalled account-region never fails the others. Records of a standard queue
// carry no group and are processed as by BatchProcessor.
const processor = new SqsFifoPartialProcessorAsync();

/**
 * Runs each record of the batch, one after another (one account-region in memory at a time; parallelism comes
 * from Lambda concurrency over the queue):
 * 1. before each record, check the time left: with less than `reserveMs` the record is not started and is returned
 *    as a batch item failure, so SQS redelivers it after the visibility timeout to an invocation with its full time
 *    (logged once per batch with how many were deferred), rather than the timeout failing the whole batch
 * 2. sweep the account-region; a transient failure (unreachable account, throttling, a failed write) fails only its
 *    record, which SQS redelivers and after maxReceiveCount receives moves to the dead-letter queue
 * 3. a deterministic failure (malformed body, account refused by the organization boundary) is dropped: logged as
 *    an error naming the record, counted as SweepMessagesRejected, and deleted from the queue. Dropped rather than
 *    sent to the dead-letter queue at once: SQS redrive moves a message there only after maxReceiveCount receives,
 *    so "at once" would mean the worker sending it there itself (a write permission and a second path for one
 *    message) for a message that redriving back can never make succeed; the log line keeps the body and the reason,
 *    the metric can alarm, and the next scheduled run enqueues a valid message for every account it should sweep.
 */
export async function processSweepBatch(
  event: SQSEvent,
  context: Context,
  ports: SweepWorkerPorts,
  options: SweepBatchOptions = {},
): Promise<PartialItemFailureResponse> {
  const reserveMs = options.reserveMs ?? ACCOUNT_REGION_RESERVE_MS;
  const lastMessageId = event.Records.at(-1)?.messageId;
  const deferred: string[] = [];
  const handleRecord = async (record: SQSRecord): Promise<SweptAccountRegion | undefined> => {
    try {
      assertTimeToStart(context, reserveMs, `sweep message ${record.messageId}`);
      return await sweepAccountRegion(parseSweepMessage(record.body), ports);
    } catch (error) {
      if (error instanceof NotStartedError) {
        deferred.push(record.messageId);
        throw error;
      }
      if (isDeterministic(error)) {
        logger.error("sweep message rejected: dropped, not retried", {
          messageId: record.messageId,
          body: record.body.slice(0, 1_000),
          error: errorSummary(error),
        });
        metrics.addMetric(REJECTED_MESSAGES_METRIC, MetricUnit.Count, 1);
        return undefined;
      }
      // Summaries were logged already; this names the record SQS will redeliver.
      logger.warn("sweep message failed", { messageId: record.messageId, error: errorSummary(error) });
      throw error;
    } finally {
      // One EMF document per account-region, so the next one starts from clean dimensions; the logMetrics
      // middleware flushes the last.
      if (record.messageId !== lastMessageId && metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
  const response = await processPartialResponse(event, handleRecord, processor, {
    context,
    // Records run one after another (the FIFO processor never runs them in parallel).
    skipGroupOnError: true,
    // Report every failed record (even all of them) as batch item failures rather than throwing.
    throwOnFullBatchFailure: false,
  });
  if (deferred.length > 0) {
    logger.warn("sweep messages not started: too little time left, handed back for redelivery", {
      deferred: deferred.length,
      messageIds: deferred,
      remainingMs: context.getRemainingTimeInMillis(),
      reserveMs,
    });
    metrics.addMetric(DEFERRED_MESSAGES_METRIC, MetricUnit.Count, deferred.length);
  }
  return response;
}
