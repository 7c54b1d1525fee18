// Who is calling, for engagement deduplication. Behind proxies the socket's address is the
// nearest proxy's, and X-Forwarded-For carries the client's, but anyone can send that header:
// it is read only when TRUST_PROXY says how many proxies of ours append to it, and then only the
// entry the farthest of them appended (earlier entries are whatever the client claimed).
import type { IncomingMessage } from 'node:http';

function normalise(address: string): string {
  const trimmed = address.trim();
  // An IPv4 client on a dual-stack socket reads as ::ffff:1.2.3.4.
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

export function clientAddress(request: IncomingMessage | undefined, forwardedFor: string | null, trustedHops: number): string {
  if (trustedHops > 0 && forwardedFor) {
    const hops = forwardedFor.split(',').map((entry) => entry.trim()).filter(Boolean);
    if (hops.length) return normalise(hops[Math.max(0, hops.length - trustedHops)]!);
  }
  return normalise(request?.socket.remoteAddress ?? 'unknown');
}
