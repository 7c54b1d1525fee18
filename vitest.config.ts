import { createRequire } from 'node:module';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Every test file runs against SQLite; with TEST_DATABASE_URL set, also against PostgreSQL.
// Unit tests (test/unit) need no database, so they run once, in a project of their own.
// Browser tests (test/browser, `npm run test:browser`) need Debian's Chromium, so they are a
// project of their own, run only when BROWSER_TESTS is set.
const suite = { include: ['test/**/*.test.ts'], exclude: ['test/browser/**', 'test/unit/**', '**/node_modules/**'] };
const projects: TestProjectInlineConfiguration[] = [
  { extends: true, test: { include: ['test/unit/**/*.test.ts'], name: 'unit' } },
  { extends: true, test: { ...suite, name: 'sqlite', globalSetup: ['test/setup/sqlite.ts'] } },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true, test: { ...suite, name: 'postgresql', globalSetup: ['test/setup/postgresql.ts'] } });
}
if (process.env.BROWSER_TESTS) {
  projects.push({
    extends: true,
    test: { include: ['test/browser/**/*.test.ts'], name: 'browser', globalSetup: ['test/setup/sqlite.ts'] },
  });
}

export default defineConfig({
  // Node loads graphql's CommonJS build (as Pothos and Yoga do); Vite would pick its ES build for
  // our own files, and two copies of graphql cannot share a schema.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    projects,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
