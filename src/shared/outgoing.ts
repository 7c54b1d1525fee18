// Outgoing requests to addresses a user gave (webhooks, documents an import names). The address
// rules (./addresses.ts) are applied to the addresses the connection is actually made to (a lookup
// hook of the socket), so a name that resolves differently between a check and the request cannot
// lead it to a private address.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { addressAllowed, type AddressPolicy } from './addresses.js';

export class BlockedAddress extends Error {
  readonly code = 'EADDRBLOCKED';
  constructor(host: string, address: string, setting: string) {
    super(`${host} resolves to ${address}, a loopback, private or link-local address that ${setting}=public does not allow`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A socket lookup that refuses addresses the policy does not allow (`setting` names it in errors). */
export function guardedLookup(policy: AddressPolicy, setting: string) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.find(({ address, family }) => !addressAllowed(policy, address, family));
      if (refused) return callback(new BlockedAddress(hostname, refused.address, setting), '');
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The refusal of an IP literal the policy does not allow (IP literals never reach the lookup hook). */
export function blockedLiteral(url: URL, policy: AddressPolicy, setting: string): BlockedAddress | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  return family && !addressAllowed(policy, host, family) ? new BlockedAddress(host, host, setting) : undefined;
}

export interface FetchedDocument {
  status: number;
  contentType: string;
  body: Buffer;
  /** The URL answered, after redirects. */
  url: string;
}

export interface GetOptions {
  policy: AddressPolicy;
  /** The setting that chose the policy, named in refusals. */
  setting: string;
  timeoutMs: number;
  maxBytes: number;
  accept: string;
  userAgent: string;
}

const MAX_REDIRECTS = 3;

/**
 * GETs a document: http or https only, redirects followed (each hop under the same address
 * rules), a body larger than `maxBytes` refused. Rejects with the reason when no answer came.
 */
export async function getDocument(address: string, options: GetOptions): Promise<FetchedDocument> {
  let url = new URL(address);
  for (let hop = 0; ; hop += 1) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${url.protocol} addresses are not fetched`);
    const refused = blockedLiteral(url, options.policy, options.setting);
    if (refused) throw refused;
    const answer = await getOnce(url, options);
    const location = answer.status >= 300 && answer.status < 400 ? answer.location : undefined;
    if (!location) return { status: answer.status, contentType: answer.contentType, body: answer.body, url: url.href };
    if (hop === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    url = new URL(location, url);
  }
}

function getOnce(url: URL, options: GetOptions): Promise<{ status: number; contentType: string; body: Buffer; location: string | undefined }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = client.get(
      url,
      {
        headers: { accept: options.accept, 'user-agent': options.userAgent },
        lookup: guardedLookup(options.policy, options.setting),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            reject(new Error(`the answer is larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
            location: response.headers.location,
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', (error: Error) => {
      reject(error.name === 'AbortError' || error.name === 'TimeoutError' ? new Error(`no answer within ${options.timeoutMs} ms`) : error);
    });
  });
}
