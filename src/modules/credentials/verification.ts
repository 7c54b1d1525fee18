// Verifying a credential on this server: the library's checks, with our own issuers' keys and
// status lists read from the database (so our credentials' keys are "confirmed" and their status
// is known), and the award a credential of ours stands for. Nothing is fetched from elsewhere: a
// foreign issuer's key is read from the credential ("unconfirmed") and its status is "unknown".
import type { Deps } from '../../deps.js';
import type { AwardCredentials } from './award-credentials.js';
import { verificationMethod } from './issuer-keys.js';
import type { TrustedStatusList } from './status-check.js';
import { STATUS_PURPOSE } from './build.js';
import { issuerId, type JsonObject, type VerificationMethod } from './types.js';
import { hostServes, parseIssuerUrl } from './urls.js';
import { verifyCredential, type VerificationResult, type VerifyInput } from './verify.js';

export interface CredentialVerification extends VerificationResult {
  /** The award a credential of ours stands for, when it still exists. */
  awardPublicId?: string;
}

const CREDENTIAL_PATH = /\/awards\/([A-Za-z0-9_-]{1,100})\/credential$/;

export class CredentialVerifier {
  constructor(
    private readonly deps: Deps,
    private readonly credentials: AwardCredentials,
  ) {}

  async verify(input: VerifyInput): Promise<CredentialVerification> {
    const result = await verifyCredential(input, {
      documentLoader: this.credentials.documentLoader,
      resolveKey: (id) => this.ownKey(id),
      resolveStatusList: (url) => this.#ownStatusList(url),
      now: this.deps.clock.now(),
    });
    const awardPublicId = result.credential ? await this.#ownAward(result.credential) : undefined;
    return awardPublicId ? { ...result, awardPublicId } : result;
  }

  /** One of our issuers' keys (current or retired) by its id, when `id` names one. */
  async ownKey(id: string): Promise<VerificationMethod | undefined> {
    const hash = id.indexOf('#');
    if (hash < 0) return undefined;
    const issuer = id.slice(0, hash);
    const organization = await this.#organization(issuer);
    if (!organization) return undefined;
    const fragment = id.slice(hash + 1);
    const key = (await this.credentials.keys.published(organization.id)).find((candidate) => candidate.fragment === fragment);
    return key ? verificationMethod(issuer, key) : undefined;
  }

  /** The organization an issuer URL of ours names, on a host that may speak for it. */
  async #organization(url: string): Promise<{ id: string } | undefined> {
    const parsed = parseIssuerUrl(url);
    if (!parsed) return undefined;
    const organization = await this.deps.reader.organization.findUnique({ where: { id: parsed.organizationId }, select: { id: true, whitelabelHost: true } });
    if (!organization || !hostServes(this.deps.config, parsed.host, organization.whitelabelHost)) return undefined;
    return organization;
  }

  /**
   * One of our lists, as bits read from the database: what the signed list would say, without
   * signing it here only to check that signature again.
   */
  async #ownStatusList(url: string): Promise<TrustedStatusList | undefined> {
    const parsed = parseIssuerUrl(url);
    if (parsed?.statusList === undefined) return undefined;
    const issuer = url.slice(0, url.lastIndexOf('/status-lists/'));
    const organization = await this.#organization(issuer);
    if (!organization || !(await this.credentials.statusLists.exists(organization.id, parsed.statusList))) return undefined;
    return { trusted: true, purpose: STATUS_PURPOSE, bitstring: await this.credentials.statusLists.bits(organization.id, parsed.statusList) };
  }

  async #ownAward(credential: JsonObject): Promise<string | undefined> {
    const issuer = issuerId(credential);
    const publicId = typeof credential.id === 'string' ? CREDENTIAL_PATH.exec(credential.id)?.[1] : undefined;
    if (typeof issuer !== 'string' || !publicId) return undefined;
    const organization = await this.#organization(issuer);
    if (!organization) return undefined;
    const award = await this.deps.reader.award.findFirst({ where: { publicId, organizationId: organization.id }, select: { publicId: true } });
    return award?.publicId;
  }
}
