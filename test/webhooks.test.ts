// Webhooks through the real server and a real receiver: signatures verified with the Standard
// Webhooks library, retries, a crash between commit and delivery, two instances on one database,
// bad input, redelivery, disabling after repeated failures, and permissions.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateApiKeyDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  DisableWebhookEndpointDocument,
  EnableWebhookEndpointDocument,
  IssueAwardsDocument,
  NodeDocument,
  PingWebhookEndpointDocument,
  RedeliverWebhookDeliveryDocument,
  RevokeAwardDocument,
  SetAwardRuleDocument,
  RotateWebhookSecretDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointDocument,
  WebhookEndpointsDocument,
  WebhookEventTypesDocument,
  type WebhookDeliveryFieldsFragment,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startMain } from './helpers/processes.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

const FAST = {
  WEBHOOK_ADDRESSES: 'all',
  WEBHOOK_POLL_SECONDS: '0.05',
  WEBHOOK_RETRY_BASE_SECONDS: '0.05',
  WEBHOOK_TIMEOUT_SECONDS: '2',
  WEBHOOK_DISABLE_AFTER: '2',
  // Instances without Redis do not hear of each other's changes, so one's cached list of
  // deliveries would miss what the other delivered.
  RESPONSE_CACHE_TTL_SECONDS: '0',
};

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** A receiver that answers each path as its script says (200 once the script runs out). */
class Receiver {
  readonly received: Received[] = [];
  readonly scripts = new Map<string, Array<number | 'hang' | 'stall'>>();
  readonly #hanging: ServerResponse[] = [];
  server!: Server;
  url!: string;

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const next = this.scripts.get(path)?.shift() ?? 200;
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
        if (next === 'stall') {
          // The status, then a body that never ends.
          this.received.push({ path, headers, body: Buffer.concat(chunks).toString(), status: 200 });
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('accepted, but');
          this.#hanging.push(response);
          return;
        }
        if (next === 'hang') {
          this.received.push({ path, headers, body: Buffer.concat(chunks).toString(), status: 0 });
          this.#hanging.push(response);
          return;
        }
        this.received.push({ path, headers, body: Buffer.concat(chunks).toString(), status: next });
        response.writeHead(next, { 'content-type': 'text/plain' });
        response.end(next >= 200 && next < 300 ? 'thanks' : `nope ${next}`);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }
}

let receiver: Receiver;
let server: TestServer;
let org: TestOrganization;
let templateId: string;
let paths = 0;

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
  server = await startServer(FAST);
  org = await server.createOrganization('Hooked Academy');
  templateId = (await createActiveTemplate(org.client, { name: 'Webhook Wrangler', awardMode: 'REPEATABLE' })).id;
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function endpoint(client: GraphQLClient, events: string[], script: Array<number | 'hang' | 'stall'> = []) {
  paths += 1;
  const path = `/hook-${paths}`;
  receiver.scripts.set(path, [...script]);
  const { createWebhookEndpoint } = await client.data(CreateWebhookEndpointDocument, {
    input: { url: `${receiver.url}${path}`, events, description: `Endpoint ${paths}` },
  });
  return { path, secret: createWebhookEndpoint.secret, endpoint: createWebhookEndpoint.webhookEndpoint };
}

async function deliveries(client: GraphQLClient, endpointId: string): Promise<WebhookDeliveryFieldsFragment[]> {
  const { webhookDeliveries } = await client.data(WebhookDeliveriesDocument, { filter: { endpointId }, first: 100 });
  return webhookDeliveries.edges.map((edge) => edge.node);
}

async function settled(client: GraphQLClient, endpointId: string, count: number): Promise<WebhookDeliveryFieldsFragment[]> {
  let last: WebhookDeliveryFieldsFragment[] = [];
  try {
    return await eventually(async () => {
      last = await deliveries(client, endpointId);
      return last.length === count && last.every((delivery) => delivery.status !== 'QUEUED') ? last : undefined;
    });
  } catch (error) {
    const states = last.map(({ status, attempts, lastError }) => ({ status, attempts, lastError }));
    throw new Error(`${count} deliveries not settled: ${JSON.stringify(states)}`, { cause: error });
  }
}

