// The event queue's two message kinds, parsed at the edge: an EventBridge CloudTrail event (what the rules deliver,
// after the grace delay) and a re-check the enforcer scheduled itself at the end of a tamper window. Pure parsing.
import type { SQSEvent } from "aws-lambda";
import { type AccountRegion, accountRegion } from "../domain/resources.js";
import * as z from "../zod.js";
import { type CloudTrailRequest, parseCloudTrailEvent } from "./cloudtrail-event.js";
import { accountIdSchema, parseJsonField, parseOrThrow, regionSchema } from "./edge-schemas.js";

const TRIGGER = "queued";

const recheckSchema = z.object({
  recheck: z.object({ accountId: accountIdSchema, region: regionSchema, dueAt: z.iso.datetime() }),
});

export type QueuedMessage =
  | { readonly kind: "event"; readonly request: CloudTrailRequest }
  | { readonly kind: "recheck"; readonly target: AccountRegion; readonly dueAt: string };

/** True for the SQS event source mapping's batch; anything else is a single EventBridge event (a direct invoke). */
export function isSqsBatch(event: unknown): event is SQSEvent {
  if (typeof event !== "object" || event === null || !("Records" in event)) return false;
  const records = (event as { Records: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.every(
      (record) =>
        typeof record === "object" &&
        record !== null &&
        (record as { eventSource?: unknown }).eventSource === "aws:sqs",
    )
  );
}

/** Parses one message body; a malformed one raises EventValidationError naming each problem. */
export function parseQueuedMessage(body: string): QueuedMessage {
  const message = parseJsonField(body, TRIGGER, "body");
  if (typeof message === "object" && message !== null && "recheck" in message) {
    const { recheck } = parseOrThrow(recheckSchema, message, TRIGGER);
    return {
      kind: "recheck",
      target: accountRegion(recheck.accountId, recheck.region),
      dueAt: recheck.dueAt,
    };
  }
  return { kind: "event", request: parseCloudTrailEvent(message) };
}

export function recheckMessageBody(
  target: Pick<AccountRegion, "accountId" | "region">,
  dueAtMs: number,
): string {
  return JSON.stringify({
    recheck: { accountId: target.accountId, region: target.region, dueAt: new Date(dueAtMs).toISOString() },
  });
}
