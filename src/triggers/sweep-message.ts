// The org sweep's two inputs, parsed at the edge: an SQS message body (one account-region) and the coordinator's
// on-demand payload. Pure parsing; no AWS calls.
import { createHash } from "node:crypto";
import { type AccountRegion, accountRegion, accountRegionKey } from "../domain/resources.js";
import * as z from "../zod.js";
import { accountIdSchema, parseJsonField, parseOrThrow, regionSchema } from "./edge-schemas.js";

const accountId = accountIdSchema;
const region = regionSchema;
const runId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(256),
    z.regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  );

/**
 * The documented message contract: `{ "accountId": "111111111111", "region": "eu-west-1", "runId": "…" }`.
 * Extra keys are ignored so a hand-written message may carry notes; `runId` seeds the ClientToken, so a redelivered
 * message never creates a second flow log.
 */
export const sweepMessageSchema = z.object({ accountId, region, runId });

export interface SweepMessage {
  readonly target: AccountRegion;
  readonly runId: string;
}

export function sweepMessageBody(target: Pick<AccountRegion, "accountId" | "region">, runId: string): string {
  return JSON.stringify({ accountId: target.accountId, region: target.region, runId });
}

/**
 * One account-region's message of a run, with the ids a FIFO sweep queue uses:
 * - `deduplicationId`: the same for the same run, account and region, so a coordinator retried by Lambda after a
 *   partial SendMessageBatch failure re-sends entries SQS accepts but does not deliver again (within its 5-minute
 *   deduplication interval; beyond it, the worker's ClientToken seeded by the run id still creates nothing twice).
 *   A SHA-256 in hex: 64 characters of the alphabet SQS allows (up to 128), whatever the run id holds.
 * - `groupId`: one message group per account-region, so one failing account-region never blocks the others and
 *   the Lambda event source scales to as many groups as there are account-regions (up to its maximum concurrency).
 */
export interface SweepQueueEntry {
  readonly body: string;
  readonly deduplicationId: string;
  readonly groupId: string;
}

export function sweepQueueEntry(
  target: Pick<AccountRegion, "accountId" | "region">,
  runId: string,
): SweepQueueEntry {
  return {
    body: sweepMessageBody(target, runId),
    deduplicationId: createHash("sha256")
      .update(`${runId}\n${target.accountId}\n${target.region}`)
      .digest("hex"),
    groupId: accountRegionKey(target),
  };
}

/** Parses one message body; a malformed one raises EventValidationError naming each problem. */
export function parseSweepMessage(body: string): SweepMessage {
  const message = parseOrThrow(
    sweepMessageSchema,
    parseJsonField(body, "sweep message", "body"),
    "sweep message",
  );
  return { target: accountRegion(message.accountId, message.region), runId: message.runId };
}

/**
 * What the coordinator is asked to sweep. The schedule sends `{}` (every ACTIVE account × governed region); an
 * operator may narrow it with `accounts` and/or `regions`, and pin `runId` to repeat a run idempotently.
 */
export const sweepRequestSchema = z.strictObject({
  accounts: z.optional(z.array(accountId).check(z.minLength(1))),
  regions: z.optional(z.array(region).check(z.minLength(1))),
  runId: z.optional(runId),
});

export type SweepRequest = z.output<typeof sweepRequestSchema>;

export function parseSweepRequest(event: unknown): SweepRequest {
  // A schedule without Input, or a bare `aws lambda invoke`, delivers nothing or null: sweep everything.
  return parseOrThrow(sweepRequestSchema, event ?? {}, "org sweep request");
}
