// npm run db:schemas | db:migration -- <name> | db:migrate | db:check
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { createMigration, driftProblems } from './migrations.js';
import { composeSchemaFromModels, PROVIDERS, schemaFile } from './providers.js';

async function writeSchemas(): Promise<void> {
  for (const provider of PROVIDERS) {
    await mkdir(path.dirname(schemaFile(provider)), { recursive: true });
    await writeFile(schemaFile(provider), await composeSchemaFromModels(provider));
  }
}

const [command, argument] = process.argv.slice(2);
switch (command) {
  case 'schemas':
    await writeSchemas();
    break;
  case 'migration': {
    if (!argument) throw new Error('Usage: npm run db:migration -- <name>');
    await writeSchemas();
    const folder = await createMigration(argument);
    console.log(folder ? `Created migration ${folder} for ${PROVIDERS.join(' and ')}.` : 'No changes: no migration created.');
    break;
  }
  case 'migrate': {
    const { databaseUrl } = loadConfig(process.env);
    const applied = await migrateDatabase(databaseUrl);
    console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'Database is up to date.');
    break;
  }
  case 'check': {
    const problems = await driftProblems();
    for (const problem of problems) console.error(problem);
    if (problems.length) process.exit(1);
    console.log('Schemas and migrations of every provider are in step.');
    break;
  }
  default:
    console.error('Usage: tsx prisma/tool.ts schemas | migration <name> | migrate | check');
    process.exit(2);
}
