// Applies the committed migrations of prisma/<provider>/migrations, exactly as
// `prisma migrate deploy` would (same engine, same `_prisma_migrations` bookkeeping).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import Database from 'better-sqlite3';
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

/** Names of the migrations recorded as applied (none when the database or its table is new). */
async function appliedMigrations(provider: Provider, url: string): Promise<Set<string>> {
  const sql = 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL';
  if (provider === 'sqlite') {
    const file = path.resolve(sqlitePath(url));
    if (!existsSync(file)) return new Set();
    const db = new Database(file, { readonly: true, timeout: 10_000 });
    try {
      return new Set((db.prepare(sql).all() as Array<{ migration_name: string }>).map((row) => row.migration_name));
    } catch {
      return new Set(); // no migrations table yet
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return new Set((await client.query<{ migration_name: string }>(sql)).rows.map((row) => row.migration_name));
  } catch {
    return new Set();
  } finally {
    await client.end();
  }
}

/**
 * Brings the database at `url` up to date; returns the names of the migrations it applied. When
 * nothing is pending (every start but the first after an upgrade) only one read is made: the
 * schema engine, which takes the write lock, starts only when there is work for it.
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  const provider = providerFromUrl(url);
  if (!provider) throw new Error(`Unsupported database URL: ${url}`);
  if (provider === 'sqlite') await mkdir(path.dirname(path.resolve(sqlitePath(url))), { recursive: true });
  const migrationsList = await readMigrationList(provider);
  const applied = await appliedMigrations(provider, url);
  if (migrationsList.migrationDirectories.every((directory) => applied.has(directory.path))) return [];

  return withMigrationLock(provider, url, async () => {
    const engineOptions = {
      schemaPath: schemaFile(provider),
      schema: await readFile(schemaFile(provider), 'utf8'),
      adapterFactory: adapterFactoryFor(provider, url),
    };
    return withSchemaEngine(engineOptions, async (engine) => {
      const result = await engine.applyMigrations({ migrationsList, filters: NO_SCHEMA_FILTER });
      return result.appliedMigrationNames;
    });
  });
}

// Two instances starting at once against one PostgreSQL database must not both migrate it. On
// SQLite the file's write lock serialises them; the engine reports a busy lock at once instead of
// waiting, so it is asked again a few times.
async function withMigrationLock<T>(provider: Provider, url: string, work: () => Promise<T>): Promise<T> {
  if (provider !== 'postgresql') {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= 20 || !String(error).includes('SocketTimeout')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
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
