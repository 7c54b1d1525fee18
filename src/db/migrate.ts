// Applies the committed migrations of prisma/<provider>/migrations, exactly as
// `prisma migrate deploy` would (same engine, same `_prisma_migrations` bookkeeping).
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { migrationsDir, schemaFile, type Provider } from '../../prisma/providers.js';
import { providerFromUrl, sqlitePath } from './provider.js';
import { NO_SCHEMA_FILTER, withSchemaEngine } from './schema-engine.js';

// Arbitrary, but fixed: every instance that migrates the same PostgreSQL database takes this lock.
const MIGRATION_LOCK_ID = 4_242_001;

export async function readMigrationList(provider: Provider): Promise<MigrationList> {
  const baseDir = migrationsDir(provider);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(baseDir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

export function adapterFactoryFor(provider: Provider, url: string) {
  return provider === 'sqlite'
    ? new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 10_000 })
    : new PrismaPg({ connectionString: url, max: 2 });
}

/** Brings the database at `url` up to date; returns the names of the migrations it applied. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const provider = providerFromUrl(url);
  if (!provider) throw new Error(`Unsupported database URL: ${url}`);
  if (provider === 'sqlite') await mkdir(path.dirname(path.resolve(sqlitePath(url))), { recursive: true });

  return withMigrationLock(provider, url, async () => {
    const engineOptions = {
      schemaPath: schemaFile(provider),
      schema: await readFile(schemaFile(provider), 'utf8'),
      adapterFactory: adapterFactoryFor(provider, url),
    };
    const migrationsList = await readMigrationList(provider);
    return withSchemaEngine(engineOptions, async (engine) => {
      const result = await engine.applyMigrations({ migrationsList, filters: NO_SCHEMA_FILTER });
      return result.appliedMigrationNames;
    });
  });
}

// Two instances starting at once against one PostgreSQL database must not both migrate it.
// SQLite needs no lock of ours: its own write lock serialises the engine's transactions.
async function withMigrationLock<T>(provider: Provider, url: string, work: () => Promise<T>): Promise<T> {
  if (provider !== 'postgresql') return work();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
    await client.end();
  }
}
