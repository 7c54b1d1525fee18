// An award's status, in every form code needs it, side by side so the forms cannot drift:
// TypeScript (a loaded award), Prisma `where` (queries), and SQL (set-based statements).
//
// The stored status of a pending or accepted award stays as it was when its expiry passes, until
// the scheduler records the expiry; so expiry is derived everywhere from the dates too, and no
// read ever shows an expired award as live.
import type { Prisma } from '../../db/client.js';
import type { Dialect } from '../../db/dialect.js';
import { join, raw, sql, type Sql } from '../../db/sql.js';
import type { AwardStatus } from '../../generated/prisma-sqlite/client.js';

/** Statuses of an award that counts (unless its expiry passed). */
export const LIVE: readonly AwardStatus[] = ['PENDING', 'ACCEPTED'];

/**
 * Statuses that never get a certificate, a LinkedIn link or an email. Their credential is still
 * served (a verifier must learn what became of it), with its suspension bit set.
 */
export const WITHDRAWN: readonly AwardStatus[] = ['REVOKED', 'REJECTED'];

/** The status a reader sees. */
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

/** Prisma: rows whose effective status is `status`. */
export function statusWhere(status: AwardStatus, now: Date): Prisma.AwardWhereInput {
  const notExpired: Prisma.AwardWhereInput = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  switch (status) {
    case 'PENDING':
    case 'ACCEPTED':
      return { AND: [{ status }, notExpired] };
    case 'EXPIRED':
      return { OR: [{ status: 'EXPIRED' }, { status: { in: [...LIVE] }, expiresAt: { lte: now } }] };
    default:
      return { status };
  }
}

/** Prisma: live rows whose expiry has passed but is not recorded yet (the scheduler records it). */
export function dueToExpireWhere(now: Date): Prisma.AwardWhereInput {
  return { status: { in: [...LIVE] }, expiresAt: { lte: now } };
}

const column = (alias: string | undefined, name: string) => raw(alias ? `${alias}."${name}"` : `"${name}"`);

/** SQL: the award (columns of `alias`, or unqualified) is live at `now`. */
export function liveSql(d: Dialect, now: Date, alias?: string): Sql {
  return sql`${column(alias, 'status')} IN (${d.enumValue('AwardStatus', 'PENDING')}, ${d.enumValue('AwardStatus', 'ACCEPTED')})
    AND (${column(alias, 'expiresAt')} IS NULL OR ${column(alias, 'expiresAt')} > ${d.timestamp(now)})`;
}

/** SQL: the award is live by status but its expiry has passed at `now`. */
export function dueToExpireSql(d: Dialect, now: Date, alias?: string): Sql {
  return sql`${column(alias, 'status')} IN (${d.enumValue('AwardStatus', 'PENDING')}, ${d.enumValue('AwardStatus', 'ACCEPTED')})
    AND ${column(alias, 'expiresAt')} <= ${d.timestamp(now)}`;
}

/** SQL: those of the awards with these ids that are due to expire at `now`. */
export function dueAmongSql(d: Dialect, ids: readonly string[], now: Date): Sql {
  return sql`"id" IN (${join(ids)}) AND ${dueToExpireSql(d, now)}`;
}

/** SQL: the status a revived award returns to (see liveStatusOf). */
export function liveStatusSql(d: Dialect): Sql {
  return d.enumExpression('AwardStatus', sql`CASE WHEN "acceptedAt" IS NULL THEN 'PENDING' ELSE 'ACCEPTED' END`);
}

/**
 * The hold key of a ONCE template's live award: "templateId:earnerId" (Award.onceHoldKey, whose
 * unique index is what stops two racing requests from both issuing a ONCE badge).
 */
export function onceHoldKey(templateId: string, earnerId: string): string {
  return `${templateId}:${earnerId}`;
}

/** SQL: the hold key from a template id and an earner id expression. */
export function onceHoldKeySql(templateId: Sql, earnerId: Sql): Sql {
  return sql`${templateId} || ':' || ${earnerId}`;
}
