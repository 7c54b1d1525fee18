// The statements of ./memberships.ts.
import type { Dialect } from '../../db/dialect.js';
import { join, sql, type Sql } from '../../db/sql.js';
import { membershipDueSql } from './membership-status.js';

/** Ends those of the memberships whose end date has passed at `now`; returns the ones it ended. */
export function endDueMembershipsSql(d: Dialect, ids: readonly string[], now: Date): Sql {
  return sql`UPDATE "Membership" SET "status" = ${d.enumValue('MembershipStatus', 'ENDED')}, "endedAt" = "endsAt",
      "endReason" = ${d.enumValue('MembershipEndReason', 'EXPIRED')}, "activeKey" = NULL, "updatedAt" = ${d.timestamp(now)}
    WHERE "id" IN (${join(ids)}) AND ${membershipDueSql(d, now)}
    RETURNING "id", "earnerId", "productId"`;
}
