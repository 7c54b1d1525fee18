// What anyone holding an award's public id may see: the data of the public award page, the
// certificate and the award email. One loader, so the three never disagree.
import type { Deps } from '../../deps.js';
import type { AwardStatus, BadgeLevel } from '../../generated/prisma-sqlite/client.js';
import { publicAwardUrl } from './links.js';
import { effectiveStatus, WITHDRAWN } from './status.js';

export interface PublicAward {
  awardId: string;
  organizationId: string;
  publicId: string;
  recipientName: string;
  status: AwardStatus;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Why the issuer revoked it, when they said: a verifier must learn it. */
  revokedReason: string | null;
  rejectedAt: Date | null;
  template: {
    name: string;
    description: string;
    level: BadgeLevel;
    imageUrl: string | null;
    criteriaNarrative: string | null;
    criteriaUrl: string | null;
  };
  organization: { name: string; url: string | null; imageUrl: string | null };
  /** The public award page, which is also what the certificate's QR code points at. */
  verificationUrl: string;
  certificateUrl: string;
  /** LinkedIn's add-to-profile link, prefilled; null once the award is no longer live. */
  linkedInAddToProfileUrl: string | null;
}

export { WITHDRAWN };

const select = {
  id: true,
  organizationId: true,
  publicId: true,
  recipientName: true,
  status: true,
  issuedAt: true,
  expiresAt: true,
  revokedAt: true,
  revokedReason: true,
  rejectedAt: true,
  imageUrl: true,
  templateVersion: {
    select: { name: true, description: true, level: true, imageUrl: true, criteriaNarrative: true, criteriaUrl: true },
  },
  organization: { select: { name: true, url: true, imageUrl: true, whitelabelHost: true } },
} as const;

/** Whether an award with this public id (of this organization, when given) was deleted: its links then answer 410 Gone. */
export async function wasDeleted(deps: Deps, publicId: string, organizationId?: string): Promise<boolean> {
  return (await deps.reader.deletedAward.findFirst({ where: { publicId, organizationId }, select: { publicId: true } })) !== null;
}

/** By public id (anyone), or by id within an organization (the email paths). */
export async function findPublicAward(
  deps: Deps,
  where: { publicId: string } | { id: string; organizationId: string },
): Promise<PublicAward | undefined> {
  const award = await deps.reader.award.findFirst({ where, select });
  if (!award) return undefined;
  const status = effectiveStatus(award, deps.clock.now());
  const verificationUrl = publicAwardUrl(deps.config, award.organization.whitelabelHost, award.publicId);
  const version = award.templateVersion;
  const result: PublicAward = {
    awardId: award.id,
    organizationId: award.organizationId,
    publicId: award.publicId,
    recipientName: award.recipientName,
    status,
    issuedAt: award.issuedAt,
    expiresAt: award.expiresAt,
    revokedAt: award.revokedAt,
    revokedReason: award.revokedReason,
    rejectedAt: award.rejectedAt,
    template: { ...version, imageUrl: award.imageUrl ?? version.imageUrl },
    organization: { name: award.organization.name, url: award.organization.url, imageUrl: award.organization.imageUrl },
    verificationUrl,
    certificateUrl: `${verificationUrl}/pdf`,
    linkedInAddToProfileUrl: null,
  };
  if (!WITHDRAWN.includes(status)) result.linkedInAddToProfileUrl = linkedInUrl(result);
  return result;
}

/** LinkedIn's documented "add to profile" link for a certification. */
export function linkedInUrl(award: PublicAward): string {
  const params = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: award.template.name,
    organizationName: award.organization.name,
    issueYear: String(award.issuedAt.getUTCFullYear()),
    issueMonth: String(award.issuedAt.getUTCMonth() + 1),
  });
  if (award.expiresAt) {
    params.set('expirationYear', String(award.expiresAt.getUTCFullYear()));
    params.set('expirationMonth', String(award.expiresAt.getUTCMonth() + 1));
  }
  params.set('certUrl', award.verificationUrl);
  params.set('certId', award.publicId);
  return `https://www.linkedin.com/profile/add?${params.toString()}`;
}
