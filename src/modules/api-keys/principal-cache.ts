import { LRUCache } from 'lru-cache';
import type { Authentication } from '../../graphql/auth.js';

interface Entry {
  result: Authentication;
  lastUseRecordedAt: number;
}

/**
 * Recent authentications, so a busy key costs one database read every few seconds instead of one
 * per request. A revocation clears the cache at once on the instance that made it, and on every
 * other instance when the revocation event reaches it (see src/events); the TTL bounds the
 * delay should an event be lost.
 */
export class PrincipalCache {
  readonly #entries: LRUCache<string, Entry>;
  /** Lookups under way: requests arriving meanwhile share them (no burst of reads when an entry expires). */
  readonly #loading = new Map<string, Promise<Authentication>>();
  /** Moves on every clear, so a lookup that began before a revocation is not cached after it. */
  #generation = 0;

  constructor(ttlMs = 5_000) {
    this.#entries = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  get(key: string): Entry | undefined {
    return this.#entries.get(key);
  }

  /** The lookup's result, cached; a lookup of the same key already under way is shared instead. */
  load(key: string, lookup: () => Promise<Entry>): Promise<Authentication> {
    const pending = this.#loading.get(key);
    if (pending) return pending;
    const generation = this.#generation;
    const loading = lookup()
      .then((entry) => {
        if (generation === this.#generation) this.#entries.set(key, entry);
        return entry.result;
      })
      .finally(() => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
      });
    this.#loading.set(key, loading);
    return loading;
  }

  /** After a key is revoked: rare, so dropping everything is simpler than tracking which entry. */
  clear(): void {
    this.#entries.clear();
    this.#loading.clear();
    this.#generation += 1;
  }
}
