import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always give equal text (for request hashes). */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** A digest of a request, to tell a retry (same key, same request) from a reused key. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(stableStringify(request)).digest('base64url');
}
