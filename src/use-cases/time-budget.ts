// Whether an invocation still has time to start one more unit of work (an account-region of the sweep, a coalesced
// group of events) and finish it before Lambda's timeout. Pure: the Lambda context's remaining time in, a verdict out;
// the sweep worker and the event enforcer share it so both cut off the same way.
import { NotStartedError } from "../errors.js";

/** The part of the Lambda context that tells the time left (Context.getRemainingTimeInMillis). */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * True when `remainingMs` covers `reserveMs`, the time one unit of work may take at worst. Work not started is
 * handed back (an SQS batch item failure, redelivered after the visibility timeout) instead of being cut off
 * half-done by the timeout, which would fail the whole batch, finished records included.
 */
export function hasTimeToStart(remainingMs: number, reserveMs: number): boolean {
  return Number.isFinite(remainingMs) && remainingMs >= reserveMs;
}

/** Throws NotStartedError when the invocation has less than `reserveMs` left; `what` names the unit of work. */
export function assertTimeToStart(clock: RemainingTime, reserveMs: number, what: string): void {
  const remainingMs = clock.getRemainingTimeInMillis();
  if (!hasTimeToStart(remainingMs, reserveMs)) throw new NotStartedError(what, remainingMs, reserveMs);
}
