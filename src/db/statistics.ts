// PostgreSQL plans from table statistics that autovacuum refreshes about once a minute. A table
// that just grew fast (earners imported right before a rule is created) is planned as if it were
// tiny: a backfill's "next 5,000 earner ids after the cursor" then read every row after the cursor
// and sorted them, 20–60 ms per batch instead of 2 ms.
import type { PrismaClient } from './client.js';
import type { Provider } from './provider.js';

/**
 * Analyzes `table` when PostgreSQL believes it holds fewer than `knownRows` rows (which it is known
 * to hold at least). SKIP_LOCKED: a table autovacuum is busy with is left to it.
 */
export async function refreshStaleStatistics(db: PrismaClient, provider: Provider, table: string, knownRows: number): Promise<void> {
  if (provider !== 'postgresql' || knownRows === 0) return;
  const [estimate] = await db.$queryRaw<Array<{ rows: number }>>`SELECT reltuples::float8 AS "rows" FROM pg_class WHERE oid = to_regclass(${`"${table}"`})`;
  if (estimate && estimate.rows >= knownRows) return;
  await db.$executeRawUnsafe(`ANALYZE (SKIP_LOCKED) "${table}"`);
}
