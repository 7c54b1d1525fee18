// What the data commands (export, import) share: ids as people paste them, and the database and
// organization they work on.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';

/** A raw id, or the global id the API shows. */
export function rawId(typename: string, value: string): string {
  try {
    const decoded = decodeGlobalID(value);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // a raw id
  }
  return value;
}

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
