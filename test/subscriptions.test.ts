// Live events over websockets with the real graphql-ws client, and over Server-Sent Events.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  AcceptAwardDocument,
  ActivateTemplateDocument,
  ArchiveTemplateDocument,
  CreateApiKeyDocument,
  CreateTemplateDocument,
  DeleteAwardDocument,
  IssueAwardDocument,
  IssueAwardsDocument,
  OnAwardChangedDocument,
  OnAwardIssuedDocument,
  OnAwardRevokedDocument,
  OnAwardsIssuedDocument,
  OnBadgeTemplateChangedDocument,
  type OnAwardIssuedSubscription,
  RejectAwardDocument,
  RestoreAwardDocument,
  RevokeApiKeyDocument,
  RevokeAwardDocument,
  UpdateAwardDocument,
  UpdateTemplateDocument,
} from './generated/graphql.js';
import { DAY } from './helpers/clock.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription, websocketUrl } from './helpers/live.js';
import { QUIET_POLLERS, startServer, statementsSettled, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let live: ReturnType<typeof liveClient>;
let templateId: string;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Live Academy');
  templateId = (await createActiveTemplate(org.client, { name: 'Live Badge', awardMode: 'REPEATABLE' })).id;
  live = liveClient(server.url, { apiKey: org.apiKey });
});
afterAll(async () => {
  await live?.client.dispose();
  await server?.stop();
});

/** Subscribes and waits until the server has registered the subscription. */
async function subscribed<Data>(subscribe: () => Subscription<Data>) {
  const joined = server.app.subscriptions.stats.joined;
  const subscription = subscribe();
  await eventually(() => server.app.subscriptions.stats.joined > joined);
  return subscription;
}