describe('several processes', () => {
  it('two instances on one database deliver each event exactly once', async () => {
    const second = await startServer(FAST, { alongside: server });
    try {
      const { path, endpoint: created } = await endpoint(org.client, ['award.issued']);
      const awards = Array.from({ length: 20 }, (_, index) => ({ templateId, recipient: { email: `twice${index}@example.com`, name: `Twice ${index}` } }));
      // Half the awards through each instance; both workers race for every delivery.
      await Promise.all([
        org.client.data(IssueAwardsDocument, { input: { awards: awards.slice(0, 10) } }),
        new GraphQLClient(second.url, { 'x-api-key': org.apiKey }).data(IssueAwardsDocument, { input: { awards: awards.slice(10) } }),
      ]);
      const list = await settled(org.client, created.id, 20);
      expect(list.every((delivery) => delivery.status === 'DELIVERED' && delivery.attempts === 1)).toBe(true);
      const ids = receiver.at(path).map((request) => request.headers['webhook-id']);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    } finally {
      await second.app.stop();
    }
  });

  it('a delivery survives kill -9 between commit and delivery', async () => {
    // Its own database, whose in-process instance sends only when told to (tick).
    const survivor = await startServer({ ...FAST, WEBHOOK_POLL_SECONDS: '600' });
    try {
      const own = await survivor.createOrganization('Survivors');
      const own_template = (await createActiveTemplate(own.client, { name: 'Crash Course' })).id;
      const { path, endpoint: created } = await endpoint(own.client, ['award.issued'], ['hang']);
      // The real entry point on the same database: it commits the award and its delivery, starts
      // the POST (which the receiver holds), and is killed before it can record anything.
      const child = await startMain({ DATABASE_URL: survivor.databaseUrl, ...FAST, WEBHOOK_TIMEOUT_SECONDS: '30' });
      try {
        await new GraphQLClient(child.url, { 'x-api-key': own.apiKey }).data(IssueAwardsDocument, {
          input: { awards: [{ templateId: own_template, recipient: { email: 'crash@example.com', name: 'Crash Test' } }] },
        });
        await eventually(() => receiver.at(path).length === 1 || undefined);
      } finally {
        const exited = once(child.child, 'exit');
        child.child.kill('SIGKILL');
        await exited;
      }
      const [pending] = await deliveries(own.client, created.id);
      expect(pending).toMatchObject({ status: 'QUEUED', attempts: 0 });
      // Nothing is sent while the dead process's claim holds; once it lapses, this instance sends it.
      await survivor.app.webhooks.tick();
      expect(receiver.at(path)).toHaveLength(1);
      survivor.clock.advance(6 * 60_000);
      await survivor.app.webhooks.tick();
      const [delivered] = await settled(own.client, created.id, 1);
      expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 1 });
      const requests = receiver.at(path);
      expect(requests).toHaveLength(2);
      expect(requests[1]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id']);
      expect(requests[1]!.body).toBe(requests[0]!.body);
    } finally {
      await survivor.stop();
    }
  }, 60_000);
});

