// Images on a certificate (the organization's logo, the badge image) are URLs anyone with an API
// key could set, so fetching them must neither hang a certificate request nor reach into the
// server's own network:
// - only http(s), no redirects, at most FETCH_TIMEOUT_MS and MAX_BYTES, PNG or JPEG only;
// - with CERTIFICATE_IMAGES=public (the default) only hosts whose every address is public;
//   `all` also allows private and loopback addresses (an intranet, tests), `off` fetches nothing;
// - results, failures included, are kept for CACHE_TTL_MS, so a slow URL costs its timeout at
//   most once per period, and concurrent requests for one URL share one fetch.
// An image that cannot be had is left out; the certificate is still issued.
// (The address check and the fetch resolve the name separately; a host that changes its answer
// in between can still win that race. Put certificates behind an egress proxy if that matters.)
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config.js';

const FETCH_TIMEOUT_MS = 1500;
const MAX_BYTES = 2 * 1024 * 1024;
const CACHE_TTL_MS = 10 * 60_000;

function privateRanges(): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
    ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
  ] as const) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
}

export function isImage(bytes: Uint8Array): boolean {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  return png || jpeg;
}

export class ImageFetcher {
  readonly #cache = new LRUCache<string, Promise<Buffer | null>>({ max: 500, ttl: CACHE_TTL_MS });
  readonly #private = privateRanges();

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

  async #allowed(host: string): Promise<boolean> {
    if (this.policy === 'all') return true;
    const name = host.replace(/^\[|\]$/g, '');
    const addresses = isIP(name) ? [{ address: name, family: isIP(name) }] : await lookup(name, { all: true });
    return addresses.length > 0 && addresses.every(({ address, family }) => !this.#private.check(address, family === 6 ? 'ipv6' : 'ipv4'));
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
