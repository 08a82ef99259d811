// The org sweep's two inputs, parsed at the edge: an SQS message body (one account-region) and the coordinator's
// on-demand payload. Pure parsing; no AWS calls.
import { type AccountRegion, accountRegion } from "../domain/resources.js";
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