describe('delivery', () => {
  it('POSTs a signed award.issued with the award as the API shows it; the receiver verifies it with standardwebhooks', async () => {
    const { path, secret, endpoint: created } = await endpoint(org.client, ['award.issued', 'award.revoked']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(created.events).toEqual(['award.issued', 'award.revoked']);
    const { award } = await issue(org.client, templateId, 'ada@example.com');
    const [delivery] = await settled(org.client, created.id, 1);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, lastResponseCode: 200, lastResponseExcerpt: 'thanks', eventType: 'award.issued' });

    const [request] = receiver.at(path);
    const verified = new Webhook(secret).verify(request!.body, request!.headers) as Record<string, any>;
    expect(request!.headers['webhook-id']).toBe(delivery!.eventId);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verified).toMatchObject({ id: delivery!.eventId, type: 'award.issued', organizationId: expect.any(String) });
    expect(verified.data.award).toMatchObject({ id: award.id, status: 'PENDING', recipientEmail: 'ada@example.com', template: { id: templateId } });
    // A tampered body or another secret does not verify.
    expect(() => new Webhook(secret).verify(request!.body.replace('ada@', 'eve@'), request!.headers)).toThrow();
    const { rotateWebhookSecret } = await org.client.data(RotateWebhookSecretDocument, { id: created.id });
    expect(() => new Webhook(rotateWebhookSecret.secret).verify(request!.body, request!.headers)).toThrow();

    // Revoking sends award.revoked, signed with the new secret; events not subscribed to are not sent.
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Testing webhooks.' });
    const list = await settled(org.client, created.id, 2);
    expect(list.map((entry) => entry.eventType).sort()).toEqual(['award.issued', 'award.revoked']);
    const revoked = receiver.at(path).find((entry) => entry.body.includes('award.revoked'))!;
    expect((new Webhook(rotateWebhookSecret.secret).verify(revoked.body, revoked.headers) as any).data.award.status).toBe('REVOKED');
    // For a day after the rotation, a second signature with the old secret: receivers switch at leisure.
    expect(revoked.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(revoked.body, revoked.headers)).not.toThrow();
    expect(rotateWebhookSecret.webhookEndpoint.previousSecretValidUntil).toBeTruthy();
    server.clock.advance(25 * 3_600_000);
    await org.client.data(PingWebhookEndpointDocument, { id: created.id });
    await settled(org.client, created.id, 3);
    const ping = receiver.at(path).find((entry) => entry.body.includes('"ping"'))!;
    expect(ping.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(() => new Webhook(secret).verify(ping.body, ping.headers)).toThrow();
    new Webhook(rotateWebhookSecret.secret).verify(ping.body, ping.headers);
  });

  it('a receiver that fails twice then accepts gets exactly one successful delivery, with the same webhook-id each time', async () => {
    const { path, endpoint: created } = await endpoint(org.client, ['award.issued'], [500, 503]);
    await issue(org.client, templateId, 'retry@example.com');
    const [delivery] = await settled(org.client, created.id, 1);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 3, lastResponseCode: 200 });
    const requests = receiver.at(path);
    expect(requests.map((request) => request.status)).toEqual([500, 503, 200]);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(new Set([delivery!.eventId]));
  });

  it('sends one event per award of a bulk issue to every endpoint subscribed, and pages the deliveries', async () => {
    const first = await endpoint(org.client, ['award.issued']);
    const second = await endpoint(org.client, ['award.issued']);
    const awards = Array.from({ length: 5 }, (_, index) => ({ templateId, recipient: { email: `bulk${index}@example.com`, name: `Bulk ${index}` } }));
    await org.client.data(IssueAwardsDocument, { input: { awards } });
    const a = await settled(org.client, first.endpoint.id, 5);
    const b = await settled(org.client, second.endpoint.id, 5);
    // One event id per award, shared by both endpoints.
    expect(new Set(a.map((delivery) => delivery.eventId))).toEqual(new Set(b.map((delivery) => delivery.eventId)));
    const page = await org.client.data(WebhookDeliveriesDocument, { filter: { endpointId: first.endpoint.id }, first: 2 });
    expect(page.webhookDeliveries).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true } });
    const rest = await org.client.data(WebhookDeliveriesDocument, { filter: { endpointId: first.endpoint.id }, first: 10, after: page.webhookDeliveries.pageInfo.endCursor });
    expect(rest.webhookDeliveries.edges).toHaveLength(3);
  });

  it('pings on demand and redelivers by hand with the same event id', async () => {
    const { path, secret, endpoint: created } = await endpoint(org.client, ['template.created']);
    const { pingWebhookEndpoint } = await org.client.data(PingWebhookEndpointDocument, { id: created.id });
    // The payload reads the delivery after the commit, when the worker may have sent it already.
    expect(pingWebhookEndpoint.webhookDelivery.eventType).toBe('ping');
    expect(['QUEUED', 'DELIVERED']).toContain(pingWebhookEndpoint.webhookDelivery.status);
    const [ping] = await settled(org.client, created.id, 1);
    expect(ping).toMatchObject({ id: pingWebhookEndpoint.webhookDelivery.id, status: 'DELIVERED' });
    const { redeliverWebhookDelivery } = await org.client.data(RedeliverWebhookDeliveryDocument, { id: ping!.id });
    expect(redeliverWebhookDelivery.webhookDelivery.eventId).toBe(ping!.eventId);
    await settled(org.client, created.id, 2);
    const requests = receiver.at(path);
    expect(requests).toHaveLength(2);
    for (const request of requests) expect((new Webhook(secret).verify(request.body, request.headers) as any).type).toBe('ping');
    // A template event reaches an endpoint that subscribes to it.
    await createActiveTemplate(org.client, { name: 'Announced' });
    const list = await settled(org.client, created.id, 3);
    expect(list.map((delivery) => delivery.eventType)).toContain('template.created');
  });

  it('counts a receiver that does not answer in time as a failure, and retries it, a stalled body too', async () => {
    const { path, endpoint: created } = await endpoint(org.client, ['award.issued'], ['hang']);
    await issue(org.client, templateId, 'slow@example.com');
    const [delivery] = await settled(org.client, created.id, 1);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    expect(receiver.at(path)).toHaveLength(2);
    // A 2xx status whose body never ends is not an answer within the timeout either: cut, retried.
    const stalled = await endpoint(org.client, ['award.issued'], ['stall']);
    await issue(org.client, templateId, 'stalled@example.com');
    const [cut] = await settled(org.client, stalled.endpoint.id, 1);
    expect(cut).toMatchObject({ status: 'DELIVERED', attempts: 2, lastResponseCode: 200 });
    expect(receiver.at(stalled.path)).toHaveLength(2);
  });

  it('sends award.expired from the scheduler and automation_job.completed from a backfill', async () => {
    const { secret, path, endpoint: created } = await endpoint(org.client, ['award.expired', 'automation_job.completed', 'award.issued']);
    const soon = new Date(server.clock.now().getTime() + 3_600_000).toISOString();
    const { award } = await issue(org.client, templateId, 'expiring@example.com', { expiresAt: soon });
    server.clock.advance(2 * 3_600_000);
    await server.app.scheduler.tick();
    const ruled = await createActiveTemplate(org.client, { name: 'Ruled by points' });
    await org.client.data(SetAwardRuleDocument, { input: { templateId: ruled.id, points: { category: 'lifetime', threshold: 10 } } });
    await server.app.scheduler.tick();
    const list = await eventually(async () => {
      const found = await deliveries(org.client, created.id);
      return found.some((entry) => entry.eventType === 'automation_job.completed') && found.every((entry) => entry.status === 'DELIVERED') ? found : undefined;
    });
    expect(list.map((entry) => entry.eventType)).toEqual(expect.arrayContaining(['award.issued', 'award.expired', 'automation_job.completed']));
    const bodies = receiver.at(path).map((request) => new Webhook(secret).verify(request.body, request.headers) as any);
    const expired = bodies.find((body) => body.type === 'award.expired');
    expect(expired.data.award).toMatchObject({ id: award.id, status: 'EXPIRED' });
    const job = bodies.find((body) => body.type === 'automation_job.completed');
    expect(job.data.automationJob).toMatchObject({ status: 'COMPLETED', template: { id: ruled.id } });
  });

  it('gives a delivery up after the retry window and disables the endpoint after repeated failures', async () => {
    const { endpoint: created } = await endpoint(org.client, ['award.issued'], Array(20).fill(500));
    for (let round = 0; round < 2; round += 1) {
      await org.client.data(PingWebhookEndpointDocument, { id: created.id });
      // The first attempt fails; then the retry window is over.
      await eventually(async () => (await deliveries(org.client, created.id)).some((delivery) => delivery.status === 'QUEUED' && delivery.attempts >= 1) || undefined);
      server.clock.advance(73 * 3_600_000);
      await server.app.webhooks.tick();
      await eventually(async () => (await deliveries(org.client, created.id)).every((delivery) => delivery.status === 'FAILED') || undefined);
    }
    const { webhookEndpoint } = await org.client.data(WebhookEndpointDocument, { id: created.id });
    expect(webhookEndpoint).toMatchObject({ enabled: false, consecutiveFailures: 2 });
    expect(webhookEndpoint!.disabledReason).toMatch(/2 deliveries in a row failed.*HTTP 500/);
    const [failed] = await deliveries(org.client, created.id);
    expect(failed).toMatchObject({ status: 'FAILED', lastResponseCode: 500, lastResponseExcerpt: 'nope 500' });
    // Disabled: nothing new is written for it, pings are refused; enabling clears the count.
    const refused = await org.client.error(PingWebhookEndpointDocument, { id: created.id });
    expect(refused.extensions).toMatchObject({ code: 'CONFLICT', rule: 'endpointEnabled' });
    const { enableWebhookEndpoint } = await org.client.data(EnableWebhookEndpointDocument, { id: created.id });
    expect(enableWebhookEndpoint.webhookEndpoint).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    const { disableWebhookEndpoint } = await org.client.data(DisableWebhookEndpointDocument, { id: created.id, reason: 'Maintenance' });
    expect(disableWebhookEndpoint.webhookEndpoint).toMatchObject({ enabled: false, disabledReason: 'Maintenance' });
  });
});

