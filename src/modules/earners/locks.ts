// Locks that serialise the changes deciding an earner's awards.
//
// Every change that decides awards from an earner's state (a points change, a membership, an
// action, a backfill batch, the scheduler, a person's accept, revoke or restore) locks the earner
// before it reads what it decides from, and in earner-id order. Two such changes of one earner
// then run one after the other, and the second reads what the first committed: a backfill batch
// can never decide from a balance that a concurrent points change is moving, and an award's
// history is written in the order its changes commit. FOR NO KEY UPDATE leaves rows that merely
// reference the earner (a new award, points entry or membership of another request) free to be
// written. Where a transaction also takes the rules' lock (lockRules), it takes that one first,
// so the two kinds of lock are always taken in the same order. SQLite runs one write transaction
// at a time and needs none of this.
import { Sql, join, raw, sql } from '../../db/sql.js';
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';

/** Earners of one organization: a list, or the ids in (after, upTo]. */
export type EarnerScope = { earnerIds: readonly string[] } | { after: string | null; upTo: string };

/** The condition `column` (an earner id column) is in the scope. */
export function earnerScopeSql(scope: EarnerScope, column: string): Sql {
  const col = raw(column);
  if ('earnerIds' in scope) return sql`${col} IN (${join(scope.earnerIds)})`;
  return scope.after === null
    ? sql`${col} <= ${scope.upTo}`
    : sql`${col} > ${scope.after} AND ${col} <= ${scope.upTo}`;
}

/** Locks the earners of `scope` until the transaction ends. */
export async function lockEarners(tx: Tx, provider: Provider, organizationId: string, scope: EarnerScope): Promise<void> {
  if (provider !== 'postgresql' || ('earnerIds' in scope && scope.earnerIds.length === 0)) return;
  const where = 'earnerIds' in scope ? earnerScopeSql({ earnerIds: [...new Set(scope.earnerIds)].sort() }, '"id"') : earnerScopeSql(scope, '"id"');
  await tx.$executeRaw`SELECT "id" FROM "Earner" WHERE "organizationId" = ${organizationId} AND ${where} ORDER BY "id" FOR NO KEY UPDATE`;
}

/** Locks the earner of an award of the organization (nothing when there is no such award). */
export async function lockEarnerOfAward(tx: Tx, provider: Provider, organizationId: string, awardId: string): Promise<void> {
  if (provider !== 'postgresql') return;
  await tx.$executeRaw`SELECT e."id" FROM "Earner" e JOIN "Award" a ON a."earnerId" = e."id"
    WHERE a."id" = ${awardId} AND a."organizationId" = ${organizationId} FOR NO KEY UPDATE OF e`;
}
