// Each database provider gets its own Prisma schema and migration history (Prisma fixes the
// provider per schema). Both schemas are composed from prisma/models.prisma, so the data model is
// written once; only the blocks below differ.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDERS = ['sqlite', 'postgresql'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const PRISMA_DIR = path.dirname(fileURLToPath(import.meta.url));
export const MODELS_FILE = path.join(PRISMA_DIR, 'models.prisma');

export function schemaFile(provider: Provider): string {
  return path.join(PRISMA_DIR, provider, 'schema.prisma');
}

export function migrationsDir(provider: Provider): string {
  return path.join(PRISMA_DIR, provider, 'migrations');
}

// The SQLite client's types are the ones the code compiles against (they are the common subset),
// so the Pothos types are generated from the SQLite schema only.
const HEADERS: Record<Provider, string> = {
  sqlite: `datasource db {
  provider = "sqlite"
}

generator client {
  provider            = "prisma-client"
  output              = "../../src/generated/prisma-sqlite"
  moduleFormat        = "esm"
  importFileExtension = "js"
}

generator pothos {
  provider          = "prisma-pothos-types"
  clientOutput      = "./prisma-sqlite/client.js"
  output            = "../../src/generated/pothos-prisma-types.ts"
  generateDatamodel = true
}
`,
  postgresql: `datasource db {
  provider = "postgresql"
}

generator client {
  provider            = "prisma-client"
  output              = "../../src/generated/prisma-postgresql"
  previewFeatures     = ["relationJoins"]
  moduleFormat        = "esm"
  importFileExtension = "js"
}
`,
};

const BANNER = '// Written by `npm run db:schemas` from prisma/models.prisma: edit that file, not this one.\n\n';

export function composeSchema(provider: Provider, models: string): string {
  return `${BANNER}${HEADERS[provider]}\n${models}`;
}

export async function composeSchemaFromModels(provider: Provider): Promise<string> {
  return composeSchema(provider, await readFile(MODELS_FILE, 'utf8'));
}
