import type { Prisma } from '../../db/client.js';
import type { AwardStatus } from '../../generated/prisma-sqlite/client.js';

const LIVE: AwardStatus[] = ['PENDING', 'ACCEPTED'];

/**
 * The status a reader sees. The stored status of a pending or accepted award stays as it was when
 * its expiry passes (until something records the expiry), so expiry is also derived here and in
 * statusWhere: no query ever shows an expired award as active.
 */
export function effectiveStatus(award: { status: AwardStatus; expiresAt: Date | null }, now: Date): AwardStatus {
  if (LIVE.includes(award.status) && award.expiresAt !== null && award.expiresAt <= now) return 'EXPIRED';
  return award.status;
}

export function isLive(award: { status: AwardStatus; expiresAt: Date | null }, now: Date): boolean {
  return LIVE.includes(effectiveStatus(award, now));
}

/** The status a live award returns to when revived (restored, or its expiry extended). */
export function liveStatusOf(award: { acceptedAt: Date | null }): 'ACCEPTED' | 'PENDING' {
  return award.acceptedAt ? 'ACCEPTED' : 'PENDING';
}

/** Rows whose effective status is `status`. */
export function statusWhere(status: AwardStatus, now: Date): Prisma.AwardWhereInput {
  const notExpired: Prisma.AwardWhereInput = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  switch (status) {
    case 'PENDING':
    case 'ACCEPTED':
      return { AND: [{ status }, notExpired] };
    case 'EXPIRED':
      return { OR: [{ status: 'EXPIRED' }, { status: { in: LIVE }, expiresAt: { lte: now } }] };
    default:
      return { status };
  }
}

/** The hold key of a ONCE template's live award (see Award.onceHoldKey in prisma/models.prisma). */
export function onceHoldKey(templateId: string, earnerId: string): string {
  return `${templateId}:${earnerId}`;
}
