// Request budgets per API key and, for what needs no key (public pages, certificates, engagement,
// publicAward), per client address: a fixed window of one minute, counted by rate-limiter-flexible
// in Redis when REDIS_URL is set (so every instance shares one count) and in this process's memory
// otherwise. A request over budget is answered 429 with Retry-After, and a GraphQL error with code
// RATE_LIMITED, before any of its work is done.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';

export interface RateLimitConfig {
  /** Requests per minute per API key; 0: no limit. */
  perKey: number;
  /** Requests per minute per client address to what needs no key; 0: no limit. */
  perAddress: number;
  /** Instances that share it share their counts (the Redis channel: one deployment). */
  namespace: string;
}

/** Allowed, or refused with the seconds until the budget refills. */
export type Verdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const ALLOWED: Verdict = { allowed: true };

export class RateLimits {
  readonly #byKey: RateLimiterAbstract | undefined;
  readonly #byAddress: RateLimiterAbstract | undefined;

  constructor(
    config: RateLimitConfig,
    private readonly logger: Logger,
    redis?: Redis,
  ) {
    const make = (keyPrefix: string, points: number) => {
      if (points <= 0) return undefined;
      const options = { keyPrefix, points, duration: 60 };
      // Without Redis (or while it is down) each instance counts alone: degraded, not open.
      const memory = new RateLimiterMemory(options);
      return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }) : memory;
    };
    this.#byKey = make(`${config.namespace}:rate:key`, config.perKey);
    this.#byAddress = make(`${config.namespace}:rate:address`, config.perAddress);
  }

  /** Whether API keys have a budget (without one, forKey always allows). */
  get limitsKeys(): boolean {
    return this.#byKey !== undefined;
  }

  /** Whether client addresses have a budget (without one, forAddress always allows). */
  get limitsAddresses(): boolean {
    return this.#byAddress !== undefined;
  }

  /** Spends one request of an API key's budget; keyed by a digest of the secret, valid or not. */
  forKey(secret: string): Promise<Verdict> {
    if (!this.#byKey) return Promise.resolve(ALLOWED);
    return this.#consume(this.#byKey, createHash('sha256').update(secret).digest('base64url').slice(0, 22));
  }

  /** Spends one request of a client address's budget for public entry points. */
  forAddress(address: string): Promise<Verdict> {
    return this.#consume(this.#byAddress, address);
  }

  async #consume(limiter: RateLimiterAbstract | undefined, key: string): Promise<Verdict> {
    if (!limiter) return ALLOWED;
    try {
      await limiter.consume(key);
      return ALLOWED;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
      // The store failed and so did its insurance: let the request through rather than fail it.
      this.logger.warn({ err: outcome }, 'rate limit store failed');
      return ALLOWED;
    }
  }
}

/** The GraphQL error body of a refused request. */
export function rateLimitedBody(retryAfterSeconds: number): string {
  return JSON.stringify({
    errors: [
      {
        message: `Too many requests: retry in ${retryAfterSeconds} s.`,
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
      },
    ],
  });
}
