// The real entry point, as `npm start` runs it, in a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ViewerDocument } from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { emptyDatabase } from './setup/databases.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startMain(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => output });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

async function stop(running: Running): Promise<number | null> {
  const exited = once(running.child, 'exit');
  running.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

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

    expect(await stop(first)).toBe(0);

    const second = await startMain({ DATABASE_URL: database.url });
    expect(second.output()).not.toMatch(/bdg_/);
    expect(second.output()).not.toContain('applied database migrations');
    await new GraphQLClient(second.url, { 'x-api-key': key! }).data(ViewerDocument);
    expect(await stop(second)).toBe(0);
  });

  it('uses BOOTSTRAP_API_KEY when set, and never prints it', async () => {
    const fresh = await emptyDatabase(inject('templateDatabase'));
    try {
      const key = 'scripted-deployment-key-0123456789abcdef';
      const running = await startMain({ DATABASE_URL: fresh.url, BOOTSTRAP_API_KEY: key });
      expect(running.output()).not.toContain(key);
      const { viewer } = await new GraphQLClient(running.url, { 'x-api-key': key }).data(ViewerDocument);
      expect(viewer.apiKey.name).toBe('Bootstrap administrator');
      expect(await stop(running)).toBe(0);
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
  ])('stops with a sentence naming the variable: %o', async (env, variable) => {
    const { code, output } = await runToExit(env);
    expect(code).toBe(78);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain(`${variable}:`);
  });
});
