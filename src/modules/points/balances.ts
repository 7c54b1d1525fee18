// Points balances and entries: the maintained total of each earner's points per category, moved
// by set-based statements (Prisma's per-row writes cost milliseconds per row to plan), and the
// histogram of balances kept with them (./histogram.ts).
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import { ValidationError } from '../../shared/errors.js';
import { moveHistogram } from './histogram.js';
import { insertEntriesSql, upsertBalancesSql, type NewEntry } from './balances.sql.js';

/** Balances are 32-bit, like GraphQL's Int. */
const MAX_BALANCE = 2_147_483_647;

function balanceOutOfRange() {
  return ValidationError.single('amount', 'balanceRange', `would take a balance beyond ±${MAX_BALANCE}`);
}

/** One earner's balance in one category. */
export interface BalanceKey {
  earnerId: string;
  category: string;
}

export function balanceKey(row: BalanceKey): string {
  return `${row.earnerId}\n${row.category}`;
}

export function splitKey(key: string): BalanceKey {
  const [earnerId, category] = key.split('\n') as [string, string];
  return { earnerId, category };
}

/**
 * Adds each total to its balance (creating it at the total), returning the balances after, and
 * moves the points histogram with them. Totals are applied in key order, so concurrent changes
 * lock balance rows in one order.
 */
export async function addToBalances(tx: Tx, provider: Provider, organizationId: string, totals: Map<string, number>, now: Date): Promise<Map<string, number>> {
  const d = dialectFor(provider);
  const finals = new Map<string, number>();
  const created = new Set<string>();
  const rows = [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500).map(([key, total]) => ({ ...splitKey(key), total }));
    // Which balances the upsert creates: where the database cannot say so itself, a read just
    // before is exact (SQLite has one writer).
    const existing = d.insertedByUpsert ? undefined : await existingBalances(tx, chunk);
    const updated = await tx
      .$queryRaw<Array<{ earnerId: string; category: string; balance: number | bigint; inserted?: boolean }>>(upsertBalancesSql(d, organizationId, chunk, now))
      .catch((error: unknown) => {
        // PostgreSQL refuses an integer overflow; SQLite's 64-bit integers are checked below.
        if (String(error).includes('out of range')) throw balanceOutOfRange();
        throw error;
      });
    for (const row of updated) {
      finals.set(balanceKey(row), Number(row.balance));
      if (existing ? !existing.has(balanceKey(row)) : row.inserted) created.add(balanceKey(row));
    }
  }
  if ([...finals.values()].some((balance) => Math.abs(balance) > MAX_BALANCE)) throw balanceOutOfRange();
  await moveHistogram(
    tx,
    provider,
    organizationId,
    [...finals].map(([key, after]) => ({ category: splitKey(key).category, before: created.has(key) ? null : after - totals.get(key)!, after })),
  );
  return finals;
}

/** Which of these balances exist, read in slices small enough for Prisma's parameter limit. */
async function existingBalances(tx: Tx, rows: BalanceKey[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < rows.length; start += 100) {
    for (const key of (await currentBalances(tx, rows.slice(start, start + 100))).keys()) found.add(key);
  }
  return found;
}

/** Writes entries with multi-row INSERTs. */
export async function insertEntries(tx: Tx, provider: Provider, entries: readonly NewEntry[]): Promise<void> {
  const d = dialectFor(provider);
  for (let start = 0; start < entries.length; start += 500) await tx.$executeRaw(insertEntriesSql(d, entries.slice(start, start + 500)));
}

export async function currentBalances(tx: Tx, rows: BalanceKey[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map<string, number>();
  const balances = await tx.pointsBalance.findMany({
    where: { OR: rows.map((row) => ({ earnerId: row.earnerId, category: row.category })) },
  });
  return new Map(balances.map((balance) => [balanceKey(balance), balance.balance]));
}
