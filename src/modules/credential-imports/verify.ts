// Verifying what an import reads. What is checked, and what cannot be, is in
// docs/imports-from-platforms.md:
// - OB 3.0: our verifier (src/modules/credentials), which fetches nothing. A bad proof, a key that
//   is not the issuer's, a revoked or suspended status, or a credential not yet valid refuse the
//   item; a key read from the credential itself ("unconfirmed"), a status that could not be
//   learned ("unknown"), an expired credential, or a failed 1EdTech schema check are warnings.
// - OB 2.0 signed: the JWS signature, with the key the caller gave (a CryptographicKey document)
//   or the issuer Profile's own publicKey, which must be the one the assertion's creator names.
// - OB 2.0 hosted: the assertion is fetched at its own address (its id), when IMPORT_FETCH allows:
//   410 Gone (revoked) or a different document there refuses it; no answer imports it as given,
//   with a warning, since badges are often brought from a platform that has closed.
// A BadgeClass an OB 2.0 assertion names by URL, and that the caller did not give, is fetched too.
import { compactVerify, decodeProtectedHeader, importSPKI } from 'jose';
import type { Deps } from '../../deps.js';
import { stableStringify } from '../../shared/stable-json.js';
import { isObject, type CheckName, type JsonObject, type VerificationResult } from '../credentials/index.js';
import type { DocumentFetcher } from './fetch.js';
import { idOf, ItemProblems, jwsPayload, problem, readOb2, readOb3, standardOf, type ReadCredential, type Unpacked } from './read.js';

const OB2_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

/** Reads and verifies one unpacked item; throws ItemProblems when it cannot be imported. */
export async function readVerified(
  deps: Deps,
  unpacked: Unpacked,
  given: ReadonlyMap<string, JsonObject>,
  fetcher: DocumentFetcher,
): Promise<ReadCredential> {
  const { field, content } = unpacked;
  const document = 'json' in content ? content.json : jwsPayload(content.jwt);
  if (!document) throw problem(field, 'jsonPayload', 'the JWS payload is not a JSON object');
  const standard = standardOf(document);
  if (standard === 'OB3') return readOb3Verified(deps, unpacked);
  if (standard === 'OB2') {
    const documents = await withBadgeClass(document, given, fetcher, field);
    return 'jwt' in content ? readOb2Signed(content.jwt, document, documents, field) : readOb2Hosted(document, documents, fetcher, field);
  }
  throw problem(field, 'openBadges', 'is neither an Open Badges 2.0 assertion nor an Open Badges 3.0 credential');
}

function verificationType(assertion: JsonObject): string | undefined {
  const verification = assertion.verification;
  return isObject(verification) && typeof verification.type === 'string' ? verification.type.toLowerCase() : undefined;
}

/** The documents, with the assertion's BadgeClass fetched when it names one by URL that is not among them. */
async function withBadgeClass(
  assertion: JsonObject,
  documents: ReadonlyMap<string, JsonObject>,
  fetcher: DocumentFetcher,
  field: string,
): Promise<ReadonlyMap<string, JsonObject>> {
  const badge = assertion.badge;
  if (typeof badge !== 'string' || documents.has(badge)) return documents;
  const answer = await fetcher.json(badge);
  if (answer.found) return new Map(documents).set(badge, answer.json);
  const reason = answer.gone ? 'it is gone (410)' : answer.reason;
  throw problem(`${field}.badge`, 'badgeClassGiven', `names the BadgeClass ${badge.slice(0, 200)}, which is not embedded nor among the documents given, and could not be fetched: ${reason}`);
}

async function readOb2Hosted(assertion: JsonObject, documents: ReadonlyMap<string, JsonObject>, fetcher: DocumentFetcher, field: string): Promise<ReadCredential> {
  const type = verificationType(assertion);
  if (type === 'signed' || type === 'signedbadge') {
    throw problem(`${field}.verification.type`, 'signedAsJws', 'the assertion is signed: give its JWS (jwt, or the image it is baked in), not its JSON');
  }
  if (type !== 'hosted' && type !== 'hostedbadge') throw problem(`${field}.verification.type`, 'hostedOrSigned', 'must be hosted or signed');
  const read = readOb2(assertion, documents, field);
  const answer = await fetcher.json(read.legacyId);
  if (answer.found) {
    const published = answer.json;
    if (published.revoked === true) throw problem(field, 'notRevoked', `its issuer publishes it at ${read.legacyId} as revoked`);
    const differs = (['id', 'recipient', 'badge', 'issuedOn'] as const).filter((key) => !samePublished(key, published[key], assertion[key]));
    if (differs.length) {
      throw problem(field, 'hostedMatches', `differs from the assertion its issuer publishes at ${read.legacyId} (${differs.join(', ')})`);
    }
  } else if (answer.gone) {
    throw problem(field, 'notRevoked', `its issuer answers 410 Gone at ${read.legacyId}: the assertion was revoked`);
  } else {
    read.warnings.push(
      `Hosted assertion: could not be checked at ${read.legacyId} (${answer.reason}), so whether its issuer still publishes it, or has revoked it, is unknown`,
    );
  }
  return read;
}

