// SQS access for the org sweep: message bodies in, batched SendMessageBatch calls out, failed entries retried.
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

export interface EnqueueFailure {
  readonly body: string;
  readonly reason: string;
}

export interface EnqueueResult {
  readonly sent: number;
  readonly failed: EnqueueFailure[];
}

/**
 * Sends every body to the queue, 10 per SendMessageBatch call. An entry listed in `Failed` with `SenderFault`
 * (e.g. too large) fails at once; other failed entries, and the entries of a call that failed as a whole after the
 * SDK's own retries, are sent again for up to `maxRounds` rounds. Never throws: unsent bodies are returned.
 */
export async function enqueueMessages(
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
  options: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const maxRounds = options.maxRounds ?? 3;
  const failed: EnqueueFailure[] = [];
  let pending = bodies.map((body, index) => ({ id: String(index), body }));
  let sent = 0;
  for (let round = 1; pending.length > 0 && round <= maxRounds; round += 1) {
    if (round > 1) await delay((options.retryDelayMs ?? 200) * 2 ** (round - 2));
    const batches = chunk(pending, MAX_MESSAGES_PER_BATCH);
    const outcomes = await mapConcurrently(batches, options.concurrency ?? 5, (batch) =>
      sendBatch(sqs, queueUrl, batch),
    );
    const retry: typeof pending = [];
    for (const outcome of outcomes) {
      sent += outcome.sent;
      for (const entry of outcome.failed) {
        if (entry.permanent || round === maxRounds) failed.push({ body: entry.body, reason: entry.reason });
        else retry.push({ id: entry.id, body: entry.body });
      }
    }
    pending = retry;
  }
  return { sent, failed };
}

interface BatchOutcome {
  readonly sent: number;
  readonly failed: Array<{ id: string; body: string; reason: string; permanent: boolean }>;
}

async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  batch: ReadonlyArray<{ id: string; body: string }>,
): Promise<BatchOutcome> {
  const entries: SendMessageBatchRequestEntry[] = batch.map(({ id, body }) => ({
    Id: id,
    MessageBody: body,
  }));
  const bodyOf = new Map(batch.map(({ id, body }) => [id, body]));
  try {
    const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const failed = (response.Failed ?? []).flatMap((entry: BatchResultErrorEntry) => {
      const body = entry.Id === undefined ? undefined : bodyOf.get(entry.Id);
      if (entry.Id === undefined || body === undefined) return [];
      const reason = `${entry.Code ?? "Unknown"}: ${entry.Message ?? ""}`.trim();
      return [{ id: entry.Id, body, reason, permanent: entry.SenderFault === true }];
    });
    return { sent: response.Successful?.length ?? batch.length - failed.length, failed };
  } catch (error) {
    const reason = errorSummary(error);
    return { sent: 0, failed: batch.map(({ id, body }) => ({ id, body, reason, permanent: false })) };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
