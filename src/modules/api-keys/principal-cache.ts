import { LRUCache } from 'lru-cache';
import type { Authentication } from './service.js';

/**
 * Recent authentications, so a busy key costs one database read every few seconds instead of one
 * per request. A revocation clears the cache at once on the instance that made it, and on every
 * other instance when the revocation event reaches it (see src/events); the TTL bounds the
 * delay should an event be lost.
 */
export class PrincipalCache {
  readonly #entries: LRUCache<string, { result: Authentication; lastUseRecordedAt: number }>;

  constructor(ttlMs = 5_000) {
    this.#entries = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  get(key: string) {
    return this.#entries.get(key);
  }

  set(key: string, result: Authentication, lastUseRecordedAt: number): void {
    this.#entries.set(key, { result, lastUseRecordedAt });
  }

  /** After a key is revoked: rare, so dropping everything is simpler than tracking which entry. */
  clear(): void {
    this.#entries.clear();
  }
}