describe('award events', () => {
  it('delivers issued, changed and revoked awards with nested fields', async () => {
    const issued = await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument));
    const changed = await subscribed(() => new Subscription(live.client, OnAwardChangedDocument));
    const revoked = await subscribed(() => new Subscription(live.client, OnAwardRevokedDocument));

    const { award } = await issue(org.client, templateId, 'ada@example.com', { recipient: { email: 'ada@example.com', name: 'Ada Lovelace' } });
    const event = (await issued.data()).awardIssued;
    expect(event).toMatchObject({
      change: 'ISSUED',
      awardId: award.id,
      award: { id: award.id, status: 'PENDING', recipientName: 'Ada Lovelace', template: { id: templateId, name: 'Live Badge' }, earner: { email: 'ada@example.com' } },
    });
    expect(Date.parse(event.at)).toBeGreaterThan(Date.now() - 60_000);

    await org.client.data(AcceptAwardDocument, { id: award.id });
    expect((await changed.data()).awardChanged).toMatchObject({ change: 'ACCEPTED', award: { status: 'ACCEPTED' } });
    await org.client.data(UpdateAwardDocument, { input: { id: award.id, notes: 'Well done.' } });
    expect((await changed.data()).awardChanged).toMatchObject({ change: 'UPDATED', award: { notes: 'Well done.' } });
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Mistake.' });
    expect((await revoked.data()).awardRevoked).toMatchObject({ change: 'REVOKED', award: { status: 'REVOKED' } });
    expect((await changed.data()).awardChanged).toMatchObject({ change: 'REVOKED' });
    await org.client.data(RestoreAwardDocument, { id: award.id });
    expect((await changed.data()).awardChanged).toMatchObject({ change: 'RESTORED', award: { status: 'ACCEPTED' } });

    const second = await issue(org.client, templateId, 'reject@example.com');
    await issued.data();
    await org.client.data(RejectAwardDocument, { id: second.award.id });
    expect((await changed.data()).awardChanged).toMatchObject({ change: 'REJECTED' });
    await org.client.data(DeleteAwardDocument, { id: second.award.id });
    expect((await changed.data()).awardChanged).toMatchObject({ change: 'DELETED', awardId: second.award.id, award: null });

    // Nothing is announced for changes that did not happen.
    await org.client.error(RevokeAwardDocument, { id: award.id, reason: '' });
    await org.client.error(AcceptAwardDocument, { id: award.id });
    await sleep(200);
    expect(issued.buffered + changed.buffered + revoked.buffered).toBe(0);
    for (const subscription of [issued, changed, revoked]) subscription.dispose();
  });

  it('records and announces an expiry when a ONCE badge is issued over an expired one', async () => {
    const once = await createActiveTemplate(org.client, { awardMode: 'ONCE' });
    const { award } = await issue(org.client, once.id, 'expired@example.com', { expiresAt: new Date(Date.now() + DAY).toISOString() });
    const changed = await subscribed(() => new Subscription(live.client, OnAwardChangedDocument, { changes: ['EXPIRED'] }));
    server.clock.advance(2 * DAY);
    try {
      await issue(org.client, once.id, 'expired@example.com');
      expect((await changed.data()).awardChanged).toMatchObject({ change: 'EXPIRED', awardId: award.id, award: { status: 'EXPIRED' } });
    } finally {
      server.clock.advance(-2 * DAY);
      changed.dispose();
    }
  });

  it('filters by template and by earner', async () => {
    const other = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const byTemplate = await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument, { filter: { templateId: other.id } }));
    const first = await issue(org.client, other.id, 'filtered@example.com');
    const byEarner = await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument, { filter: { earnerId: first.award.earner.id } }));
    await issue(org.client, templateId, 'someone@example.com');
    await issue(org.client, templateId, 'filtered@example.com');
    await issue(org.client, other.id, 'another@example.com');

    expect((await byTemplate.data()).awardIssued.award?.earner.email).toBe('filtered@example.com');
    expect((await byTemplate.data()).awardIssued.award?.earner.email).toBe('another@example.com');
    expect((await byEarner.data()).awardIssued.award?.template.id).toBe(templateId);
    await sleep(200);
    expect(byTemplate.buffered + byEarner.buffered).toBe(0);
    byTemplate.dispose();
    byEarner.dispose();
  });

  it('sends a bulk issue as one awardsIssued event, and per award to those who asked', async () => {
    const bulk = await createActiveTemplate(org.client, { name: 'Bulk Badge', awardMode: 'REPEATABLE' });
    const batches = await subscribed(() => new Subscription(live.client, OnAwardsIssuedDocument, { filter: { templateId: bulk.id } }));
    const each = await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument, { filter: { templateId: bulk.id } }));
    const awards = Array.from({ length: 250 }, (_, index) => ({
      templateId: bulk.id,
      recipient: { email: `bulk${index}@example.com`, name: `Bulk Earner ${index}` },
    }));
    await org.client.data(IssueAwardsDocument, { input: { awards } });

    const batch = (await batches.data()).awardsIssued;
    expect(batch.count).toBe(250);
    expect(batch.awards.map((award) => award.recipientEmail)).toEqual(awards.map((row) => row.recipient.email));
    expect(batch.awards[0]?.template.name).toBe('Bulk Badge');
    for (let index = 0; index < 250; index += 1) await each.data();
    await sleep(200);
    expect(batches.buffered + each.buffered).toBe(0);

    // A batch that fails writes nothing and announces nothing.
    await org.client.request(IssueAwardsDocument, {
      input: { awards: [awards[0]!, { ...awards[1]!, recipient: { email: 'broken', name: 'Broken Row' } }] },
    });
    await sleep(200);
    expect(batches.buffered + each.buffered).toBe(0);
    batches.dispose();
    each.dispose();
  });

  it('resolves every event with fresh data', async () => {
    const renamed = await createActiveTemplate(org.client, { name: 'Before', awardMode: 'REPEATABLE' });
    const issued = await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument, { filter: { templateId: renamed.id } }));
    await issue(org.client, renamed.id, 'fresh@example.com');
    expect((await issued.data()).awardIssued.award?.template.name).toBe('Before');
    await org.client.data(UpdateTemplateDocument, { input: { id: renamed.id, name: 'After' } });
    await issue(org.client, renamed.id, 'fresh@example.com');
    expect((await issued.data()).awardIssued.award?.template.name).toBe('After');
    issued.dispose();
  });
});

