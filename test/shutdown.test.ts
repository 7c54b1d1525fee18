// SIGTERM, as an orchestrator sends it: the server stops accepting, finishes the request in
// flight, closes websockets with 1001 (going away), and exits 0.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { once } from 'node:events';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateTemplateDocument, OnAwardIssuedDocument } from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startMain } from './helpers/processes.js';
import { copyTemplateDatabase } from './setup/databases.js';

const API_KEY = `shutdown-key-${randomBytes(12).toString('hex')}`;
let database: { url: string; remove(): Promise<void> };

beforeAll(async () => {
  database = await copyTemplateDatabase(inject('templateDatabase'));
});
afterAll(() => database?.remove());

describe('SIGTERM', () => {
  it('finishes the request in flight, closes websockets with 1001 and exits 0', async () => {
    const running = await startMain({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY });
    const client = new GraphQLClient(running.url, { 'x-api-key': API_KEY });
    await client.data(CreateTemplateDocument, { input: { name: 'Before the end', description: 'A badge.' } });
    const live = liveClient(running.url, { apiKey: API_KEY });
    const subscription = new Subscription(live.client, OnAwardIssuedDocument);
    await eventually(() => live.connections === 1);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the subscription registered

    // A request whose body is half sent when the signal arrives: it is in flight for certain.
    const body = JSON.stringify({ query: print(CreateTemplateDocument), variables: { input: { name: 'During the end', description: 'A badge.' } } });
    const half = Math.floor(body.length / 2);
    const inFlight = httpRequest(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-api-key': API_KEY },
    });
    const answered = once(inFlight, 'response');
    inFlight.write(body.slice(0, half));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exited = once(running.child, 'exit');
    running.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Not accepting any more, and not ready.
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();

    inFlight.end(body.slice(half));
    const [response] = (await answered) as [import('node:http').IncomingMessage];
    let text = '';
    for await (const chunk of response) text += chunk;
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ data: { createBadgeTemplate: { badgeTemplate: { name: 'During the end' } } } });

    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(live.closes[0]?.code).toBe(1001);
    expect(running.output()).toMatch(/shutting down/);
    subscription.dispose();
    await live.client.dispose();
  }, 60_000);
});
