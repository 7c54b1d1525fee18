// Images on a certificate (the organization's logo, the badge image) are URLs anyone with an API
// key could set, so fetching them must neither hang a certificate request nor reach into the
// server's own network:
// - only http(s), no redirects, at most FETCH_TIMEOUT_MS and MAX_BYTES, PNG or JPEG only;
// - with CERTIFICATE_IMAGES=public (the default) only hosts whose every address is public;
//   `all` also allows private and loopback addresses (an intranet, tests), `off` fetches nothing
//   (the rules of ../../shared/addresses.ts, which webhooks follow too);
// - results, failures included, are kept for CACHE_TTL_MS, so a slow URL costs its timeout at
//   most once per period, and concurrent requests for one URL share one fetch.
// An image that cannot be had is left out; the certificate is still issued.
// (The address check and the fetch resolve the name separately; a host that changes its answer
// in between can still win that race. Put certificates behind an egress proxy if that matters.)
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';
import { hostAllowed } from '../../shared/addresses.js';

const FETCH_TIMEOUT_MS = 1500;
const MAX_BYTES = 2 * 1024 * 1024;
const CACHE_TTL_MS = 10 * 60_000;

export function isImage(bytes: Uint8Array): boolean {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return png || jpeg;
}

export class ImageFetcher {
  readonly #cache = new LRUCache<string, Promise<Buffer | null>>({ max: 500, ttl: CACHE_TTL_MS });

  constructor(private readonly policy: Config['certificateImages']) {}

  /** The image's bytes, or null when it cannot be had quickly and safely. */
  get(url: string | null): Promise<Buffer | null> {
    if (!url || this.policy === 'off') return Promise.resolve(null);
    let pending = this.#cache.get(url);
    if (!pending) {
      pending = this.#fetch(url).catch(() => null);
      this.#cache.set(url, pending);
    }
    return pending;
  }

  #allowed(host: string): Promise<boolean> {
    return this.policy === 'off' ? Promise.resolve(false) : hostAllowed(this.policy, host);
  }

  async #fetch(url: string): Promise<Buffer | null> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
    if (!(await Promise.race([this.#allowed(parsed.hostname), aborted(signal)]))) return null;
    const response = await fetch(parsed, { redirect: 'error', signal });
    if (!response.ok || !response.body) return null;
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_BYTES) return null;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > MAX_BYTES) {
        await reader.cancel();
        return null;
      }
      chunks.push(read.value);
    }
    const bytes = Buffer.concat(chunks);
    return isImage(bytes) ? bytes : null;
  }
}

function aborted(signal: AbortSignal): Promise<false> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
}
