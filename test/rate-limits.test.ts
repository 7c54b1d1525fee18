// Request budgets: per API key, and per client address for what needs no key; counted in memory
// by one instance, or in Redis by every instance that shares it.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ViewerDocument } from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { liveClient } from './helpers/live.js';
import { startServer, type TestServer } from './helpers/server.js';
import { print } from 'graphql';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const servers: TestServer[] = [];

async function serve(env: Record<string, string>, alongside?: TestServer) {
  const server = await startServer(env, alongside ? { alongside } : {});
  servers.push(server);
  return server;
}
afterAll(async () => {
  for (const server of servers.reverse()) await server.stop();
});

describe('rate limits', () => {
  it('answer 429 with Retry-After and RATE_LIMITED once a key has spent its budget, other keys unaffected', async () => {
    const server = await serve({ RATE_LIMIT_PER_KEY: '5' });
    const [org, other] = [await server.createOrganization(), await server.createOrganization()];
    const query = JSON.stringify({ query: print(ViewerDocument) });
    const send = (apiKey: string) => fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: query });
    const statuses = [];
    for (let index = 0; index < 6; index += 1) statuses.push((await send(org.apiKey)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await send(org.apiKey);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect((await send(other.apiKey)).status).toBe(200);

    // Websocket operations spend the same budget; the refusal answers that operation only.
    const live = liveClient(server.url, { apiKey: org.apiKey });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        live.client.subscribe({ query: '{ __typename }' }, { next: () => resolve('ran'), error: resolve, complete: () => {} });
      });
      expect(errors).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
      expect(live.closes).toEqual([]);
    } finally {
      await live.client.dispose();
    }
  });

  it('count the public entry points per client address: engagement, publicAward, certificates', async () => {
    const server = await serve({ RATE_LIMIT_PER_ADDRESS: '4', TRUST_PROXY: '1' });
    const org = await server.createOrganization();
    const template = await createActiveTemplate(org.client);
    const { award } = await issue(org.client, template.id, 'public@example.com');
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const certificate = (address: string) => fetch(`${server.url}/awards/${award.publicId}/pdf`, { headers: from(address) });
    const publicAward = (address: string) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from(address) },
        body: JSON.stringify({ query: `{ publicAward(publicId: "${award.publicId}") { publicId } }` }),
      });
    const statuses = [
      (await certificate('203.0.113.7')).status,
      (await publicAward('203.0.113.7')).status,
      (await certificate('203.0.113.7')).status,
      (await publicAward('203.0.113.7')).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200]);
    const certificateRefused = await certificate('203.0.113.7');
    expect(certificateRefused.status).toBe(429);
    expect(certificateRefused.headers.get('retry-after')).toMatch(/^\d+$/);
    const graphqlRefused = await publicAward('203.0.113.7');
    expect(graphqlRefused.status).toBe(429);
    expect(await graphqlRefused.json()).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    // Another address, and an organization's key, still get through.
    expect((await publicAward('203.0.113.8')).status).toBe(200);
    expect((await org.client.request(ViewerDocument)).errors).toBeUndefined();
  });

  it('are shared by the instances of one deployment through Redis', async () => {
    const env = { REDIS_URL, REDIS_CHANNEL: `badges:test:${randomBytes(6).toString('hex')}`, RATE_LIMIT_PER_KEY: '4' };
    const first = await serve(env);
    const second = await serve(env, first);
    const org = await first.createOrganization();
    const send = (server: TestServer) => server.anonymous.withHeaders({ 'x-api-key': org.apiKey }).request(ViewerDocument);
    for (const server of [first, second, first, second]) expect((await send(server)).errors).toBeUndefined();
    expect((await send(second)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await send(first)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
