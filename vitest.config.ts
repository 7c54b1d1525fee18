import { createRequire } from 'node:module';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Every test file runs against SQLite; with TEST_DATABASE_URL set, also against PostgreSQL.
const projects: TestProjectInlineConfiguration[] = [
  { extends: true, test: { name: 'sqlite', globalSetup: ['test/setup/sqlite.ts'] } },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true, test: { name: 'postgresql', globalSetup: ['test/setup/postgresql.ts'] } });
}

export default defineConfig({
  // Node loads graphql's CommonJS build (as Pothos and Yoga do); Vite would pick its ES build for
  // our own files, and two copies of graphql cannot share a schema.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    projects,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
