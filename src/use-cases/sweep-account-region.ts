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
import { logger, metrics } from "../observability.js";
import { parseSweepMessage, type SweepMessage } from "../triggers/sweep-message.js";
import { type EnforcementPorts, runEnforcement, throwIfAnyFailed } from "./run-enforcement.js";

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
 * 2. log one summary line (counts; in audit mode what would be created) and count the account-region in EMF
 * 3. throw EnforcementFailedError when anything failed, so SQS redelivers the message and finally dead-letters it
 */
export async function sweepAccountRegion(
  message: SweepMessage,
  ports: EnforcementPorts,
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
  logger[failed ? "error" : "info"]("account-region swept", { ...summary });
  metrics.addMetric(failed ? "AccountRegionsFailed" : "AccountRegionsSwept", MetricUnit.Count, 1);
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
  ports: EnforcementPorts,
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
