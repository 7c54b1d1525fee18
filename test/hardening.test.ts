// What a service on the open internet must hold: browsers' origins, the media types of bodies,
// text no field should hold, oversized and malformed bodies, request budgets, and the probes and
// metrics operators read.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  AwardsDocument,
  CreateTemplateDocument,
  IssueAwardDocument,
  RecordEngagementDocument,
  AwardEngagementDocument,
  TemplatesDocument,
  ViewerDocument,
} from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { websocketUrl } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  server = await startServer({ ALLOWED_ORIGINS: 'https://app.example', TRUST_PROXY: '1' });
  org = await server.createOrganization('Hardened');
});
afterAll(() => server?.stop());

const post = (headers: Record<string, string>, body: string) => fetch(`${server.url}/graphql`, { method: 'POST', headers, body });

describe('browser origins', () => {
  it('get CORS headers over HTTP only when allowed, never with credentials', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const preflight = await fetch(`${server.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      const sent = await post({ origin, 'content-type': 'application/json', 'x-api-key': org.apiKey }, JSON.stringify({ query: '{ __typename }' }));
      expect(sent.headers.get('access-control-allow-origin')).toBeNull();
    }
    const allowed = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('open websockets only when allowed, as over HTTP', async () => {
    const upgrade = (origin: string) =>
      new Promise<number | 'open'>((resolve) => {
        const socket = new WebSocket(websocketUrl(server.url), 'graphql-transport-ws', { headers: { origin } });
        socket.on('open', () => {
          socket.close();
          resolve('open');
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => {});
      });
    expect(await upgrade('https://evil.example')).toBe(403);
    expect(await upgrade('null')).toBe(403);
    expect(await upgrade('https://app.example')).toBe('open');
  });
});

describe('request bodies', () => {
  it('are JSON: forms, which browsers send cross-site without asking, change nothing', async () => {
    const mutation = 'mutation { createBadgeTemplate(input: { name: "Forged", description: "By a form." }) { badgeTemplate { id } } }';
    const form = await post({ 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': org.apiKey }, `query=${encodeURIComponent(mutation)}`);
    expect(form.status).toBe(415);
    const boundary = 'x-boundary';
    const multipart = await post(
      { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-api-key': org.apiKey },
      `--${boundary}\r\ncontent-disposition: form-data; name="query"\r\n\r\n${mutation}\r\n--${boundary}--\r\n`,
    );
    expect(multipart.status).toBe(415);
    const text = await post({ 'content-type': 'text/plain', 'x-api-key': org.apiKey }, JSON.stringify({ query: mutation }));
    expect(text.status).toBe(415);
    const { badgeTemplates } = await org.client.data(TemplatesDocument, { filter: { search: 'Forged' } });
    expect(badgeTemplates.totalCount).toBe(0);
  });

  it('that are malformed get an error that does not quote them', async () => {
    const response = await post({ 'content-type': 'application/json', accept: 'application/graphql-response+json' }, '{"query": "secret-token-abc {');
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toMatch(/invalid JSON/);
    expect(body).not.toMatch(/secret-token-abc/);
  });

  it('over the limit are answered 413, not cut off mid-send', async () => {
    const size = 5 * 1024 * 1024;
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(size) },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      // Sent in pieces, as a client would: the answer must arrive, not an EPIPE.
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const write = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', write);
        }
        request.end();
      };
      write();
    });
    expect(status).toBe(413);
  });
});

describe('text input', () => {
  it('refuses control characters anywhere, the same on every database, naming the field', async () => {
    const nul = await org.client.request(CreateTemplateDocument, { input: { name: 'Nul\u0000Badge', description: 'A badge.' } });
    expect(nul.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name', rule: 'noControlCharacters' });
    const search = await org.client.request(AwardsDocument, { filter: { search: 'a\u0000' } });
    expect(search.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
    const inline = await org.client.raw('{ awards(filter: { search: "a\\u0007b" }) { totalCount } }');
    expect(inline.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search', rule: 'noControlCharacters' });
    const { badgeTemplates } = await org.client.data(TemplatesDocument, { filter: { search: 'Nul' } });
    expect(badgeTemplates.totalCount).toBe(0);
  });

  it('allows line breaks in descriptions, not in names', async () => {
    const named = await org.client.request(CreateTemplateDocument, { input: { name: 'Two\nLines', description: 'A badge.' } });
    expect(named.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', rule: 'singleLine' });
    const described = await org.client.data(CreateTemplateDocument, { input: { name: 'One line', description: 'First line.\nSecond line.' } });
    expect(described.createBadgeTemplate.badgeTemplate.id).toBeTruthy();
    const template = await createActiveTemplate(org.client);
    const earner = await org.client.request(IssueAwardDocument, {
      input: { templateId: template.id, recipient: { email: 'lines@example.com', name: 'Ada\r\nLovelace' } },
    });
    expect(earner.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipient.name', rule: 'singleLine' });
  });
});

describe('response keys', () => {
  it('named like members of every object (__proto__, constructor) come back as the fields they alias', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const { award } = await issue(org.client, template.id, 'keys@example.com');
    const result = await org.client.raw(
      `{ __proto__: __typename constructor: __typename
         awards(first: 1, filter: { templateId: "${template.id}" }) { __proto__: totalCount edges { node { __proto__: id toString: status } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result.data)).toBe(
      `{"__proto__":"Query","constructor":"Query","awards":{"__proto__":1,"edges":[{"node":{"__proto__":"${award?.id}","toString":"${award?.status}"}}]}}`,
    );
  });
});

describe('client addresses', () => {
  it('count one IPv6 client once, however its address is spelled', async () => {
    const template = await createActiveTemplate(org.client);
    const { award } = await issue(org.client, template.id, 'v6@example.com');
    for (const spelling of ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', '2001:0db8::0001']) {
      await server.anonymous.withHeaders({ 'x-forwarded-for': spelling }).data(RecordEngagementDocument, { input: { publicId: award.publicId, kind: 'VIEW' } });
    }
    const { awardEngagement } = await server.anonymous.data(AwardEngagementDocument, { publicId: award.publicId });
    expect(awardEngagement.views).toBe(1);
  });
});

describe('probes', () => {
  it('say the process is alive, and ready only while its database is migrated', async () => {
    const alive = await fetch(`${server.url}/healthz`);
    expect(alive.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: true, migrations: true, redis: true } });

    const own = await startServer();
    try {
      await own.app.deps.db.$executeRawUnsafe(`DELETE FROM _prisma_migrations WHERE migration_name = (SELECT MAX(migration_name) FROM _prisma_migrations)`);
      const behind = await fetch(`${own.url}/readyz`);
      expect(behind.status).toBe(503);
      expect(await behind.json()).toMatchObject({ status: 'unavailable', checks: { database: true, migrations: false } });
    } finally {
      await own.stop();
    }
  });
});

describe('metrics', () => {
  it('are served only with the token, in Prometheus text', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const token = 'a-metrics-token-long-enough';
    const own = await startServer({ METRICS_TOKEN: token });
    try {
      const ownOrg = await own.createOrganization();
      await ownOrg.client.data(ViewerDocument);
      await ownOrg.client.raw('query Broken { nosuchfield }');
      expect((await fetch(`${own.url}/metrics`)).status).toBe(401);
      const scraped = await fetch(`${own.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      const text = await scraped.text();
      expect(text).toMatch(/badges_graphql_operations_total\{operation="Viewer",type="query",outcome="ok"\} 1/);
      expect(text).toMatch(/badges_graphql_operations_total\{operation="Broken",type="refused",outcome="GRAPHQL_VALIDATION_FAILED"\} 1/);
      expect(text).toMatch(/badges_db_statement_duration_seconds_count [1-9]/);
      for (const name of ['badges_subscriptions_open', 'badges_subscribers_dropped_total', 'badges_email_outbox_queued', 'badges_email_outbox_oldest_age_seconds', 'badges_automation_jobs']) {
        expect(text).toContain(`# TYPE ${name}`);
      }
    } finally {
      await own.stop();
    }
  });
});
