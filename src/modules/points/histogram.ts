// The points histogram (PointsHistogram in prisma/models.prisma): how many earners hold each
// balance, and each 1,024-point bucket of balances, per organization and category. It moves with
// every balance change, in the same transaction, so the all-time rank of a balance is exact:
// 1 + (earners in level-1 buckets above its bucket) + (earners at level-0 balances above it in
// its own bucket), a sum over a bounded number of rows whatever the number of earners.
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import { Sql, join, raw, sql } from '../../db/sql.js';

export const HISTOGRAM_WIDTH = 1024;

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
    const values = rows
      .slice(start, start + 500)
      .map((row) => sql`(${d.text(organizationId)}, ${d.text(row.category)}, ${d.int(row.level)}, ${d.int(row.bucket)}, ${d.int(row.delta)})`);
    await tx.$executeRaw`INSERT INTO "PointsHistogram" ("organizationId", "category", "level", "bucket", "earners")
      VALUES ${join(values)}
      ON CONFLICT ("organizationId", "category", "level", "bucket") DO UPDATE SET "earners" = "PointsHistogram"."earners" + excluded."earners"`;
  }
}

const WIDTH_SQL = raw(String(HISTOGRAM_WIDTH));

/** SQL of bucketOf(balance): both databases' integer division truncates toward zero, so negatives are rounded down by hand. */
function bucketSql(balance: Sql): Sql {
  return sql`((${balance} - ((${balance} % ${WIDTH_SQL}) + ${WIDTH_SQL}) % ${WIDTH_SQL}) / ${WIDTH_SQL})`;
}

/**
 * SQL counting the earners of a category whose balance is greater than `balance`, an integer
 * expression: a parameter, or a column of the statement it is part of.
 */
export function greaterThanSql(provider: Provider, organizationId: string, category: string, balance: Sql): Sql {
  const d = dialectFor(provider);
  const where = sql`"organizationId" = ${d.text(organizationId)} AND "category" = ${d.text(category)}`;
  const bucket = bucketSql(balance);
  return sql`((SELECT COALESCE(SUM("earners"), 0) FROM "PointsHistogram" WHERE ${where} AND "level" = 1 AND "bucket" > ${bucket})
    + (SELECT COALESCE(SUM("earners"), 0) FROM "PointsHistogram" WHERE ${where} AND "level" = 0
        AND "bucket" > ${balance} AND "bucket" < (${bucket} + 1) * ${WIDTH_SQL}))`;
}

/** SQL counting the distinct balances of a category greater than `balance` (dense ranking). */
export function distinctGreaterSql(provider: Provider, organizationId: string, category: string, balance: Sql): Sql {
  const d = dialectFor(provider);
  return sql`(SELECT COUNT(*) FROM "PointsHistogram" WHERE "organizationId" = ${d.text(organizationId)} AND "category" = ${d.text(category)}
    AND "level" = 0 AND "bucket" > ${balance} AND "earners" > 0)`;
}

/** SQL counting the earners with a balance in a category. */
export function earnersSql(provider: Provider, organizationId: string, category: string): Sql {
  const d = dialectFor(provider);
  return sql`SELECT COALESCE(SUM("earners"), 0) AS n FROM "PointsHistogram"
    WHERE "organizationId" = ${d.text(organizationId)} AND "category" = ${d.text(category)} AND "level" = 1`;
}
