// The points histogram (PointsHistogram in prisma/models.prisma): how many earners hold each
// balance, and each 1,024-point bucket of balances, per organization and category. It moves with
// every balance change, in the same transaction, so the all-time rank of a balance is exact:
// 1 + (earners in level-1 buckets above its bucket) + (earners at level-0 balances above it in
// its own bucket), a sum over a bounded number of rows whatever the number of earners.
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import { moveHistogramSql } from './histogram.sql.js';

import { HISTOGRAM_WIDTH } from './histogram.sql.js';

export { HISTOGRAM_WIDTH };

export function bucketOf(balance: number): number {
  return Math.floor(balance / HISTOGRAM_WIDTH);
}

/** One earner's balance in a category moved from `before` (null: they had none) to `after`. */
export interface BalanceMove {
  category: string;
  before: number | null;
  after: number;
}

/**
 * Applies balance moves to the histogram. Rows are upserted in one sorted order, so concurrent
 * transactions lock them in the same order and cannot deadlock on them.
 */
export async function moveHistogram(tx: Tx, provider: Provider, organizationId: string, moves: BalanceMove[]): Promise<void> {
  const deltas = new Map<string, { category: string; level: number; bucket: number; delta: number }>();
  const add = (category: string, level: number, bucket: number, delta: number) => {
    const key = `${category}\n${level}\n${bucket}`;
    const entry = deltas.get(key) ?? { category, level, bucket, delta: 0 };
    entry.delta += delta;
    deltas.set(key, entry);
  };
  for (const move of moves) {
    if (move.before === move.after) continue;
    if (move.before !== null) {
      add(move.category, 0, move.before, -1);
      add(move.category, 1, bucketOf(move.before), -1);
    }
    add(move.category, 0, move.after, 1);
    add(move.category, 1, bucketOf(move.after), 1);
  }
  const rows = [...deltas.values()]
    .filter((row) => row.delta !== 0)
    .sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : a.level - b.level || a.bucket - b.bucket));
  const d = dialectFor(provider);
  for (let start = 0; start < rows.length; start += 500) {
    await tx.$executeRaw(moveHistogramSql(d, organizationId, rows.slice(start, start + 500)));
  }
}
