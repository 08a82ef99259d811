// SQS access for the org sweep: messages in, batched SendMessageBatch calls out, failed entries retried. To a FIFO
// queue each entry goes with its deduplication and group ids, so sending it again (a retry round here, or a retried
// invocation) does not deliver it twice.
import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { chunk, mapConcurrently } from "../batching.js";
import { errorSummary } from "../errors.js";

/** SendMessageBatch takes at most 10 entries per call. */
export const MAX_MESSAGES_PER_BATCH = 10;

export interface EnqueueOptions {
  /** Rounds of sending; entries AWS failed without blaming the sender are sent again in the next round. */
  readonly maxRounds?: number;
  /** SendMessageBatch calls in flight at once. */
  readonly concurrency?: number;
  /** Pause before a retry round (doubling each round), so a throttled queue gets room. */
  readonly retryDelayMs?: number;
}

/** One message; the ids are sent only to a FIFO queue (which requires them), never to a standard one. */
export interface QueueEntry {
  readonly body: string;
  readonly deduplicationId?: string;
  readonly groupId?: string;
}

export interface EnqueueFailure {
  readonly body: string;
  readonly reason: string;
}

export interface EnqueueResult {
  readonly sent: number;
  readonly failed: EnqueueFailure[];
}

/**
 * Sends every entry to the queue, 10 per SendMessageBatch call. An entry listed in `Failed` with `SenderFault`
 * (e.g. too large) fails at once; other failed entries, and the entries of a call that failed as a whole after the
 * SDK's own retries, are sent again for up to `maxRounds` rounds, with the same deduplication ids. Never throws:
 * unsent bodies are returned. A queue is FIFO when its name ends in `.fifo` (SQS requires the suffix).
 */
export async function enqueueMessages(
  sqs: SQSClient,
  queueUrl: string,
  entries: readonly QueueEntry[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const maxRounds = options.maxRounds ?? 3;
  const failed: EnqueueFailure[] = [];
  let pending: PendingEntry[] = entries.map((entry, index) => ({ ...entry, id: String(index) }));
  let sent = 0;
  for (let round = 1; pending.length > 0 && round <= maxRounds; round += 1) {
    if (round > 1) await delay((options.retryDelayMs ?? 200) * 2 ** (round - 2));
    const batches = chunk(pending, MAX_MESSAGES_PER_BATCH);
    const outcomes = await mapConcurrently(batches, options.concurrency ?? 5, (batch) =>
      sendBatch(sqs, queueUrl, batch),
    );
    const retry: PendingEntry[] = [];
    for (const outcome of outcomes) {
      sent += outcome.sent;
      for (const entry of outcome.failed) {
        if (entry.permanent || round === maxRounds) failed.push({ body: entry.body, reason: entry.reason });
        else retry.push(entry.entry);
      }
    }
    pending = retry;
  }
  return { sent, failed };
}

/** An entry with its batch-local Id (unique per SendMessageBatch call, kept across rounds). */
interface PendingEntry extends QueueEntry {
  readonly id: string;
}

interface BatchOutcome {
  readonly sent: number;
  readonly failed: Array<{ entry: PendingEntry; body: string; reason: string; permanent: boolean }>;
}

async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  batch: readonly PendingEntry[],
): Promise<BatchOutcome> {
  const fifo = queueUrl.endsWith(".fifo");
  const entries: SendMessageBatchRequestEntry[] = batch.map((entry) => ({
    Id: entry.id,
    MessageBody: entry.body,
    ...(fifo ? { MessageDeduplicationId: entry.deduplicationId, MessageGroupId: entry.groupId } : {}),
  }));
  const byId = new Map(batch.map((entry) => [entry.id, entry]));
  try {
    const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const failed = (response.Failed ?? []).flatMap((result: BatchResultErrorEntry) => {
      const entry = result.Id === undefined ? undefined : byId.get(result.Id);
      if (entry === undefined) return [];
      const reason = `${result.Code ?? "Unknown"}: ${result.Message ?? ""}`.trim();
      return [{ entry, body: entry.body, reason, permanent: result.SenderFault === true }];
    });
    return { sent: response.Successful?.length ?? batch.length - failed.length, failed };
  } catch (error) {
    const reason = errorSummary(error);
    return {
      sent: 0,
      failed: batch.map((entry) => ({ entry, body: entry.body, reason, permanent: false })),
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
