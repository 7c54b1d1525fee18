// Which hosts the server may call on a user's behalf (certificate images, webhooks): URLs anyone
// with an API key could set must not reach into the server's own network. With policy `public`
// only hosts whose every address is public are allowed; `all` also allows private, loopback and
// link-local (metadata) addresses, for an intranet or tests.
import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type AddressPolicy = 'public' | 'all';

// One list per family: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too, so
// a single list holding ::ffff:0:0/96 would refuse every IPv4 address.
function ranges(family: 'ipv4' | 'ipv6', subnets: ReadonlyArray<readonly [string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of subnets) list.addSubnet(network, prefix, family);
  return list;
}

const PRIVATE_V4 = ranges('ipv4', [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3],
]);
const PRIVATE_V6 = ranges('ipv6', [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]]);
const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Whether one resolved address may be called under `policy`. */
export function addressAllowed(policy: AddressPolicy, address: string, family: number): boolean {
  if (policy === 'all') return true;
  if (family === 6 || isIP(address) === 6) {
    // An IPv4-mapped IPv6 address reaches the IPv4 address inside it.
    const mapped = MAPPED_V4.exec(address);
    if (mapped) return !PRIVATE_V4.check(mapped[1]!, 'ipv4');
    if (/^::ffff:/i.test(address)) return false; // the mapped form in hex: refused rather than decoded
    return !PRIVATE_V6.check(address, 'ipv6');
  }
  return !PRIVATE_V4.check(address, 'ipv4');
}

/** The addresses of `host` (a name, an IPv4 or a bracketed or bare IPv6 literal). */
export async function resolveHost(host: string): Promise<LookupAddress[]> {
  const name = host.replace(/^\[|\]$/g, '');
  return isIP(name) ? [{ address: name, family: isIP(name) }] : lookup(name, { all: true });
}

/** Whether every address `host` resolves to now may be called under `policy` (false when it resolves to none). */
export async function hostAllowed(policy: AddressPolicy, host: string): Promise<boolean> {
  if (policy === 'all') return true;
  const addresses = await resolveHost(host);
  return addresses.length > 0 && addresses.every(({ address, family }) => addressAllowed(policy, address, family));
}
