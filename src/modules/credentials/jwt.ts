// VC-JWT (Open Badges 3.0 "JSON Web Token Proof Format", VC-JOSE-COSE): the JWS payload is the
// credential itself, plus the registered claims that repeat its fields for JWT libraries.
import {
  compactVerify,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type KeyObject,
  type ProtectedHeaderParameters,
} from 'jose';
import { issuerId, isObject, type JsonObject } from './types.js';

export type JwtAlgorithm = 'EdDSA' | 'RS256';
/** Algorithms accepted when verifying: ours, and the other common VC-JWT ones; never `none` or HMAC. */
const ACCEPTED_ALGORITHMS = ['EdDSA', 'Ed25519', 'RS256', 'PS256', 'ES256', 'ES384'];
/** Registered claims a JWT adds around the credential; not part of the credential itself. */
const JWT_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

export type JwtKey = JWK | CryptoKey | KeyObject;

export interface JwtSignOptions {
  alg: JwtAlgorithm;
  /** The private key (a JWK with `d`, or a key object). */
  key: JwtKey;
  /** Absolute URL of the verification method, as published in the issuer's controller document. */
  kid: string;
}

function seconds(date: unknown): number | undefined {
  if (typeof date !== 'string') return undefined;
  const time = Date.parse(date);
  return Number.isNaN(time) ? undefined : Math.floor(time / 1000);
}

/** The JWT payload for a credential: the credential without `proof`, plus iss, sub, jti, nbf, exp. */
export function credentialJwtPayload(credential: JsonObject): JWTPayload {
  const { proof: _proof, ...payload } = credential;
  const subject = credential.credentialSubject;
  const claims: JWTPayload = {
    iss: issuerId(credential),
    jti: typeof credential.id === 'string' ? credential.id : undefined,
    // The recipient, when the subject has an id (OB 3.0 maps `sub` to credentialSubject.id).
    sub: isObject(subject) && typeof subject.id === 'string' ? subject.id : undefined,
    nbf: seconds(credential.validFrom),
    exp: seconds(credential.validUntil),
  };
  for (const [name, value] of Object.entries(claims)) if (value !== undefined) payload[name] = value;
  return payload;
}

async function asKey(key: JwtKey, alg: string): Promise<CryptoKey | KeyObject | Uint8Array> {
  return isJwk(key) ? importJWK(key, alg) : key;
}

function isJwk(key: JwtKey): key is JWK {
  return typeof (key as JWK).kty === 'string';
}

/** A compact JWS over the credential, header `{ alg, typ: 'JWT', kid }`. */
export async function signCredentialJwt(credential: JsonObject, options: JwtSignOptions): Promise<string> {
  return new SignJWT(credentialJwtPayload(credential))
    .setProtectedHeader({ alg: options.alg, typ: 'JWT', kid: options.kid })
    .sign(await asKey(options.key, options.alg));
}

/** The credential a JWT payload carries: the payload less the JWT claims (or a VC 1.1 `vc` claim). */
function credentialOf(payload: JWTPayload): JsonObject {
  if (!('@context' in payload) && isObject(payload.vc)) return payload.vc;
  const credential: JsonObject = { ...payload };
  for (const claim of JWT_CLAIMS) delete credential[claim];
  return credential;
}

export interface DecodedCredentialJwt {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
  credential: JsonObject;
}

/** Header, payload and credential of a JWT, without checking its signature. */
export function decodeCredentialJwt(jwt: string): DecodedCredentialJwt {
  const header = decodeProtectedHeader(jwt);
  const payload = decodeJwt(jwt);
  return { header, payload, credential: credentialOf(payload) };
}

/**
 * Checks the JWT's signature, with `key`, or when none is given with the public key embedded in
 * the header's `jwk` (which proves only that the JWT was not altered, not who signed it). Dates
 * are not checked here: verifyCredential checks the credential's own validFrom/validUntil.
 */
export async function verifyCredentialJwt(jwt: string, key?: JwtKey): Promise<DecodedCredentialJwt> {
  const options = { algorithms: ACCEPTED_ALGORITHMS };
  const { protectedHeader, payload } = key
    ? await compactVerify(jwt, await asKey(key, decodeProtectedHeader(jwt).alg ?? ''), options)
    : await compactVerify(jwt, EmbeddedJWK, options);
  const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
  if (!isObject(claims)) throw new Error('The JWT payload is not a JSON object');
  return { header: protectedHeader, payload: claims, credential: credentialOf(claims) };
}
