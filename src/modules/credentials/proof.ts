// The `proof` and `issuerKey` checks: does the signature verify with the key the proof names, and
// is that key the issuer's? Kept apart so a status list credential is checked the same way.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { JWK } from 'jose';
import jsigs from 'jsonld-signatures';
import { MULTIKEY_V1_CONTEXT_URL } from './contexts.js';
import type { DocumentLoader } from './document-loader.js';
import { verifyCredentialJwt, type DecodedCredentialJwt } from './jwt.js';
import { eddsaRdfc2022Suite } from './sign.js';
import { asArray, isObject, issuerId, type CheckResult, type JsonObject } from './types.js';
import { KeyResolutionError, resolveVerificationMethod, type KeyResolver, type ResolvedKey } from './verification-method.js';

export interface ProofChecks {
  proof: CheckResult;
  issuerKey: CheckResult;
}

export interface ProofCheckOptions {
  documentLoader: DocumentLoader;
  resolveKey?: KeyResolver;
}

const SOURCE_WORDING = {
  resolver: 'is one of the keys known for the issuer',
  'did:key': 'is the did:key the issuer is',
  fragment: "was read from the verification method's fragment",
  'jwt-header': "was read from the JWT header's jwk",
} as const;

/** Whether the key is the issuer's: its controller must be the issuer; the message says whether that is known or only claimed. */
function issuerKeyCheck(credential: JsonObject, key: ResolvedKey, jwtIssuer?: unknown): CheckResult {
  const issuer = issuerId(credential);
  if (!issuer) return { passed: false, message: 'The credential names no issuer' };
  if (jwtIssuer !== undefined && jwtIssuer !== issuer) {
    return { passed: false, message: `The JWT's iss (${String(jwtIssuer)}) is not the credential's issuer (${issuer})` };
  }
  if (key.method.controller !== issuer) {
    return { passed: false, message: `The key ${key.method.id} belongs to ${key.method.controller || 'no one'}, not to the issuer ${issuer}` };
  }
  const how = `the key ${key.method.id} ${SOURCE_WORDING[key.source]}`;
  if (key.confirmed) return { passed: true, message: `confirmed: ${how}` };
  return { passed: true, message: `unconfirmed: ${how}, not from keys known to belong to ${issuer}` };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // jsonld-signatures wraps the reasons; jsonld puts the loader's error in details.cause.
  const nested = (error as Error & { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0) return nested.map(describe).join('; ');
  // Safe mode says what it dropped in details.event: an undefined property or type.
  type Details = { cause?: unknown; event?: { details?: { property?: unknown; type?: unknown } } };
  const details = (error as Error & { details?: Details }).details;
  const dropped = details?.event?.details;
  if (typeof dropped?.property === 'string') return `${error.message} (no context defines "${dropped.property}")`;
  if (typeof dropped?.type === 'string') return `${error.message} (no context defines the type "${dropped.type}")`;
  return details?.cause ? `${error.message} (${describe(details.cause)})` : error.message;
}

function notChecked(reason: string): ProofChecks {
  return { proof: { passed: false, message: reason }, issuerKey: { passed: false, message: `not checked: ${reason}` } };
}

/** Checks an embedded Data Integrity proof (eddsa-rdfc-2022) and its key. */
export async function checkDataIntegrityProof(credential: JsonObject, options: ProofCheckOptions): Promise<ProofChecks> {
  const proofs = asArray(credential.proof).filter(isObject);
  if (proofs.length === 0) return notChecked('The credential has no proof');
  // Of a proof set, the first proof of our kind is checked; the others are ignored.
  const proof = proofs.find((item) => item.type === 'DataIntegrityProof' && item.cryptosuite === 'eddsa-rdfc-2022');
  if (!proof) {
    const kinds = proofs.map((item) => [item.type, item.cryptosuite].filter(Boolean).join('/')).join(', ');
    return notChecked(`No proof of a supported kind (DataIntegrityProof eddsa-rdfc-2022); found ${kinds}`);
  }
  const { verificationMethod } = proof;
  const methodId = typeof verificationMethod === 'string' ? verificationMethod : isObject(verificationMethod) ? verificationMethod.id : undefined;
  if (typeof methodId !== 'string') return notChecked('The proof names no verification method');

  let key: ResolvedKey;
  try {
    key = await resolveVerificationMethod(methodId, { resolveKey: options.resolveKey });
  } catch (error) {
    if (!(error instanceof KeyResolutionError)) throw error;
    return { proof: { passed: false, message: `The signature cannot be checked: ${error.message}` }, issuerKey: { passed: false, message: error.message } };
  }

  // The key is served to jsonld-signatures under its id; the controller is given directly, as
  // listing the key for assertions (whether it is the issuer's is the issuerKey check).
  const keyDocument = { '@context': MULTIKEY_V1_CONTEXT_URL, ...key.method };
  const documentLoader: DocumentLoader = async (url) =>
    url === methodId ? { contextUrl: null, documentUrl: url, document: keyDocument } : options.documentLoader(url);
  const purpose = new jsigs.purposes.AssertionProofPurpose({ controller: { id: key.method.controller, assertionMethod: [methodId] } });
  let result;
  try {
    result = await jsigs.verify({ ...credential, proof }, { suite: eddsaRdfc2022Suite(), purpose, documentLoader });
  } catch (error) {
    result = { verified: false, error: error as Error };
  }
  const proofCheck = result.verified
    ? { passed: true, message: `The eddsa-rdfc-2022 signature verifies with ${methodId}` }
    : { passed: false, message: `The signature does not verify: ${describe(result.results?.[0]?.error ?? result.error)}` };
  return { proof: proofCheck, issuerKey: issuerKeyCheck(credential, key) };
}

/** A JWK for a verification method: its publicKeyJwk, or its Ed25519 Multikey converted. */
async function jwkOf(key: ResolvedKey): Promise<JWK> {
  if (key.method.publicKeyJwk) return key.method.publicKeyJwk as JWK;
  const pair = await Ed25519Multikey.from({ ...key.method, '@context': MULTIKEY_V1_CONTEXT_URL });
  return { ...(await Ed25519Multikey.toJwk({ keyPair: pair })) };
}

/** Checks a VC-JWT's signature and key; `decoded` is its unverified decoding. */
export async function checkJwtProof(jwt: string, decoded: DecodedCredentialJwt, options: ProofCheckOptions): Promise<ProofChecks> {
  const { header, payload, credential } = decoded;
  const embeddedJwk = isObject(header.jwk) ? (header.jwk as JWK) : undefined;
  let key: ResolvedKey;
  try {
    key = await resolveVerificationMethod(header.kid, { resolveKey: options.resolveKey, embeddedJwk, issuer: issuerId(credential) });
  } catch (error) {
    if (!(error instanceof KeyResolutionError)) throw error;
    return { proof: { passed: false, message: `The signature cannot be checked: ${error.message}` }, issuerKey: { passed: false, message: error.message } };
  }
  let proof: CheckResult;
  try {
    await verifyCredentialJwt(jwt, await jwkOf(key));
    proof = { passed: true, message: `The JWT's ${String(header.alg)} signature verifies with ${key.method.id}` };
  } catch (error) {
    proof = { passed: false, message: `The JWT's signature does not verify: ${describe(error)}` };
  }
  return { proof, issuerKey: issuerKeyCheck(credential, key, payload.iss) };
}
