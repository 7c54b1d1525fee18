// Who is calling, for engagement deduplication. Behind proxies the socket's address is the
// nearest proxy's, and X-Forwarded-For carries the client's, but anyone can send that header:
// it is read only when TRUST_PROXY says how many proxies of ours append to it, and then only the
// entry the farthest of them appended (earlier entries are whatever the client claimed).
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * One spelling per address, so one client is one client: an IPv4 client on a dual-stack socket
 * (::ffff:1.2.3.4) is its IPv4 address, and an IPv6 address takes its canonical form (RFC 5952:
 * lower case, zeros compressed, no zone), which the URL parser writes.
 */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  // Every IPv6 spelling has a colon: an IPv4 address is already in its one form.
  if (!trimmed.includes(':')) return trimmed;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(trimmed);
  if (mapped) return mapped[1]!;
  const withoutZone = trimmed.split('%')[0]!;
  return isIPv6(withoutZone) ? new URL(`http://[${withoutZone}]/`).hostname.slice(1, -1) : trimmed;
}

export function clientAddress(request: IncomingMessage | undefined, forwardedFor: string | null, trustedHops: number): string {
  if (trustedHops > 0 && forwardedFor) {
    const hops = forwardedFor.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (hops.length) return normaliseAddress(hops[Math.max(0, hops.length - trustedHops)]!);
  }
  return normaliseAddress(request?.socket.remoteAddress ?? 'unknown');
}
