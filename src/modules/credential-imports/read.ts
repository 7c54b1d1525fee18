// Reading what another platform's badge says, with no database: which standard and format it is
// in, its BadgeClass/Achievement, its recipient, dates and evidence. Verification is elsewhere
// (verify.ts); this only reads, and reports what it cannot read as problems of the item.
import { createHash } from 'node:crypto';
import { asArray, isCompactJwt, isObject, unbakeImage, type JsonObject } from '../credentials/index.js';

export type Standard = 'OB2' | 'OB3';
export type SourceFormat = 'JSON' | 'JWT' | 'PNG' | 'SVG';

/** One problem of one item: the field under the item (`json.recipient`), the rule, and why. */
export interface ItemProblem {
  field: string;
  rule: string;
  message: string;
}

export class ItemProblems extends Error {
  constructor(readonly problems: ItemProblem[]) {
    super(problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '));
  }
}

export function problem(field: string, rule: string, message: string): ItemProblems {
  return new ItemProblems([{ field, rule, message }]);
}

/** The item as given: exactly one of the three sources. */
export interface ImportSource {
  json?: unknown;
  jwt?: string | null;
  imageBase64?: string | null;
}

/** The credential's content, before verification: a JSON document or a compact JWS. */
export interface Unpacked {
  format: SourceFormat;
  /** The input field the content came from, for problems. */
  field: 'json' | 'jwt' | 'imageBase64';
  content: { json: JsonObject } | { jwt: string };
}

function parseJsonText(text: string, field: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw problem(field, 'json', 'is not JSON');
  }
  if (!isObject(parsed)) throw problem(field, 'jsonObject', 'is not a JSON object');
  return parsed;
}

/** The item's content, from whichever of json, jwt and imageBase64 it gives (exactly one). */
export function unpack(source: ImportSource): Unpacked {
  const given = (['json', 'jwt', 'imageBase64'] as const).filter((name) => source[name] !== undefined && source[name] !== null);
  if (given.length !== 1) throw problem('json', 'exactlyOne', `give exactly one of json, jwt and imageBase64 (got ${given.length})`);
  const [field] = given as ['json' | 'jwt' | 'imageBase64'];
  if (field === 'json') {
    const json = typeof source.json === 'string' ? parseJsonText(source.json, 'json') : source.json;
    if (!isObject(json)) throw problem('json', 'jsonObject', 'is not a JSON object');
    return { format: 'JSON', field, content: { json } };
  }
  if (field === 'jwt') {
    const jwt = source.jwt!.trim();
    if (!isCompactJwt(jwt)) throw problem('jwt', 'compactJws', 'is not a compact JWS (header.payload.signature)');
    return { format: 'JWT', field, content: { jwt } };
  }
  const bytes = Buffer.from(source.imageBase64!.replace(/^data:[^,]*;base64,/, ''), 'base64');
  let baked: ReturnType<typeof unbakeImage>;
  try {
    baked = unbakeImage(bytes);
  } catch (error) {
    throw problem('imageBase64', 'image', (error as Error).message);
  }
  const format = baked.format === 'png' ? 'PNG' : 'SVG';
  const value = baked.value?.trim();
  if (!value) throw problem('imageBase64', 'baked', `the ${format} image carries no Open Badges assertion or credential`);
  if (isCompactJwt(value)) return { format, field, content: { jwt: value } };
  if (value.startsWith('{')) return { format, field, content: { json: parseJsonText(value, 'imageBase64') } };
  throw problem(
    'imageBase64',
    'hostedUrl',
    `the image carries only the address of a hosted assertion (${value.slice(0, 200)}), which an image import does not follow: give the assertion's JSON as json`,
  );
}