describe('template events', () => {
  it('delivers creation, changes, activation and archiving', async () => {
    const changes = await subscribed(() => new Subscription(live.client, OnBadgeTemplateChangedDocument));
    const { createBadgeTemplate } = await org.client.data(CreateTemplateDocument, { input: { name: 'Watched', description: 'Watched.' } });
    const id = createBadgeTemplate.badgeTemplate.id;
    expect((await changes.data()).badgeTemplateChanged).toMatchObject({ change: 'CREATED', version: 1, badgeTemplate: { id, state: 'DRAFT' } });
    const only = await subscribed(() => new Subscription(live.client, OnBadgeTemplateChangedDocument, { templateId: id }));
    // The template is read when an event is delivered (fresh data, as documented), so each change
    // is received before the next is made: otherwise a loaded machine may deliver ACTIVATED after
    // the archiving has committed, with the template already ARCHIVED.
    await org.client.data(ActivateTemplateDocument, { id });
    for (const subscription of [changes, only]) {
      expect((await subscription.data()).badgeTemplateChanged).toMatchObject({ change: 'ACTIVATED', badgeTemplate: { state: 'ACTIVE' } });
    }
    await org.client.data(UpdateTemplateDocument, { input: { id, name: 'Watched v2' } });
    for (const subscription of [changes, only]) {
      expect((await subscription.data()).badgeTemplateChanged).toMatchObject({ change: 'UPDATED', version: 2, badgeTemplate: { name: 'Watched v2' } });
    }
    await org.client.data(ArchiveTemplateDocument, { id });
    for (const subscription of [changes, only]) {
      expect((await subscription.data()).badgeTemplateChanged).toMatchObject({ change: 'ARCHIVED', badgeTemplate: { state: 'ARCHIVED' } });
    }
    await createActiveTemplate(org.client);
    expect((await changes.data()).badgeTemplateChanged.change).toBe('CREATED');
    await sleep(100);
    expect(only.buffered).toBe(0);
    changes.dispose();
    only.dispose();
  });
});

describe('sharing the work', () => {
  it('runs one execution per event for many identical subscriptions, and frees everything when they leave', async () => {
    // A server of its own, so nothing from other tests is counted.
    const own = await startServer(QUIET_POLLERS);
    try {
      const ownOrg = await own.createOrganization();
      const ownTemplate = await createActiveTemplate(ownOrg.client, { awardMode: 'REPEATABLE' });
      const listeners = own.app.events.listenerCount;
      // Work the issue sets off (the mail outbox) is counted once it has settled; periodic work
      // (websocket key re-checks) can only add statements, so the fewest over three events counts.
      const statementsPerEvent = async (subscriptions: Array<Subscription<OnAwardIssuedSubscription>>, name: string) => {
        let fewest = Infinity;
        for (let round = 1; round <= 3; round += 1) {
          await statementsSettled(own);
          own.statements.length = 0;
          await issue(ownOrg.client, ownTemplate.id, `${name}-${round}@example.com`);
          await Promise.all(subscriptions.map((subscription) => subscription.data()));
          await statementsSettled(own);
          fewest = Math.min(fewest, own.statements.length);
        }
        return fewest;
      };

      const first = liveClient(own.url, { apiKey: ownOrg.apiKey });
      const one = [new Subscription(first.client, OnAwardIssuedDocument, { filter: { templateId: ownTemplate.id } })];
      await eventually(() => own.app.subscriptions.stats.members === 1);
      const withOne = await statementsPerEvent(one, 'one');
      expect(withOne).toBeGreaterThan(0);

      const clients = Array.from({ length: 20 }, () => liveClient(own.url, { apiKey: ownOrg.apiKey }));
      const many = [...one, ...clients.map((each) => new Subscription(each.client, OnAwardIssuedDocument, { filter: { templateId: ownTemplate.id } }))];
      await eventually(() => own.app.subscriptions.stats.members === 21);
      expect(own.app.subscriptions.stats.groups).toBe(1);
      expect(own.app.events.listenerCount).toBe(listeners + 1);
      expect(await statementsPerEvent(many, 'many')).toBe(withOne);

      // Disconnecting abruptly, mid-stream, leaks nothing.
      const issuing = issue(ownOrg.client, ownTemplate.id, 'leaving@example.com');
      for (const each of [first, ...clients]) await each.client.terminate();
      await issuing;
      await eventually(
        () =>
          own.app.subscriptions.stats.members === 0 &&
          own.app.subscriptions.stats.groups === 0 &&
          own.app.events.listenerCount === listeners &&
          own.app.websocketCount === 0,
      );
    } finally {
      await own.stop();
    }
  });
});

