// Finding the public key a proof names. Keys the caller knows (its own issuers' keys, or keys it
// fetched and trusts) are "confirmed". Otherwise the key is read from the identifier itself, as
// 1EdTech's validator does: a URL whose fragment is an Ed25519 publicKeyMultibase, or a JWT
// header's `jwk`. Such a key proves the credential was not altered since it was signed with that
// key, but not that the key is the issuer's: it is "unconfirmed". A `did:key` is the exception:
// the identifier is the key, so when the issuer is that did:key the key is its by construction.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { JWK } from 'jose';
import { asArray, isObject, type JsonObject, type VerificationMethod } from './types.js';

/** The caller's keys: the verification method for an id, or undefined when it does not know it. */
export type KeyResolver = (verificationMethodId: string) => VerificationMethod | undefined | Promise<VerificationMethod | undefined>;

export type KeySource = 'resolver' | 'did:key' | 'fragment' | 'jwt-header';

export interface ResolvedKey {
  method: VerificationMethod;
  source: KeySource;
  /** True when the caller's resolver supplied the key, or for a did:key (whose controller is the key itself). */
  confirmed: boolean;
}

export class KeyResolutionError extends Error {
  override name = 'KeyResolutionError';
}

// Multibase base58-btc ("z") of the Ed25519 public key multicodec header 0xed 0x01.
const ED25519_MULTIBASE = /^z6Mk[1-9A-HJ-NP-Za-km-z]+$/;

/** An Ed25519 Multikey for `publicKeyMultibase`, checked to decode to a 32-byte key. */
async function ed25519Method(id: string, controller: string, publicKeyMultibase: string): Promise<VerificationMethod> {
  if (!ED25519_MULTIBASE.test(publicKeyMultibase)) throw new KeyResolutionError(`${id} names no Ed25519 key`);
  try {
    const key = await Ed25519Multikey.from({ id, controller, publicKeyMultibase });
    if (key.publicKey.length !== 32) throw new Error('wrong length');
  } catch {
    throw new KeyResolutionError(`${id}: its fragment is not a valid Ed25519 public key`);
  }
  return { id, type: 'Multikey', controller, publicKeyMultibase };
}

function parseUrl(id: string): URL {
  try {
    return new URL(id);
  } catch {
    throw new KeyResolutionError(`The verification method ${JSON.stringify(id)} is not a URL`);
  }
}

export interface ResolveKeyOptions {
  resolveKey?: KeyResolver;
  /** A JWT header's `jwk`, used when the id gives no key; claimed for `issuer`. */
  embeddedJwk?: JWK;
  issuer?: string;
}

/** The key for verification method `id` (undefined for a JWT without `kid`); throws KeyResolutionError. */
export async function resolveVerificationMethod(id: string | undefined, options: ResolveKeyOptions = {}): Promise<ResolvedKey> {
  if (id !== undefined && options.resolveKey) {
    const method = await options.resolveKey(id);
    if (method) return { method, source: 'resolver', confirmed: true };
  }
  let error: KeyResolutionError | undefined;
  if (id !== undefined) {
    try {
      return await keyFromIdentifier(id);
    } catch (caught) {
      if (!(caught instanceof KeyResolutionError)) throw caught;
      error = caught;
    }
  }
  if (options.embeddedJwk) {
    const { embeddedJwk } = options;
    const method: VerificationMethod = {
      id: id ?? 'urn:jwt-header:jwk',
      type: 'JsonWebKey',
      controller: options.issuer ?? '',
      publicKeyJwk: embeddedJwk as JsonObject,
    };
    return { method, source: 'jwt-header', confirmed: false };
  }
  throw error ?? new KeyResolutionError('The JWT names no key (no kid, no jwk)');
}

async function keyFromIdentifier(id: string): Promise<ResolvedKey> {
  const url = parseUrl(id);
  if (url.protocol === 'did:') {
    const [did, fragment] = id.split('#', 2) as [string, string | undefined];
    const match = /^did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]+)$/.exec(did);
    if (!match) throw new KeyResolutionError(`${did.split(':').slice(0, 2).join(':')} DIDs cannot be resolved here`);
    if (fragment !== undefined && fragment !== match[1]) throw new KeyResolutionError(`${id}: the fragment does not name the did:key's key`);
    return { method: await ed25519Method(`${did}#${match[1]}`, did, match[1]!), source: 'did:key', confirmed: true };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyResolutionError(`The verification method ${id} has an unsupported scheme (${url.protocol})`);
  }
  const fragment = url.hash.slice(1);
  if (!fragment.startsWith('z')) throw new KeyResolutionError(`The key ${id} is not known here and its fragment names no key`);
  const controller = id.slice(0, id.indexOf('#'));
  return { method: await ed25519Method(id, controller, fragment), source: 'fragment', confirmed: false };
}

/**
 * A resolver for the keys that controller documents (e.g. our issuers' published ones) list as
 * `assertionMethod`, the relationship credential proofs use; other keys stay unknown.
 */
export function keyResolverFromControllers(documents: readonly JsonObject[]): KeyResolver {
  const keys = new Map<string, VerificationMethod>();
  for (const document of documents) {
    const asserting = new Set(asArray(document.assertionMethod).map((item) => (isObject(item) ? item.id : item)));
    const methods = [...asArray(document.verificationMethod), ...asArray(document.assertionMethod)].filter(isObject);
    for (const method of methods) {
      if (typeof method.id !== 'string' || !asserting.has(method.id)) continue;
      const controller = typeof method.controller === 'string' ? method.controller : String(document.id);
      keys.set(method.id, { ...(method as VerificationMethod), controller });
    }
  }
  return (id) => keys.get(id);
}
