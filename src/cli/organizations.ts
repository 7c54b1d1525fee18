// npm run org:create -- --name "Acme" [--url https://acme.example] [--contact-email a@acme.example]
//                        [--whitelabel-host badges.acme.example] [--time-zone Europe/Paris]
// Creates an organization with an administrator API key and prints the key once.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { createDeps } from '../deps.js';
import { migrateDatabase } from '../db/migrate.js';
import { createOrganization } from '../modules/organizations/index.js';
import { DomainError } from '../shared/errors.js';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    url: { type: 'string' },
    'contact-email': { type: 'string' },
    'image-url': { type: 'string' },
    'whitelabel-host': { type: 'string' },
    'time-zone': { type: 'string' },
    'key-name': { type: 'string' },
  },
});

const config = loadConfig(process.env);
await migrateDatabase(config.databaseUrl);
const database = await openDatabase(config.databaseUrl);
try {
  const { organization, secret } = await createOrganization(
    createDeps({ database, config }),
    {
      name: values.name ?? '',
      url: values.url,
      contactEmail: values['contact-email'],
      imageUrl: values['image-url'],
      whitelabelHost: values['whitelabel-host'],
      timeZone: values['time-zone'],
    },
    { name: values['key-name'] ?? 'Administrator' },
  );
  process.stdout.write(
    `Organization "${organization.name}" (${organization.id}) created.\nAdministrator API key (shown only now):\n\n    ${secret}\n\n`,
  );
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
} finally {
  await database.close();
}
