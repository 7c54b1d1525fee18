// The statements of the earners module.
import type { Dialect } from '../../db/dialect.js';
import { join, sql, type Sql } from '../../db/sql.js';
import type { Earner } from '../../generated/prisma-sqlite/client.js';

/** Earners of one organization: a list, or the ids in (after, upTo]. */
export type EarnerScope = { earnerIds: readonly string[] } | { after: string | null; upTo: string };

/** The condition `column` (an earner id column) is in the scope. */
export function earnerScopeSql(scope: EarnerScope, column: Sql): Sql {
  if ('earnerIds' in scope) return sql`${column} IN (${join(scope.earnerIds)})`;
  return scope.after === null ? sql`${column} <= ${scope.upTo}` : sql`${column} > ${scope.after} AND ${column} <= ${scope.upTo}`;
}

/** Locks the earners in scope, in id order (nothing where writers are serialised anyway: see ./locks.ts). */
export function lockEarnersSql(d: Dialect, organizationId: string, scope: EarnerScope): Sql {
  return sql`SELECT "id" FROM "Earner" WHERE "organizationId" = ${organizationId} AND ${earnerScopeSql(scope, sql`"id"`)} ORDER BY "id"${d.lockRows()}`;
}

export function lockEarnerOfAwardSql(d: Dialect, organizationId: string, awardId: string): Sql {
  return sql`SELECT e."id" FROM "Earner" e JOIN "Award" a ON a."earnerId" = e."id"
    WHERE a."id" = ${awardId} AND a."organizationId" = ${organizationId}${d.lockRows('e')}`;
}

export function insertEarnersSql(d: Dialect, earners: readonly Earner[]): Sql {
  const values = earners.map(
    (earner) => sql`(${d.text(earner.id)}, ${d.text(earner.organizationId)}, ${d.text(earner.email)}, ${d.text(earner.emailLower)},
      ${d.text(earner.name)}, ${d.text(earner.nameLower)}, ${d.text(earner.firstName)}, ${d.text(earner.lastName)},
      ${d.text(earner.externalId)}, ${d.timestamp(earner.createdAt)}, ${d.timestamp(earner.updatedAt)})`,
  );
  return sql`INSERT INTO "Earner" ("id", "organizationId", "email", "emailLower", "name", "nameLower", "firstName",
    "lastName", "externalId", "createdAt", "updatedAt") VALUES ${join(values)}`;
}