/** The JSON payload of a compact JWS, unverified. */
export function jwsPayload(jwt: string): JsonObject | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    return isObject(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

function types(document: JsonObject): string[] {
  return asArray(document.type).filter((type): type is string => typeof type === 'string');
}

function contexts(document: JsonObject): string[] {
  return asArray(document['@context']).filter((context): context is string => typeof context === 'string');
}

/** OB2 assertion, OB3 credential, or neither (undefined). A JWT's payload is judged by its content. */
export function standardOf(document: JsonObject): Standard | undefined {
  const documentTypes = types(document);
  if (documentTypes.includes('Assertion') || contexts(document).some((context) => context.includes('w3id.org/openbadges/v2'))) return 'OB2';
  if (documentTypes.includes('VerifiableCredential') || 'credentialSubject' in document || isObject(document.vc)) return 'OB3';
  // An OB 2.0 assertion may leave out its type when its context says it; these fields are its own.
  if ('recipient' in document && 'badge' in document && 'verification' in document) return 'OB2';
  return undefined;
}

/** A recipient identity: a plain email, or a salted hash of one. */
export type Identity = { email: string } | { algorithm: 'sha256' | 'md5'; hash: string; salt: string };

export interface AchievementFields {
  /** The BadgeClass (2.0) or Achievement (3.0) id: the template's sourceAchievementId. */
  id: string;
  name: string;
  description: string;
  criteriaNarrative: string | null;
  criteriaUrl: string | null;
  imageUrl: string | null;
  tags: string[];
}

export interface ReadCredential {
  standard: Standard;
  /** The assertion's or credential's id: the award's legacyId. */
  legacyId: string;
  achievement: AchievementFields;
  identities: Identity[];
  recipientName: string | null;
  issuedAt: Date;
  expiresAt: Date | null;
  evidence: Array<{ url: string; name: string | null; narrative: string | null }>;
  warnings: string[];
}

const MAX_TAGS = 50;
const MAX_EVIDENCE = 20;

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

function date(value: unknown, field: string, rule: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = typeof value === 'string' ? new Date(value) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) throw problem(field, rule, `is not a date: ${JSON.stringify(value)}`);
  return parsed;
}

/** A string id, or the `id` of an object. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isObject(value) && typeof value.id === 'string' ? value.id : undefined;
}

function achievementFields(
  achievement: JsonObject,
  field: string,
  tagsField: 'tags' | 'tag',
  warnings: string[],
): AchievementFields {
  const id = nonEmpty(achievement.id);
  if (!id) throw problem(`${field}.id`, 'required', 'is required: it names the badge, so later imports of it match the same template');
  const name = nonEmpty(achievement.name);
  if (!name) throw problem(`${field}.name`, 'required', 'is required');
  const criteria = achievement.criteria;
  const criteriaUrl = idOf(criteria);
  const image = idOf(achievement.image);
  if (image !== undefined && !isHttpUrl(image)) warnings.push(`The badge image is not an http(s) address (${clip(image, 40)}): the template has no image`);
  return {
    id: clip(id, 1000),
    name: clip(name, 200),
    // A template needs a description; a badge without one is described by its name.
    description: clip(nonEmpty(achievement.description) ?? name, 5000),
    criteriaNarrative: isObject(criteria) && nonEmpty(criteria.narrative) ? clip(nonEmpty(criteria.narrative)!, 10_000) : null,
    criteriaUrl: isHttpUrl(criteriaUrl) ? criteriaUrl : null,
    imageUrl: isHttpUrl(image) ? image : null,
    tags: [
      ...new Set(
        asArray(achievement[tagsField])
          .flatMap((tag) => nonEmpty(tag) ?? [])
          .map((tag) => clip(tag, 64)),
      ),
    ].slice(0, MAX_TAGS),
  };
}

function evidenceList(value: unknown): ReadCredential['evidence'] {
  return asArray(value)
    .flatMap((item) => {
      const url = idOf(item);
      if (!isHttpUrl(url)) return [];
      const object = isObject(item) ? item : {};
      return [{ url, name: nonEmpty(object.name) ? clip(nonEmpty(object.name)!, 200) : null, narrative: nonEmpty(object.narrative) ? clip(nonEmpty(object.narrative)!, 5000) : null }];
    })
    .slice(0, MAX_EVIDENCE);
}

const HASHED = /^(sha256|md5)\$([0-9a-fA-F]+)$/;

function hashedIdentity(identity: string, salt: unknown, field: string): Identity {
  const match = HASHED.exec(identity);
  if (!match) throw problem(field, 'hashFormat', 'a hashed identity must be "sha256$<hex>" or "md5$<hex>"');
  return { algorithm: match[1] as 'sha256' | 'md5', hash: match[2]!.toLowerCase(), salt: typeof salt === 'string' ? salt : '' };
}

/**
 * Reads an OB 2.0 Assertion. `documents` are the BadgeClass, Profile and key documents the
 * caller gave (or that were fetched), by id: an assertion naming its BadgeClass by URL finds it there.
 */
