// Whether a membership is active, in every form code needs it, side by side: TypeScript (a loaded
// membership), Prisma `where` (lists), SQL (reconciliation). A membership past its end date reads
// as ended at once, before the scheduler records it.
import type { Prisma } from '../../db/client.js';
import type { Dialect } from '../../db/dialect.js';
import { raw, sql, type Sql } from '../../db/sql.js';
import type { Membership } from '../../generated/prisma-sqlite/client.js';

export function membershipStatus(membership: Pick<Membership, 'status' | 'endsAt'>, now: Date): 'ACTIVE' | 'ENDED' {
  return membership.status === 'ACTIVE' && membership.endsAt && membership.endsAt <= now ? 'ENDED' : membership.status;
}

/** Prisma: memberships with this status (all of them without one). */
export function membershipStatusWhere(status: 'ACTIVE' | 'ENDED' | null | undefined, now: Date): Prisma.MembershipWhereInput {
  if (!status) return {};
  if (status === 'ACTIVE') return { status: 'ACTIVE', OR: [{ endsAt: null }, { endsAt: { gt: now } }] };
  return { OR: [{ status: 'ENDED' }, { endsAt: { lte: now } }] };
}

/** Prisma: memberships still ACTIVE whose end date has passed (the scheduler ends them). */
export function membershipsDueWhere(now: Date): Prisma.MembershipWhereInput {
  return { status: 'ACTIVE', endsAt: { lte: now } };
}

/** SQL: the membership (columns of `alias`) is active at `now`. */
export function activeMembershipSql(d: Dialect, now: Date, alias: string): Sql {
  const column = (name: string) => raw(`${alias}."${name}"`);
  return sql`${column('status')} = ${d.enumValue('MembershipStatus', 'ACTIVE')} AND (${column('endsAt')} IS NULL OR ${column('endsAt')} > ${d.timestamp(now)})`;
}

/** SQL: the membership is ACTIVE by status but its end date has passed at `now`. */
export function membershipDueSql(d: Dialect, now: Date): Sql {
  return sql`"status" = ${d.enumValue('MembershipStatus', 'ACTIVE')} AND "endsAt" <= ${d.timestamp(now)}`;
}
