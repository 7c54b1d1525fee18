import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Every test file runs against SQLite; with TEST_DATABASE_URL set, also against PostgreSQL.
const projects: TestProjectInlineConfiguration[] = [
  { extends: true, test: { name: 'sqlite', globalSetup: ['test/setup/sqlite.ts'] } },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true, test: { name: 'postgresql', globalSetup: ['test/setup/postgresql.ts'] } });
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    projects,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