export function readOb2(assertion: JsonObject, documents: ReadonlyMap<string, JsonObject>, field: string): ReadCredential & { badge: JsonObject } {
  const warnings: string[] = [];
  const legacyId = nonEmpty(assertion.id);
  if (!legacyId) throw problem(`${field}.id`, 'required', 'is required: it is the award’s legacyId, and what makes a second import of it issue nothing');
  const badgeRef = assertion.badge;
  const badge = isObject(badgeRef) ? badgeRef : typeof badgeRef === 'string' ? documents.get(badgeRef) : undefined;
  if (!badge) {
    throw problem(
      `${field}.badge`,
      'badgeClassGiven',
      typeof badgeRef === 'string'
        ? `names the BadgeClass ${clip(badgeRef, 200)}, which is not embedded and not among the documents given`
        : 'is required',
    );
  }
  const recipient = assertion.recipient;
  if (!isObject(recipient)) throw problem(`${field}.recipient`, 'required', 'is required');
  if (recipient.type !== 'email') throw problem(`${field}.recipient.type`, 'email', `is "${String(recipient.type)}"; only email recipients are imported`);
  const identity = nonEmpty(recipient.identity);
  if (!identity) throw problem(`${field}.recipient.identity`, 'required', 'is required');
  const identities = [recipient.hashed === true ? hashedIdentity(identity, recipient.salt, `${field}.recipient.identity`) : { email: identity }];
  const issuedAt = date(assertion.issuedOn, `${field}.issuedOn`, 'date');
  if (!issuedAt) throw problem(`${field}.issuedOn`, 'required', 'is required');
  if (assertion.revoked === true) throw problem(`${field}.revoked`, 'notRevoked', 'the assertion says it is revoked');
  return {
    standard: 'OB2',
    legacyId: clip(legacyId, 200),
    achievement: achievementFields(badge, `${field}.badge`, 'tags', warnings),
    identities,
    recipientName: null,
    issuedAt,
    expiresAt: date(assertion.expires, `${field}.expires`, 'date') ?? null,
    evidence: evidenceList(assertion.evidence),
    warnings,
    badge,
  };
}

function ob3Identity(identifier: unknown, field: string): Identity[] {
  if (!isObject(identifier) || identifier.identityType !== 'emailAddress') return [];
  const value = nonEmpty(identifier.identityHash);
  if (!value) return [];
  return [identifier.hashed === true ? hashedIdentity(value, identifier.salt, field) : { email: value }];
}

/** Reads an OB 3.0 credential (already verified, or about to be). */
export function readOb3(credential: JsonObject, field: string): ReadCredential {
  const warnings: string[] = [];
  const legacyId = nonEmpty(credential.id);
  if (!legacyId) throw problem(`${field}.id`, 'required', 'is required: it is the award’s legacyId, and what makes a second import of it issue nothing');
  const subject = asArray(credential.credentialSubject).find(isObject);
  if (!subject) throw problem(`${field}.credentialSubject`, 'required', 'is required');
  const achievement = subject.achievement;
  if (!isObject(achievement)) throw problem(`${field}.credentialSubject.achievement`, 'required', 'is required: only achievement credentials are imported');
  const identities = asArray(subject.identifier).flatMap((identifier, position) =>
    ob3Identity(identifier, `${field}.credentialSubject.identifier[${position}].identityHash`),
  );
  if (typeof subject.id === 'string' && subject.id.startsWith('mailto:')) identities.push({ email: subject.id.slice('mailto:'.length) });
  const issuedAt =
    date(credential.validFrom, `${field}.validFrom`, 'date') ??
    date(credential.issuanceDate, `${field}.issuanceDate`, 'date') ??
    date(subject.awardedDate, `${field}.credentialSubject.awardedDate`, 'date');
  if (!issuedAt) throw problem(`${field}.validFrom`, 'required', 'is required');
  return {
    standard: 'OB3',
    legacyId: clip(legacyId, 200),
    achievement: achievementFields(achievement, `${field}.credentialSubject.achievement`, 'tag', warnings),
    identities,
    recipientName: nonEmpty(subject.name) ? clip(nonEmpty(subject.name)!, 200) : null,
    issuedAt,
    expiresAt: date(credential.validUntil, `${field}.validUntil`, 'date') ?? date(credential.expirationDate, `${field}.expirationDate`, 'date') ?? null,
    evidence: evidenceList(credential.evidence),
    warnings,
  };
}

function digest(algorithm: 'sha256' | 'md5', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

/**
 * The recipient's email: a plain identity as it is; a hashed one is matched against the
 * candidates, each as given and lower-cased, followed by the salt (Open Badges hashes the
 * identity string plus the salt). Undefined when nothing matches.
 */
export function matchIdentity(identities: readonly Identity[], candidates: readonly string[]): string | undefined {
  for (const identity of identities) {
    if ('email' in identity) return identity.email;
  }
  for (const identity of identities) {
    if ('email' in identity) continue;
    const found = candidates.find((candidate) =>
      [...new Set([candidate.trim(), candidate.trim().toLowerCase()])].some((email) => digest(identity.algorithm, email + identity.salt) === identity.hash),
    );
    if (found) return found.trim();
  }
  return undefined;
}
