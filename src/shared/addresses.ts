// Which hosts the server may call on a user's behalf (certificate images, webhooks): URLs anyone
// with an API key could set must not reach into the server's own network. With policy `public`
// only hosts whose every address is public are allowed; `all` also allows private, loopback and
// link-local (metadata) addresses, for an intranet or tests.
import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export type AddressPolicy = 'public' | 'all';

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

const PRIVATE = privateRanges();

/** Whether one resolved address may be called under `policy`. */
export function addressAllowed(policy: AddressPolicy, address: string, family: number): boolean {
  return policy === 'all' || !PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
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