/**
 * Whether a published assertion's field says what the given one does: a BadgeClass by its id
 * (embedded in one, a URL in the other), a date as an instant, anything else as equal JSON.
 */
function samePublished(key: 'id' | 'recipient' | 'badge' | 'issuedOn', published: unknown, given: unknown): boolean {
  if (key === 'badge') return idOf(published) !== undefined && idOf(published) === idOf(given);
  if (key === 'issuedOn' && typeof published === 'string' && typeof given === 'string') {
    const [a, b] = [Date.parse(published), Date.parse(given)];
    if (!Number.isNaN(a) && !Number.isNaN(b)) return a === b;
  }
  // Equal JSON, whatever the order of the keys.
  return stableStringify(published) === stableStringify(given);
}


function publicKeyPem(key: unknown, documents: ReadonlyMap<string, JsonObject>): JsonObject | undefined {
  const document = typeof key === 'string' ? documents.get(key) : key;
  return isObject(document) && typeof document.publicKeyPem === 'string' ? document : undefined;
}

async function readOb2Signed(jwt: string, assertion: JsonObject, documents: ReadonlyMap<string, JsonObject>, field: string): Promise<ReadCredential> {
  const type = verificationType(assertion);
  if (type !== 'signed' && type !== 'signedbadge') throw problem(`${field}.verification.type`, 'signed', 'a JWS must carry a signed assertion');
  const read = readOb2(assertion, documents, field);
  const issuerRef = read.badge.issuer;
  const issuer = isObject(issuerRef) ? issuerRef : typeof issuerRef === 'string' ? documents.get(issuerRef) : undefined;
  const issuerId = isObject(issuerRef) ? issuerRef.id : issuerRef;
  const creator = isObject(assertion.verification) && typeof assertion.verification.creator === 'string' ? assertion.verification.creator : undefined;
  const candidates = [
    ...(creator ? [publicKeyPem(creator, documents)] : []),
    ...(issuer ? [issuer.publicKey].flat().map((key) => publicKeyPem(key, documents)) : []),
  ].filter((key): key is JsonObject => key !== undefined);
  const key = creator ? candidates.find((candidate) => candidate.id === creator) : candidates[0];
  if (!key) {
    throw problem(
      field,
      'signingKeyGiven',
      `the key that signed it (${creator ?? 'the issuer’s publicKey'}) is not among the documents given nor in the issuer’s Profile (keys are not fetched)`,
    );
  }
  if (typeof key.owner === 'string' && typeof issuerId === 'string' && key.owner !== issuerId) {
    throw problem(field, 'issuerKey', `the key ${typeof key.id === 'string' ? key.id : '(no id)'} belongs to ${key.owner}, not to the issuer ${issuerId}`);
  }
  try {
    const alg = decodeProtectedHeader(jwt).alg ?? '';
    await compactVerify(jwt, await importSPKI(key.publicKeyPem as string, alg), { algorithms: OB2_ALGORITHMS });
  } catch (error) {
    const keyName = typeof key.id === 'string' ? key.id : 'the issuer’s key';
    throw problem(field, 'signatureValid', `the JWS signature does not verify with ${keyName}: ${(error as Error).message}`);
  }
  if (key !== issuer?.publicKey && typeof key.owner !== 'string') read.warnings.push('The signing key names no owner: that it is the issuer’s rests on the caller’s word');
  return read;
}

/** The checks that refuse an item when they fail; the others, and some failures below, warn. */
const REFUSING: readonly CheckName[] = ['format', 'proof', 'issuerKey', 'status', 'validity'];

async function readOb3Verified(deps: Deps, unpacked: Unpacked): Promise<ReadCredential> {
  const { field, content } = unpacked;
  const result: VerificationResult = await deps.credentials.verifier.verify('json' in content ? { credential: content.json } : { jwt: content.jwt });
  const warnings: string[] = [];
  const refusals = result.checks.flatMap((check) => {
    if (check.passed) {
      if (/^(unconfirmed|unknown)/.test(check.message)) warnings.push(`${check.name}: ${check.message}`);
      return [];
    }
    // An expired badge is still part of the earner's record: it is imported, and reads as expired.
    if (!REFUSING.includes(check.name) || (check.name === 'validity' && check.message.startsWith('Expired'))) {
      warnings.push(`${check.name}: ${check.message}`);
      return [];
    }
    return [{ field, rule: `verified:${check.name}`, message: check.message }];
  });
  if (refusals.length) throw new ItemProblems(refusals);
  const read = readOb3(result.credential!, field);
  read.warnings.unshift(...warnings);
  return read;
}
