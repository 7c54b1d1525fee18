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
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import { lockEarnerOfAwardSql, lockEarnersSql, type EarnerScope } from './earners.sql.js';

export type { EarnerScope };

/** Locks the earners of `scope` until the transaction ends. */
export async function lockEarners(tx: Tx, provider: Provider, organizationId: string, scope: EarnerScope): Promise<void> {
  const d = dialectFor(provider);
  if (d.oneWriterAtATime || ('earnerIds' in scope && scope.earnerIds.length === 0)) return;
  const sorted = 'earnerIds' in scope ? { earnerIds: [...new Set(scope.earnerIds)].sort() } : scope;
  await tx.$executeRaw(lockEarnersSql(d, organizationId, sorted));
}

/** Locks the earner of an award of the organization (nothing when there is no such award). */
export async function lockEarnerOfAward(tx: Tx, provider: Provider, organizationId: string, awardId: string): Promise<void> {
  const d = dialectFor(provider);
  if (d.oneWriterAtATime) return;
  await tx.$executeRaw(lockEarnerOfAwardSql(d, organizationId, awardId));
}