describe('endpoints', () => {
  it('refuses a bad URL, an unknown event and a private address, naming the field and rule, and writes nothing', async () => {
    const strict = await startServer({});
    try {
      const other = await strict.createOrganization('Strict');
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ url: 'not a url', events: ['award.issued'] }, 'url', 'url'],
        [{ url: 'ftp://example.com/hook', events: ['award.issued'] }, 'url', 'url'],
        [{ url: 'https://example.com/hook', events: ['award.exploded'] }, 'events[0]', 'oneOf'],
        [{ url: 'https://example.com/hook', events: [] }, 'events', 'minItems'],
        [{ url: 'http://127.0.0.1:9/hook', events: ['award.issued'] }, 'url', 'publicAddress'],
        [{ url: 'http://169.254.169.254/latest/meta-data', events: ['award.issued'] }, 'url', 'publicAddress'],
        [{ url: 'http://[::1]/hook', events: ['award.issued'] }, 'url', 'publicAddress'],
        [{ url: 'http://10.1.2.3/hook', events: ['award.issued'] }, 'url', 'publicAddress'],
        [{ url: 'http://localhost/hook', events: ['award.issued'] }, 'url', 'publicAddress'],
      ];
      for (const [input, field, rule] of cases) {
        const error = await other.client.error(CreateWebhookEndpointDocument, { input: input as never });
        expect(error.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field, rule });
        expect(error.message).toContain(field);
      }
      const { webhookEndpoints } = await other.client.data(WebhookEndpointsDocument, {});
      expect(webhookEndpoints.totalCount).toBe(0);

      // Checked again at every delivery, on the addresses the connection would use: endpoints set
      // when they were allowed (or names that resolve differently now) reach nothing private.
      for (const host of ['127.0.0.1', 'localhost']) {
        const path = `/strict-${host}`;
        const row = await strict.app.deps.db.webhookEndpoint.create({
          data: { organizationId: other.id, url: `${receiver.url.replace('127.0.0.1', host)}${path}`, events: 'award.issued', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        });
        const endpointId = encodeGlobalID('WebhookEndpoint', row.id);
        await other.client.data(PingWebhookEndpointDocument, { id: endpointId });
        const [refused] = await eventually(async () => {
          const list = await deliveries(other.client, endpointId);
          return list[0]?.attempts ? list : undefined;
        });
        expect(refused).toMatchObject({ status: 'QUEUED', lastResponseCode: null });
        expect(refused!.lastError).toMatch(/loopback, private or link-local address that WEBHOOK_ADDRESSES=public does not allow/);
        expect(receiver.at(path)).toHaveLength(0);
      }
    } finally {
      await strict.stop();
    }
  });

  it('updates, lists and deletes endpoints; lists the event types', async () => {
    const { endpoint: created } = await endpoint(org.client, ['award.issued']);
    const { updateWebhookEndpoint } = await org.client.data(UpdateWebhookEndpointDocument, {
      input: { id: created.id, events: ['award.accepted', 'automation_job.completed'], description: null },
    });
    expect(updateWebhookEndpoint.webhookEndpoint).toMatchObject({ events: ['award.accepted', 'automation_job.completed'], description: null });
    const bad = await org.client.error(UpdateWebhookEndpointDocument, { input: { id: created.id, events: ['nope'] } });
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events[0]', rule: 'oneOf' });
    await org.client.data(DeleteWebhookEndpointDocument, { id: created.id });
    const gone = await org.client.error(WebhookEndpointDocument, { id: created.id });
    expect(gone.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const { webhookEventTypes } = await org.client.data(WebhookEventTypesDocument);
    expect(webhookEventTypes.map((type) => type.name)).toEqual(expect.arrayContaining(['award.issued', 'award.expired', 'template.created', 'automation_job.completed', 'ping']));
  });

  it('needs webhooks:manage', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Reader', permissions: ['READ'] } });
    const reader = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    const error = await reader.error(CreateWebhookEndpointDocument, { input: { url: `${receiver.url}/x`, events: ['award.issued'] } });
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(error.message).toContain('webhooks:manage');
    const listed = await reader.request(WebhookEndpointsDocument, {});
    expect(listed.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    // `node` needs only `read`: a webhook id resolves to null for a key without webhooks:manage.
    const { endpoint: created } = await endpoint(org.client, ['award.issued']);
    expect((await reader.data(NodeDocument, { id: created.id })).node).toBeNull();
    expect((await org.client.data(NodeDocument, { id: created.id })).node?.id).toBe(created.id);
  });
});
