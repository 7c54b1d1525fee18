// PostgreSQL plans from table statistics that autovacuum refreshes about once a minute. A table
// that just grew fast (earners imported right before a rule is created) is planned as if it were
// tiny: a backfill's "next 5,000 earner ids after the cursor" then read every row after the cursor
// and sorted them, 20–60 ms per batch instead of 2 ms. A table never analyzed at all is worse: with
// no statistics on organizationId, a batch's "these keys of this organization" was planned as a
// scan of every row of the organization, so an import slowed down with every batch it wrote.
import type { PrismaClient } from './client.js';
import type { Provider } from './provider.js';
import { join, sql } from './sql.js';

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

/** Below this size (128 KiB) a table is cheap to read whatever the plan. */
const MIN_ANALYZED_PAGES = 16;

/**
 * Analyzes each of `tables` whose size on disk has more than doubled since its statistics were
 * taken (or that was never analyzed), once it is past MIN_ANALYZED_PAGES: for work that grows the
 * tables it reads as it goes (an import), called between its batches. The size is read from the
 * file, so it is current even when the statistics collector lags; one catalog read when nothing
 * has grown, and an import of n rows analyzes about log2(n) times.
 */
export async function refreshGrownStatistics(db: PrismaClient, provider: Provider, tables: readonly string[]): Promise<void> {
  if (provider !== 'postgresql') return;
  const grown = await db.$queryRaw<Array<{ table: string }>>(sql`
    SELECT c.relname AS "table" FROM pg_class c
    WHERE c.oid IN (${join(tables.map((table) => sql`to_regclass(${`"${table}"`})`))})
      AND pg_relation_size(c.oid) / current_setting('block_size')::int >= ${MIN_ANALYZED_PAGES}
      AND pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * c.relpages`);
  for (const { table } of grown) await db.$executeRawUnsafe(`ANALYZE (SKIP_LOCKED) "${table}"`);
}
