// The statements of ./balances.ts.
import type { Dialect } from '../../db/dialect.js';
import { empty, join, sql, type Sql } from '../../db/sql.js';

/** Adds each row's total to its balance, creating it when missing; returns the balances after. */
export function upsertBalancesSql(d: Dialect, organizationId: string, rows: ReadonlyArray<{ earnerId: string; category: string; total: number }>, now: Date): Sql {
  const values = rows.map((row) => sql`(${d.text(organizationId)}, ${d.text(row.earnerId)}, ${d.text(row.category)}, ${d.int(row.total)}, ${d.timestamp(now)})`);
  return sql`INSERT INTO "PointsBalance" ("organizationId", "earnerId", "category", "balance", "updatedAt")
    VALUES ${join(values)}
    ON CONFLICT ("earnerId", "category") DO UPDATE SET "balance" = "PointsBalance"."balance" + excluded."balance", "updatedAt" = excluded."updatedAt"
    RETURNING "earnerId", "category", "balance"${d.insertedByUpsert ? sql`, ${d.insertedByUpsert} AS "inserted"` : empty}`;
}

export interface NewEntry {
  id: string;
  organizationId: string;
  earnerId: string;
  category: string;
  amount: number;
  balanceAfter: number;
  reason: string | null;
  source: string | null;
  idempotencyKey: string | null;
  idempotencyHash: string | null;
  at: Date;
}

export function insertEntriesSql(d: Dialect, entries: readonly NewEntry[]): Sql {
  const values = entries.map(
    (entry) => sql`(${d.text(entry.id)}, ${d.text(entry.organizationId)}, ${d.text(entry.earnerId)}, ${d.text(entry.category)},
      ${d.int(entry.amount)}, ${d.int(entry.balanceAfter)}, ${d.text(entry.reason)}, ${d.text(entry.source)},
      ${d.text(entry.idempotencyKey)}, ${d.text(entry.idempotencyHash)}, ${d.timestamp(entry.at)})`,
  );
  return sql`INSERT INTO "PointsEntry" ("id", "organizationId", "earnerId", "category", "amount", "balanceAfter", "reason",
    "source", "idempotencyKey", "idempotencyHash", "at") VALUES ${join(values)}`;
}
