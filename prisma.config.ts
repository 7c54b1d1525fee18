// Read by the Prisma CLI (only `prisma generate` is used: see docs/operations.md, "Migrations").
import { defineConfig } from 'prisma/config';

// `prisma generate` refuses to start unless a native schema-engine binary exists, although it
// never runs it; machines without access to Prisma's binary host cannot download one. Generation
// needs no engine, so point the check at a file that exists.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= new URL('./package.json', import.meta.url).pathname;

export default defineConfig({
  schema: 'prisma/sqlite/schema.prisma',
});
