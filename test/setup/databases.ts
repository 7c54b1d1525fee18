// Test databases: each provider's global setup migrates one template database; every test file
// then gets its own copy, so files run in parallel without sharing rows.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '../../src/db/migrate.js';
import type { Provider } from '../../src/db/provider.js';

export interface TemplateDatabase {
  provider: Provider;
  url: string;
  /** PostgreSQL: the server database used to create and drop others. */
  adminUrl?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: TemplateDatabase;
  }
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTemplateDatabase(provider: Provider): Promise<{ template: TemplateDatabase; remove(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'badges-test-'));
    const url = `file:${path.join(dir, 'template.db')}`;
    await migrateDatabase(url);
    return { template: { provider, url }, remove: () => rm(dir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `badges_template_${process.pid}`;
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabaseName(adminUrl, name);
  await migrateDatabase(url);
  return {
    template: { provider, url, adminUrl },
    remove: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A new database with the template's schema and no rows. */
export async function copyTemplateDatabase(template: TemplateDatabase): Promise<{ url: string; remove(): Promise<void> }> {
  const suffix = randomBytes(6).toString('hex');
  if (template.provider === 'sqlite') {
    const source = template.url.replace(/^file:/, '');
    const target = path.join(path.dirname(source), `test-${suffix}.db`);
    await copyFile(source, target);
    return {
      url: `file:${target}`,
      remove: async () => {
        await Promise.all(['', '-wal', '-shm'].map((end) => rm(`${target}${end}`, { force: true })));
      },
    };
  }
  const adminUrl = template.adminUrl!;
  const templateName = new URL(template.url).pathname.slice(1);
  const name = `badges_test_${suffix}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
  return {
    url: withDatabaseName(adminUrl, name),
    remove: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A database that does not exist yet (SQLite) or has no tables (PostgreSQL), for first-start tests. */
export async function emptyDatabase(template: TemplateDatabase): Promise<{ url: string; remove(): Promise<void> }> {
  const suffix = randomBytes(6).toString('hex');
  if (template.provider === 'sqlite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'badges-empty-'));
    return { url: `file:${path.join(dir, 'data', 'badges.db')}`, remove: () => rm(dir, { recursive: true, force: true }) };
  }
  const adminUrl = template.adminUrl!;
  const name = `badges_empty_${suffix}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabaseName(adminUrl, name),
    remove: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
