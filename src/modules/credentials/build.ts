// An award as an Open Badges 3.0 credential (unsigned): what the award, the template version it
// was issued from and its issuer say, in OB 3.0 terms where one fits and in our extension context
// (contexts/badges-v1.jsonld) where none does. A pure function of its input, so the same award
// always gives the same credential, and a signed one can be kept until its input changes.
import { createHash } from 'node:crypto';
import { extensionContextUrl, OB_V3_CONTEXT_URL, VC_V2_CONTEXT_URL } from './contexts.js';
import { buildStatusListEntry } from './status-list.js';
import type { Credential, JsonObject } from './types.js';

/**
 * Our awards can be restored, and a `revocation` bit is final: their one status entry is a
 * suspension bit (a deleted award's stays set for good).
 */
export const STATUS_PURPOSE = 'suspension';

/** 1EdTech's JSON Schema for the credential, named so that verifiers can check it. */
export const ACHIEVEMENT_CREDENTIAL_SCHEMA = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export interface CredentialIssuer {
  /** The issuer's URL, which serves its Profile and keys. */
  id: string;
  name: string;
  url: string | null;
  email: string | null;
  imageUrl: string | null;
}

export interface CredentialAchievement {
  /** The URL that serves the achievement (one per template version). */
  id: string;
  name: string;
  description: string;
  criteriaNarrative: string | null;
  criteriaUrl: string | null;
  imageUrl: string | null;
  level: string;
  tags: readonly string[];
  version: number;
}

export interface CredentialAward {
  /** Internal id: seeds the identity salt, never published. */
  id: string;
  recipientName: string;
  recipientEmail: string;
  issuedAt: Date;
  expiresAt: Date | null;
  /** The award's own image, when it overrides the template's. */
  imageUrl: string | null;
  activityTitle: string | null;
  activityStartedAt: Date | null;
  activityEndedAt: Date | null;
  notes: string | null;
  additionalDetails: unknown;
  evidence: ReadonlyArray<{ url: string; name?: string | null; narrative?: string | null }>;
  automationLevel: number | null;
}

export interface CredentialInput {
  award: CredentialAward;
  achievement: CredentialAchievement;
  issuer: CredentialIssuer;
  /** The credential's own URL (where it is served). */
  credentialUrl: string;
  /** The server's main public URL: the extension context is named there, whatever the host. */
  publicUrl: string;
  /** The award's suspension status list and its index in it. */
  status: { list: string; index: number };
}

/**
 * The recipient's identifier: SHA-256 of the trimmed, lower-cased email followed by the salt.
 * The salt is published beside the hash (it only stops one hash from matching across awards), and
 * comes from the award's internal id, so the same award always gets the same one.
 */
export function recipientIdentity(email: string, awardId: string): JsonObject {
  const salt = createHash('sha256').update(`identity-salt:${awardId}`).digest('hex').slice(0, 16);
  const identityHash = createHash('sha256').update(`${email.trim().toLowerCase()}${salt}`).digest('hex');
  return { type: 'IdentityObject', identityType: 'emailAddress', hashed: true, salt, identityHash: `sha256$${identityHash}` };
}

function image(url: string | null, caption?: string): JsonObject | undefined {
  return url ? { id: url, type: 'Image', ...(caption ? { caption } : {}) } : undefined;
}

/** The award's evidence as OB 3.0 Evidence objects; absent when there is none. */
function buildEvidence(list: CredentialAward['evidence']): JsonObject[] | undefined {
  if (!list.length) return undefined;
  return list.map((item) => present({ id: item.url, type: ['Evidence'], name: item.name, narrative: item.narrative }));
}

/** Leaves out what is null or undefined, so optional fields are absent rather than null. */
export function present(fields: Record<string, unknown>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));
}

/** A template version's tags (stored as a JSON array), as strings. */
export function tagsOf(stored: unknown): string[] {
  return Array.isArray(stored) ? stored.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** The achievement a credential names, as its credentials embed it and its URL serves it. */
export function buildAchievement(achievement: CredentialAchievement, issuerId: string): JsonObject {
  return present({
    id: achievement.id,
    type: ['Achievement'],
    achievementType: 'Badge',
    name: achievement.name,
    description: achievement.description,
    criteria: present({
      id: achievement.criteriaUrl,
      // 1EdTech's schema requires criteria: the description stands in when the template has none.
      narrative: achievement.criteriaNarrative ?? (achievement.criteriaUrl ? null : achievement.description),
    }),
    image: image(achievement.imageUrl, achievement.name),
    tag: achievement.tags.length ? [...achievement.tags] : undefined,
    version: String(achievement.version),
    badgeLevel: achievement.level === 'NONE' ? undefined : achievement.level,
    creator: { id: issuerId, type: ['Profile'] },
  });
}

/** The issuer's Profile, as credentials embed it and its URL serves it (with its keys). */
export function buildIssuerProfile(issuer: CredentialIssuer): JsonObject {
  return present({
    id: issuer.id,
    type: ['Profile'],
    name: issuer.name,
    url: issuer.url,
    email: issuer.email,
    image: image(issuer.imageUrl, issuer.name),
  });
}

export function buildAwardCredential(input: CredentialInput): Credential {
  const { award, achievement, issuer } = input;
  return present({
    '@context': [VC_V2_CONTEXT_URL, OB_V3_CONTEXT_URL, extensionContextUrl(input.publicUrl)],
    id: input.credentialUrl,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: achievement.name,
    description: achievement.description,
    image: image(achievement.imageUrl, achievement.name),
    issuer: buildIssuerProfile(issuer),
    validFrom: award.issuedAt.toISOString(),
    validUntil: award.expiresAt?.toISOString(),
    awardedDate: award.issuedAt.toISOString(),
    credentialSubject: present({
      type: ['AchievementSubject'],
      name: award.recipientName,
      identifier: [recipientIdentity(award.recipientEmail, award.id)],
      image: image(award.imageUrl),
      // Notes stay out: they are the issuer's own, and the credential is public.
      activityTitle: award.activityTitle,
      activityStartDate: award.activityStartedAt?.toISOString(),
      activityEndDate: award.activityEndedAt?.toISOString(),
      additionalDetails: award.additionalDetails,
      automationLevel: award.automationLevel,
      achievement: buildAchievement(achievement, issuer.id),
    }),
    evidence: buildEvidence(award.evidence),
    credentialSchema: [{ id: ACHIEVEMENT_CREDENTIAL_SCHEMA, type: '1EdTechJsonSchemaValidator2019' }],
    // One entry: 1EdTech's schema takes a single credentialStatus object (docs/credentials.md).
    credentialStatus: buildStatusListEntry(input.status.list, input.status.index, STATUS_PURPOSE),
  }) as Credential;
}
