// npm run apikey:create -- --organization <organization id> --name "CI" --permissions read,awards:issue
// Creates an API key for an organization and prints its secret once.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { inTransaction } from '../db/transaction.js';
import { ALL_PERMISSIONS, isPermission } from '../graphql/permissions.js';
import { insertApiKey } from '../modules/api-keys/index.js';

const { values } = parseArgs({
  options: {
    organization: { type: 'string' },
    name: { type: 'string' },
    permissions: { type: 'string', default: 'read' },
  },
});

const permissions = values.permissions.split(',').map((permission) => permission.trim());
const unknown = permissions.filter((permission) => !isPermission(permission));
if (!values.organization || !values.name?.trim() || unknown.length) {
  process.stderr.write(
    [
      'Usage: npm run apikey:create -- --organization <id> --name <name> [--permissions read,awards:issue]',
      unknown.length ? `Unknown permissions: ${unknown.join(', ')}.` : '',
      `Permissions: ${ALL_PERMISSIONS.join(', ')}.`,
      '',
    ].join('\n'),
  );
  process.exit(2);
}

const config = loadConfig(process.env);
await migrateDatabase(config.databaseUrl);
const database = await openDatabase(config.databaseUrl);
try {
  const organization = await database.reader.organization.findUnique({ where: { id: values.organization } });
  if (!organization) {
    process.stderr.write(`No organization has the id ${values.organization}.\n`);
    process.exitCode = 2;
  } else {
    const { secret } = await inTransaction(database.db, (tx) =>
      insertApiKey(tx, organization.id, { name: values.name!.trim(), permissions: permissions.filter(isPermission) }),
    );
    process.stdout.write(`API key "${values.name}" for "${organization.name}" (shown only now):\n\n    ${secret}\n\n`);
  }
} finally {
  await database.close();
}
