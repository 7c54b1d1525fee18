// Opens the database named by a URL with the matching Prisma client and driver adapter.
//
// Both generated clients have the same model API; the code compiles against the SQLite client's
// types (the common subset) and receives the PostgreSQL client at run time when the URL says so.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '../generated/prisma-sqlite/client.js';
import { providerFromUrl, sqlitePath, type Provider } from './provider.js';

export type { PrismaClient };
export type { Prisma } from '../generated/prisma-sqlite/client.js';

export interface Database {
  provider: Provider;
  /** Transactions and every write. */
  db: PrismaClient;
  /**
   * Reads outside transactions. On SQLite this is a second, read-only connection: the writer's
   * single connection is shared by every request, so a read sent to it while another request's
   * transaction is open would see that transaction's uncommitted rows. On PostgreSQL it is `db`.
   */
  reader: PrismaClient;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Called with every SQL statement sent and how long the database took (tests count them; metrics time them). */
  onQuery?: (sql: string, durationMs: number) => void;
  /** PostgreSQL connection pool size. */
  poolSize?: number;
  /** PostgreSQL: how many distinct statements to keep prepared on each connection (0: none). */
  preparedStatements?: number;
}

/** Statements with more parameters are bulk writes and long lists, whose best plan depends on their values. */
const MAX_PREPARED_PARAMETERS = 32;

/**
 * Names for PostgreSQL prepared statements: the same SQL text always gets the same name, so each
 * pooled connection parses and plans a statement once and afterwards only binds and executes it
 * (an earner's rank: about 0.4 ms less of PostgreSQL's time per request). Only the first `limit`
 * distinct texts get a name, since each stays prepared on every connection that ran it, and only
 * statements of at most MAX_PREPARED_PARAMETERS parameters: PostgreSQL turns a statement run
 * five times into a generic plan, which for a thousand-row `addPointsBatch` was 2.2 times
 * slower than planning each one with its values. The rest run unnamed, as without this.
 */
export function statementNames(limit: number): ((query: { sql: string; args: unknown[] }) => string) | undefined {
  if (limit <= 0) return undefined;
  const names = new Map<string, string>();
  return ({ sql, args }) => {
    if (args.length > MAX_PREPARED_PARAMETERS) return undefined as unknown as string;
    let name = names.get(sql);
    if (name === undefined && names.size < limit) names.set(sql, (name = `badges_${names.size}`));
    // Unnamed (undefined) is pg's own default.
    return name as string;
  };
}

function queryLogging(options: DatabaseOptions) {
  return options.onQuery ? { log: [{ emit: 'event' as const, level: 'query' as const }] } : {};
}

function listen(client: PrismaClient, options: DatabaseOptions): PrismaClient {
  const onQuery = options.onQuery;
  if (onQuery) (client as PrismaClient<'query'>).$on('query', (event) => onQuery(event.query, event.duration));
  return client;
}

/** Negative: KiB rather than pages. */
const SQLITE_CACHE_KIB = -65_536;

async function openSqlite(url: string, options: DatabaseOptions): Promise<Database> {
  const file = path.resolve(sqlitePath(url));
  await mkdir(path.dirname(file), { recursive: true });
  const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([
    import('../generated/prisma-sqlite/client.js'),
    import('@prisma/adapter-better-sqlite3'),
  ]);
  const db = listen(
    new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, timeout: 10_000 }), ...queryLogging(options) }),
    options,
  );
  // WAL lets the reader connection read while the writer writes; NORMAL sync is durable in WAL
  // mode except against power loss of the last transactions, the usual trade for a server.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await db.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  // SQLite's default page cache is 2 MB: set-based automation touches a dozen award indexes per
  // batch, and past a few thousand awards they no longer fit (a 100,000-earner backfill spent
  // most of its time re-reading pages). 64 MB per connection, used only as the file grows.
  await db.$executeRawUnsafe(`PRAGMA cache_size = ${SQLITE_CACHE_KIB}`);
  await db.$executeRawUnsafe('PRAGMA temp_store = MEMORY');
  const reader = listen(
    new PrismaClient({
      adapter: new PrismaBetterSqlite3({ url: file, readonly: true, timeout: 10_000 }),
      ...queryLogging(options),
    }),
    options,
  );
  await reader.$executeRawUnsafe(`PRAGMA cache_size = ${SQLITE_CACHE_KIB}`);
  return {
    provider: 'sqlite',
    db,
    reader,
    close: async () => {
      await Promise.all([db.$disconnect(), reader.$disconnect()]);
    },
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const [{ PrismaClient }, { PrismaPg }] = await Promise.all([
    import('../generated/prisma-postgresql/client.js'),
    import('@prisma/adapter-pg'),
  ]);
  const client = new PrismaClient({
    adapter: new PrismaPg(
      { connectionString: url, max: options.poolSize ?? 10 },
      { statementNameGenerator: statementNames(options.preparedStatements ?? 0) },
    ),
    ...queryLogging(options),
  }) as unknown as PrismaClient;
  const db = listen(client, options);
  return { provider: 'postgresql', db, reader: db, close: () => db.$disconnect() };
}

export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const provider = providerFromUrl(url);
  if (provider === 'sqlite') return openSqlite(url, options);
  if (provider === 'postgresql') return openPostgres(url, options);
  throw new Error(`Unsupported database URL: ${url}`);
}
