/**
 * @module core/service/rateLimit
 * A token bucket for job-starting calls: past the configured rate the core
 * answers RESOURCE_EXHAUSTED (retryable) instead of queueing without bound.
 * Result and health calls are never limited: they are how clients learn that
 * work already accepted has finished.
 */
import { CoreRequestError } from './errors.js';

export interface RateLimitConfig {
  /** Sustained job starts per second. */
  jobsPerSecond: number;
  /** Jobs that may start at once after a quiet period. */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { jobsPerSecond: 500, burst: 1000 };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly c: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = c.burst;
    this.last = now();
  }

  /** Takes one token or throws RESOURCE_EXHAUSTED naming when to retry. */
  take(what: string): void {
    const t = this.now();
    this.tokens = Math.min(this.c.burst, this.tokens + ((t - this.last) / 1000) * this.c.jobsPerSecond);
    this.last = t;
    if (this.tokens < 1) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.c.jobsPerSecond) * 1000);
      throw new CoreRequestError('RESOURCE_EXHAUSTED', `${what}: rate limit of ${this.c.jobsPerSecond}/s reached; retry in ${waitMs} ms`);
    }
    this.tokens -= 1;
  }
}
