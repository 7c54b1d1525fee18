// What the data commands (export, import) share: ids as people paste them, and the database and
// organization they work on.
import path from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createDeps, type Deps } from '../deps.js';
import { rawId } from '../graphql/ids.js';
import { webhookRecorder } from '../modules/webhooks/index.js';

/**
 * Opens the database of DATABASE_URL (migrated first), finds the organization `id` names, and runs
 * `work` with them; an unknown organization is said on standard error with exit code 2.
 */
export async function withOrganization(
  id: string,
  work: (context: { config: Config; database: Database; organization: { id: string; name: string } }) => Promise<void>,
): Promise<void> {
  const config = loadConfig(process.env);
  await migrateDatabase(config.databaseUrl);
  const database = await openDatabase(config.databaseUrl);
  try {
    const organization = await database.reader.organization.findUnique({ where: { id: rawId('Organization', id) }, select: { id: true, name: true } });
    if (!organization) {
      process.stderr.write(`No organization has the id ${id}.\n`);
      process.exitCode = 2;
      return;
    }
    await work({ config, database, organization });
  } finally {
    await database.close();
  }
}

/**
 * What a command that changes data needs: its changes call for webhook deliveries as a server's
 * would, and servers hear of them (caches, subscriptions, email outbox) through Redis when they
 * share one. Close it with `deps.events.close()`.
 */
export async function commandDeps(config: Config, database: Database): Promise<Deps> {
  const deps = createDeps({ database, config });
  deps.events.addRecorder(webhookRecorder(deps));
  if (config.redisUrl) await deps.events.connectRedis(config.redisUrl, config.redisChannel);
  return deps;
}

/**
 * A file named on the command line, as its user meant it: npm runs scripts from the project's
 * root, so a relative path is taken from where npm was started (INIT_CWD).
 */
export function userPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}
