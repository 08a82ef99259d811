// The token bucket EC2 (and, as modelled here, STS, SSM and Organizations) throttles with: each request takes one
// token; tokens come back at a fixed rate up to the bucket's capacity; a request that finds no token is throttled.

export interface BucketLimit {
  /** Tokens the bucket holds when full: the burst allowed after a quiet spell. */
  readonly capacity: number;
  /** Tokens added per second (continuously here; EC2 documents "every second"), never beyond capacity. */
  readonly refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  /** `now` is read on every request, so a virtual clock makes the bucket refill in simulated time. */
  constructor(
    private readonly limit: BucketLimit,
    private readonly now: () => number,
    initialTokens = limit.capacity,
  ) {
    this.tokens = Math.min(initialTokens, limit.capacity);
    this.updatedAt = now();
  }

  /** Takes a token when one is there (true), otherwise leaves the bucket as it is (false: throttled). */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens available now (fractional: refill is continuous). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const at = this.now();
    const elapsedSeconds = Math.max(0, at - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.capacity, this.tokens + elapsedSeconds * this.limit.refillPerSecond);
    this.updatedAt = at;
  }
}
