// Awards as signed credentials: built from the award, its template version and its issuer, signed
// with the organization's key the first time they are asked for, and kept (AwardCredential) for
// as long as what they say is unchanged. Signing costs milliseconds of CPU, so it never runs in
// the transaction that issues an award: a bulk issue stays as fast as before.
import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.js';
import type { Prisma } from '../../db/client.js';
import { buildAwardCredential, tagsOf, type CredentialInput } from './build.js';
import { createDocumentLoader, type DocumentLoader } from './document-loader.js';
import { IssuerKeys } from './issuer-keys.js';
import { signCredentialJwt, type JwtAlgorithm } from './jwt.js';
import { ed25519ToJwk } from './keys.js';
import { signCredential } from './sign.js';
import { StatusLists } from './status-lists.js';
import { CredentialVerifier } from './verification.js';
import type { Credential, SignedCredential } from './types.js';
import { publicAwardUrl, readEvidence, wasDeleted } from '../awards/index.js';
import { achievementUrl, credentialLinks, issuerUrl, statusListPosition, statusListUrl } from './urls.js';

/** Which award: by public id (anyone), or by id within an organization (the API). */
export type AwardRef = { publicId: string; organizationId?: string } | { id: string; organizationId: string };

/** An award's credential, or why there is none: no such award, or one deleted (410 Gone). */
export type Found<T> = { found: true; value: T } | { found: false; gone: boolean };

const source = {
  id: true,
  organizationId: true,
  publicId: true,
  recipientName: true,
  recipientEmail: true,
  issuedAt: true,
  expiresAt: true,
  imageUrl: true,
  activityTitle: true,
  activityStartedAt: true,
  activityEndedAt: true,
  notes: true,
  additionalDetails: true,
  evidence: true,
  automationLevel: true,
  statusListIndex: true,
  templateId: true,
  templateVersionNumber: true,
  templateVersion: { select: { name: true, description: true, criteriaNarrative: true, criteriaUrl: true, imageUrl: true, level: true, tags: true } },
  organization: { select: { id: true, name: true, url: true, contactEmail: true, imageUrl: true, whitelabelHost: true } },
  credential: { select: { contentHash: true, signed: true } },
} satisfies Prisma.AwardSelect;

type Source = Prisma.AwardGetPayload<{ select: typeof source }>;

/** An award's credential before signing, and what is needed to sign it. */
export interface Unsigned {
  award: Source;
  issuer: string;
  credential: Credential;
}

export class AwardCredentials {
  readonly keys: IssuerKeys;
  readonly statusLists: StatusLists;
  readonly documentLoader: DocumentLoader;
  /** Checks credentials from anyone, ours with our keys and status lists. */
  readonly verifier: CredentialVerifier;

  constructor(private readonly deps: Deps) {
    this.keys = new IssuerKeys(deps);
    this.documentLoader = createDocumentLoader({ publicUrl: deps.config.publicUrl });
    this.statusLists = new StatusLists(deps, this.keys, this.documentLoader);
    this.verifier = new CredentialVerifier(deps, this);
  }

  /** The award's credential as it would be signed now (its status index given if it had none). */
  async unsigned(ref: AwardRef): Promise<Found<Unsigned>> {
    const award = await this.deps.reader.award.findFirst({ where: ref, select: source });
    if (!award) return { found: false, gone: await this.#deleted(ref) };
    const index = await this.statusLists.indexFor(award);
    const issuer = issuerUrl(this.deps.config, award.organization);
    const { list } = statusListPosition(index);
    const links = credentialLinks(publicAwardUrl(this.deps.config, award.organization.whitelabelHost, award.publicId));
    const version = award.templateVersion;
    const input: CredentialInput = {
      award: { ...award, evidence: readEvidence(award.evidence) },
      achievement: {
        id: achievementUrl(issuer, award.templateId, award.templateVersionNumber),
        name: version.name,
        description: version.description,
        criteriaNarrative: version.criteriaNarrative,
        criteriaUrl: version.criteriaUrl,
        imageUrl: version.imageUrl,
        level: version.level,
        tags: tagsOf(version.tags),
        version: award.templateVersionNumber,
      },
      issuer: {
        id: issuer,
        name: award.organization.name,
        url: award.organization.url,
        email: award.organization.contactEmail,
        imageUrl: award.organization.imageUrl,
      },
      credentialUrl: links.credential,
      publicUrl: this.deps.config.publicUrl,
      status: { list: statusListUrl(issuer, list), index },
    };
    return { found: true, value: { award, issuer, credential: buildAwardCredential(input) } };
  }

  /**
   * The award's credential with its Data Integrity proof: the kept one while the credential and
   * the organization's key are unchanged, else signed now and kept. Two first requests may both
   * sign; both results are valid and the later one is kept.
   */
  async signed(ref: AwardRef): Promise<Found<SignedCredential>> {
    const unsigned = await this.unsigned(ref);
    if (!unsigned.found) return unsigned;
    const { award, issuer, credential } = unsigned.value;
    const keyPair = await this.keys.ed25519(award.organizationId, issuer);
    const contentHash = createHash('sha256').update(JSON.stringify(credential)).update(`\n${keyPair.id}`).digest('base64url');
    if (award.credential?.contentHash === contentHash) {
      return { found: true, value: JSON.parse(award.credential.signed) as SignedCredential };
    }
    const signedAt = this.deps.clock.now();
    const signed = await signCredential(credential, { keyPair, documentLoader: this.documentLoader, created: signedAt });
    const row = { contentHash, signed: JSON.stringify(signed), signedAt };
    await this.deps.db.awardCredential.upsert({
      where: { awardId: award.id },
      create: { awardId: award.id, organizationId: award.organizationId, ...row },
      update: row,
    });
    return { found: true, value: signed };
  }

  /** The award's credential as a VC-JWT (EdDSA with the Ed25519 key, or RS256 with the RSA key). */
  async jwt(ref: AwardRef, alg: JwtAlgorithm): Promise<Found<string>> {
    const unsigned = await this.unsigned(ref);
    if (!unsigned.found) return unsigned;
    const { award, issuer, credential } = unsigned.value;
    if (alg === 'RS256') {
      const { kid, privateJwk } = await this.keys.rsa(award.organizationId, issuer);
      return { found: true, value: await signCredentialJwt(credential, { alg, key: privateJwk, kid }) };
    }
    const keyPair = await this.keys.ed25519(award.organizationId, issuer);
    return { found: true, value: await signCredentialJwt(credential, { alg, key: await ed25519ToJwk(keyPair, { secret: true }), kid: keyPair.id! }) };
  }

  async #deleted(ref: AwardRef): Promise<boolean> {
    return 'publicId' in ref && wasDeleted(this.deps, ref.publicId, ref.organizationId);
  }
}
