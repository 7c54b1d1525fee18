// What the data commands (export, import) share: ids as people paste them, and the database and
// organization they work on.
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { rawId } from '../graphql/ids.js';

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
