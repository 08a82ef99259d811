// SQS batch of sweep messages in, partial batch response out: each message is one account-region run through the
// one engine (runEnforcement, account-region scope), summarized in one log line; a failing one fails only its record.
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { PartialItemFailureResponse } from "@aws-lambda-powertools/batch/types";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import type { EnforcementMode } from "../engine/enforce.js";
import { failedOutcomes } from "../engine/enforce.js";
import { type ReportSummary, summarizeReport } from "../engine/summary.js";
import { errorSummary } from "../errors.js";
import { logger, metrics, publishCoverage } from "../observability.js";
import { coverageOf, isResourceOutcome } from "../reports/coverage.js";
import { historyLines, outcomesKey } from "../reports/history.js";
import { parseSweepMessage, type SweepMessage } from "../triggers/sweep-message.js";
import { type EnforcementPorts, runEnforcement, throwIfAnyFailed } from "./run-enforcement.js";

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
 * 4. throw EnforcementFailedError when anything failed, so SQS redelivers the message and finally dead-letters it
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
  throwIfAnyFailed(report, summary);
  return summary;
}

// Module scope: the processor is reused across invocations of the container, as Powertools recommends.
const processor = new BatchProcessor(EventType.SQS);

/**
 * Runs each record of the batch, one after another (one account-region in memory at a time; parallelism comes
 * from Lambda concurrency over the queue). A malformed body or a failed account-region fails only its record.
 */
export async function processSweepBatch(
  event: SQSEvent,
  context: Context,
  ports: SweepWorkerPorts,
): Promise<PartialItemFailureResponse> {
  const lastMessageId = event.Records.at(-1)?.messageId;
  const handleRecord = async (record: SQSRecord): Promise<SweptAccountRegion> => {
    try {
      return await sweepAccountRegion(parseSweepMessage(record.body), ports);
    } catch (error) {
      // Summaries were logged already; this names the record SQS will redeliver.
      logger.warn("sweep message failed", { messageId: record.messageId, error: errorSummary(error) });
      throw error;
    } finally {
      // One EMF document per account-region, so the next one starts from clean dimensions; the logMetrics
      // middleware flushes the last.
      if (record.messageId !== lastMessageId && metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
  return processPartialResponse(event, handleRecord, processor, {
    context,
    processInParallel: false,
    // Report every failed record (even all of them) as batch item failures rather than throwing.
    throwOnFullBatchFailure: false,
  });
}