describe('isolation and access', () => {
  it('never shows one organization another’s events', async () => {
    const other = await server.createOrganization('Other Academy');
    const otherLive = liveClient(server.url, { apiKey: other.apiKey });
    const otherTemplate = await createActiveTemplate(other.client, { awardMode: 'REPEATABLE' });
    const theirs = await subscribed(() => new Subscription(otherLive.client, OnAwardIssuedDocument));
    // Filtering on the other organization's template is refused as a query for it would be.
    const spying = new Subscription(otherLive.client, OnAwardIssuedDocument, { filter: { templateId } });
    expect((await spying.next()).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await issue(org.client, templateId, 'private@example.com');
    await issue(other.client, otherTemplate.id, 'their-own@example.com');
    expect((await theirs.data()).awardIssued.award?.earner.email).toBe('their-own@example.com');
    await sleep(200);
    expect(theirs.buffered).toBe(0);
    expect(spying.buffered).toBe(0);
    await otherLive.client.dispose();
  });

  it('refuses connections with a wrong key, and organization subscriptions to connections without one', async () => {
    const refused = liveClient(server.url, { apiKey: 'bdg_wrong' });
    await eventually(() => refused.closes.length > 0);
    expect(refused.closes[0]?.code).toBe(4403);
    await refused.client.dispose();

    // Without a key the connection stays open for public subscriptions only.
    const anonymous = liveClient(server.url, {});
    const result = await new Subscription(anonymous.client, OnAwardIssuedDocument).next();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.data ?? null).toBeNull();
    await issue(org.client, templateId, 'not-for-strangers@example.com');
    await sleep(200);
    expect(anonymous.closes).toHaveLength(0);
    await anonymous.client.dispose();
  });

  it('holds at most 32 connections without a key from one address', async () => {
    const anonymous = Array.from({ length: 33 }, () => liveClient(server.url, {}));
    await eventually(() => anonymous.filter((live) => live.connections > 0 || live.closes.length > 0).length === 33);
    await eventually(() => anonymous.some((live) => live.closes.length > 0));
    const refused = anonymous.filter((live) => live.closes.length > 0);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.closes[0]!.code).toBe(4403);
    await Promise.all(anonymous.map((live) => live.client.dispose()));
    // Closing them gives the address its budget back.
    await eventually(async () => {
      const again = liveClient(server.url, {});
      await eventually(() => again.connections > 0 || again.closes.length > 0);
      const open = again.connections > 0 && again.closes.length === 0;
      await again.client.dispose();
      return open;
    });
  });

  it('accepts the key as Authorization: Bearer, in a headers object as browsers send it', async () => {
    const bearer = liveClient(server.url, { headers: { Authorization: `Bearer ${org.apiKey}` } });
    const subscription = await subscribed(() => new Subscription(bearer.client, OnAwardIssuedDocument));
    await issue(org.client, templateId, 'bearer@example.com');
    expect((await subscription.data()).awardIssued.change).toBe('ISSUED');
    await bearer.client.dispose();
  });

  it('refuses subscriptions a key may not read', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Writer', permissions: ['AWARDS_ISSUE'] } });
    const writer = liveClient(server.url, { apiKey: createApiKey.secret });
    // graphql-ws reports a refused subscription as one result with errors, then completes it.
    const result = await new Subscription(writer.client, OnAwardIssuedDocument).next();
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(result.data ?? null).toBeNull();
    await writer.client.dispose();
  });

  it('disconnects a subscriber within seconds of its key being revoked', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Screen', permissions: ['READ'] } });
    const screen = liveClient(server.url, { apiKey: createApiKey.secret });
    await subscribed(() => new Subscription(screen.client, OnAwardIssuedDocument));
    const revokedAt = Date.now();
    await org.client.data(RevokeApiKeyDocument, { id: createApiKey.apiKey.id });
    await eventually(() => screen.closes.length > 0, 3_000);
    expect(screen.closes[0]?.code).toBe(4403);
    expect(Date.now() - revokedAt).toBeLessThan(3_000);
  });

  it('checks the Origin of browser connections', async () => {
    const open = (origin: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(websocketUrl(server.url), 'graphql-transport-ws', { headers: { origin } });
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => {});
      });
    expect(await open('https://evil.example')).toBe(403);
    expect(await open(new URL(server.url).origin)).toBe(101);
  });
});

