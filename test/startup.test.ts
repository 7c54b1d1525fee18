// The real entry point, as `npm start` runs it, in a child process.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ViewerDocument } from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { runToExit, startMain } from './helpers/processes.js';
import { emptyDatabase } from './setup/databases.js';

let database: { url: string; remove(): Promise<void> };

beforeAll(async () => {
  database = await emptyDatabase(inject('templateDatabase'));
});
afterAll(() => database?.remove());

describe('first start', () => {
  it('migrates an empty database, creates the default organization, and prints its key once', async () => {
    const first = await startMain({ DATABASE_URL: database.url });
    const key = /(bdg_[A-Za-z0-9_-]{43})/.exec(first.output())?.[1];
    expect(key).toBeDefined();
    expect(first.output()).toContain('applied database migrations');
    const { viewer } = await new GraphQLClient(first.url, { 'x-api-key': key! }).data(ViewerDocument);
    expect(viewer.organization.name).toBe('Default organization');
    expect(viewer.permissions).toContain('API_KEYS_MANAGE');

    // GraphiQL is served to browsers from the package itself, with no CDN.
    const page = await fetch(`${first.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<title>Badges API</title>');
    expect(html).not.toContain('unpkg.com');

    expect(await first.stop()).toBe(0);

    const second = await startMain({ DATABASE_URL: database.url });
    expect(second.output()).not.toMatch(/bdg_/);
    expect(second.output()).not.toContain('applied database migrations');
    await new GraphQLClient(second.url, { 'x-api-key': key! }).data(ViewerDocument);
    expect(await second.stop()).toBe(0);
  });

  it('uses BOOTSTRAP_API_KEY when set, and never prints it', async () => {
    const fresh = await emptyDatabase(inject('templateDatabase'));
    try {
      const key = 'scripted-deployment-key-0123456789abcdef';
      const running = await startMain({ DATABASE_URL: fresh.url, BOOTSTRAP_API_KEY: key });
      expect(running.output()).not.toContain(key);
      const { viewer } = await new GraphQLClient(running.url, { 'x-api-key': key }).data(ViewerDocument);
      expect(viewer.apiKey.name).toBe('Bootstrap administrator');
      expect(await running.stop()).toBe(0);
    } finally {
      await fresh.remove();
    }
  });
});

describe('configuration errors', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/badges' }, 'DATABASE_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ BOOTSTRAP_API_KEY: 'short' }, 'BOOTSTRAP_API_KEY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'Badges <badges@example.com>' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'badges@example.com\r\nBcc: victim@example.com' }, 'MAIL_FROM'],
    [{ EMAIL_POLL_SECONDS: '0' }, 'EMAIL_POLL_SECONDS'],
    [{ EMAIL_MAX_ATTEMPTS: '0' }, 'EMAIL_MAX_ATTEMPTS'],
    [{ CERTIFICATE_IMAGES: 'maybe' }, 'CERTIFICATE_IMAGES'],
    [{ WEBHOOK_ADDRESSES: 'off' }, 'WEBHOOK_ADDRESSES'],
    [{ WEBHOOK_RETRY_HOURS: '0' }, 'WEBHOOK_RETRY_HOURS'],
    [{ DATABASE_PREPARED_STATEMENTS: '-1' }, 'DATABASE_PREPARED_STATEMENTS'],
  ])('stops with a sentence naming the variable: %o', async (env, variable) => {
    const { code, output } = await runToExit(env);
    expect(code).toBe(78);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain(`${variable}:`);
  });
});
