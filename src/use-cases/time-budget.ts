// Whether an invocation has time left to start one more unit of work (an account-region, a coalesced evaluation):
// one that cannot finish would time out the whole batch, healthy records with it.

/** The part of the Lambda context a time check needs. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

export function hasTimeToStart(remainingMs: number, reserveMs: number): boolean {
  return remainingMs >= reserveMs;
}
