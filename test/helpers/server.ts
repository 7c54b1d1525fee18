// A real server on port 0 over a fresh copy of the test database, for one test file.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { inject } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createOrganization } from '../../src/modules/organizations/service.js';
import { copyTemplateDatabase } from '../setup/databases.js';
import { GraphQLClient } from './client.js';
import { TestClock } from './clock.js';

export interface TestOrganization {
  id: string;
  apiKey: string;
  /** A client authenticated with the organization's administrator key. */
  client: GraphQLClient;
}

export interface TestServer {
  app: App;
  url: string;
  databaseUrl: string;
  clock: TestClock;
  /** Every SQL statement sent since the last reset. */
  statements: string[];
  anonymous: GraphQLClient;
  createOrganization(name?: string, whitelabelHost?: string): Promise<TestOrganization>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Receives the server's log lines (JSON), e.g. to assert what was logged. */
  logLines?: string[];
  /** Runs a second instance over this server's database and clock (the first one removes it). */
  alongside?: TestServer;
}

/**
 * Settings for tests that count SQL statements: the pollers (scheduler, mail and webhook outboxes)
 * run once a minute or less, so none of their statements lands in a measured request.
 */
export const QUIET_POLLERS = { AUTOMATION_TICK_SECONDS: '60', EMAIL_POLL_SECONDS: '600', WEBHOOK_POLL_SECONDS: '600' };

/** Waits until the server has sent no SQL statement for a few polls in a row (at most 5 s). */
export async function statementsSettled(server: TestServer): Promise<void> {
  let last = -1;
  let steady = 0;
  for (let poll = 0; poll < 50 && steady < 3; poll += 1) {
    await sleep(100);
    steady = server.statements.length === last ? steady + 1 : 0;
    last = server.statements.length;
  }
}

export async function startServer(env: Record<string, string> = {}, options: ServerOptions = {}): Promise<TestServer> {
  const database = options.alongside
    ? { url: options.alongside.databaseUrl, remove: async () => {} }
    : await copyTemplateDatabase(inject('templateDatabase'));
  const clock = options.alongside?.clock ?? new TestClock();
  const statements: string[] = [];
  // Mail goes to a throw-away .eml folder unless the test gives an SMTP server or a folder.
  const outbox = await mkdtemp(path.join(os.tmpdir(), 'badges-outbox-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, LOG_LEVEL: 'silent', EMAIL_OUTBOX_DIR: outbox, ...env });
  const app = await createApp({
    config,
    clock,
    migrate: false,
    logger: options.logLines
      ? pino({ level: 'info' }, { write: (line: string) => void options.logLines!.push(line) })
      : pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    database: { onQuery: (sql) => statements.push(sql) },
  });
  const url = await app.start();
  let organizations = 0;
  return {
    app,
    url,
    databaseUrl: database.url,
    clock,
    statements,
    anonymous: new GraphQLClient(url),
    async createOrganization(name, whitelabelHost) {
      organizations += 1;
      const { organization, secret } = await createOrganization(app.deps, {
        name: name ?? `Organization ${organizations}`,
        whitelabelHost,
      });
      return { id: organization.id, apiKey: secret, client: new GraphQLClient(url, { 'x-api-key': secret }) };
    },
    async stop() {
      await app.stop();
      await database.remove();
      await rm(outbox, { recursive: true, force: true });
    },
  };
}