describe('protocol robustness', () => {
  function rawSocket() {
    const socket = new WebSocket(websocketUrl(server.url), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    const opened = new Promise<void>((resolve) => socket.on('open', () => resolve()));
    return { socket, closed, opened };
  }

  it('closes with the protocol’s codes and keeps serving everyone else', async () => {
    const garbage = rawSocket();
    await garbage.opened;
    garbage.socket.send('{ this is not json');
    expect(await garbage.closed).toBe(4400);

    const early = rawSocket();
    await early.opened;
    early.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }));
    expect(await early.closed).toBe(4401);

    const twice = rawSocket();
    await twice.opened;
    twice.socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: org.apiKey } }));
    await new Promise((resolve) => twice.socket.once('message', resolve));
    const subscribe = JSON.stringify({ id: 'same', type: 'subscribe', payload: { query: 'subscription { awardIssued { change } }' } });
    twice.socket.send(subscribe);
    twice.socket.send(subscribe);
    expect(await twice.closed).toBe(4409);

    const repeated = rawSocket();
    await repeated.opened;
    repeated.socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: org.apiKey } }));
    repeated.socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: org.apiKey } }));
    expect(await repeated.closed).toBe(4429);

    // A client that vanishes in the middle of an event.
    const vanishing = liveClient(server.url, { apiKey: org.apiKey });
    await subscribed(() => new Subscription(vanishing.client, OnAwardIssuedDocument));
    const issuing = issue(org.client, templateId, 'vanish@example.com');
    await vanishing.client.terminate();
    await issuing;

    const survivor = await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument));
    await issue(org.client, templateId, 'survivor@example.com');
    expect((await survivor.data()).awardIssued.award?.earner.email).toBe('survivor@example.com');
    survivor.dispose();
  });

  it('applies the query limits to subscription documents', async () => {
    const deep = `subscription { awardIssued { award { template { awards { edges { node { earner { awards { edges { node { template { awards { edges { node { id } } } } } } } } } } } } } } }`;
    const socket = rawSocket();
    await socket.opened;
    socket.socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: org.apiKey } }));
    await new Promise((resolve) => socket.socket.once('message', resolve));
    socket.socket.send(JSON.stringify({ id: 'deep', type: 'subscribe', payload: { query: deep } }));
    const reply = JSON.parse(String(await new Promise((resolve) => socket.socket.once('message', resolve)))) as {
      type: string;
      payload: unknown;
    };
    // Refused before it runs: an `error` message for that id, and the socket stays open.
    expect(reply.type).toBe('error');
    expect(reply.payload).toMatchObject([{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 12 } }]);
    socket.socket.close();
  });
});

describe('Server-Sent Events', () => {
  it('streams subscription results over HTTP', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': org.apiKey },
      body: JSON.stringify({ query: 'subscription { awardIssued { change award { recipientName template { name } } } }' }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    await eventually(() => server.app.subscriptions.stats.members > 0);
    await issue(org.client, templateId, 'sse@example.com', { recipient: { email: 'sse@example.com', name: 'Server Sent' } });
    let text = '';
    while (!text.includes('"awardIssued"')) text += new TextDecoder().decode((await reader.read()).value);
    const data = JSON.parse(/data: (.*)/.exec(text.slice(text.indexOf('event: next')))![1]!) as { data: { awardIssued: unknown } };
    expect(data.data.awardIssued).toEqual({ change: 'ISSUED', award: { recipientName: 'Server Sent', template: { name: 'Live Badge' } } });
    const members = server.app.subscriptions.stats.members;
    controller.abort();
    await eventually(() => server.app.subscriptions.stats.members === members - 1);
  });
});
