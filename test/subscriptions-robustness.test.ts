// A subscriber that stops reading is dropped without slowing anyone else, and stopping the
// server ends every websocket and event stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { IssueAwardsDocument, OnAwardIssuedDocument } from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription, websocketUrl } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let templateId: string;
const logLines: string[] = [];

beforeAll(async () => {
  server = await startServer({ SUBSCRIPTION_MAX_BUFFERED_KB: '256', SUBSCRIPTION_MAX_LAG_SECONDS: '1' }, { logLines });
  org = await server.createOrganization();
  templateId = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
});
afterAll(() => server?.stop());

// Each result repeats a 10,000-character note twenty times: 200 KB a message, so a reader that
// stops fills the socket buffers after a few dozen events.
const HEAVY = `subscription { awardIssued { change award { ${Array.from({ length: 20 }, (_, index) => `n${index}: notes`).join(' ')} } } }`;

function stalledSubscriber(apiKey: string) {
  const socket = new WebSocket(websocketUrl(server.url), 'graphql-transport-ws');
  return new Promise<WebSocket>((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey } })));
    socket.once('message', () => {
      socket.send(JSON.stringify({ id: 'heavy', type: 'subscribe', payload: { query: HEAVY } }));
      // Stop reading: everything the server sends from now on piles up.
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
      resolve(socket);
    });
  });
}

/** Issues `count` awards carrying a 10,000-character note, in one transaction. */
function heavyBurst(round: string, count = 60) {
  const notes = 'x'.repeat(10_000);
  return org.client.data(IssueAwardsDocument, {
    input: {
      awards: Array.from({ length: count }, (_, index) => ({
        templateId,
        recipient: { email: `slow${round}-${index}@example.com`, name: `Slow Earner ${index}` },
        notes,
      })),
    },
  });
}

function drops() {
  return logLines
    .map((line) => JSON.parse(line) as { msg: string; lagMs?: number; bufferedBytes?: number })
    .filter((line) => line.msg === 'dropping a slow subscriber');
}

describe('slow subscribers', () => {
  it('on a websocket that stops draining are dropped, while the others receive everything', async () => {
    const joined = server.app.subscriptions.stats.joined;
    const dropped = drops().length;
    const stalled = await stalledSubscriber(org.apiKey);
    const gone = await stalledSubscriber(org.apiKey);
    const fast = liveClient(server.url, { apiKey: org.apiKey });
    const reader = new Subscription(fast.client, OnAwardIssuedDocument, { filter: { templateId } });
    await eventually(() => server.app.subscriptions.stats.joined === joined + 3);
    expect(server.app.websocketCount).toBe(3);

    // 120 results of 200 KB: far more than the socket buffers hold, and past the 256 KB limit.
    await heavyBurst('ws-1');
    await heavyBurst('ws-2');
    for (let index = 0; index < 120; index += 1) {
      expect((await reader.data(10_000)).awardIssued.change).toBe('ISSUED');
    }
    await eventually(() => server.app.subscriptions.stats.members === 1, 10_000);
    expect(drops().slice(dropped)).toHaveLength(2);
    expect(drops().at(-1)!.bufferedBytes).toBeGreaterThan(256 * 1024);

    // The close frame waits behind what the client has not read: a client that reads again gets
    // it (1008, policy violation); one that never does is terminated a little later.
    const closed = new Promise<number>((resolve) => stalled.on('close', (code) => resolve(code)));
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1008);
    await eventually(() => server.app.websocketCount === 1, 10_000);
    gone.terminate();
    await fast.client.dispose();
  });

  it('on an event stream that is not read are dropped once their oldest result waits too long', async () => {
    const joined = server.app.subscriptions.stats.joined;
    const dropped = drops().length;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': org.apiKey },
      body: JSON.stringify({ query: HEAVY }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200); // and its body is never read
    await eventually(() => server.app.subscriptions.stats.joined === joined + 1);

    await heavyBurst('sse-1');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await heavyBurst('sse-2');
    await eventually(() => drops().length > dropped, 10_000);
    expect(drops().at(-1)!.lagMs).toBeGreaterThan(1_000);
    await eventually(() => server.app.subscriptions.stats.members === 0);
    controller.abort();
  });
});

describe('keep-alive', () => {
  it('pings every connection, and drops one that stops answering', async () => {
    const own = await startServer({ WEBSOCKET_KEEPALIVE_SECONDS: '0.3' });
    try {
      const ownOrg = await own.createOrganization();
      const open = () =>
        new Promise<WebSocket>((resolve) => {
          const socket = new WebSocket(websocketUrl(own.url), 'graphql-transport-ws');
          socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: ownOrg.apiKey } })));
          socket.once('message', () => resolve(socket));
        });
      const alive = await open();
      const silent = await open();
      let pings = 0;
      alive.on('ping', () => (pings += 1)); // ws answers each ping with a pong by itself
      (silent as unknown as { _socket: { pause(): void } })._socket.pause(); // reads nothing, answers nothing
      await eventually(() => pings >= 3 && own.app.websocketCount === 1, 5_000);
      expect(alive.readyState).toBe(WebSocket.OPEN);
      alive.close();
      silent.terminate();
    } finally {
      await own.stop();
    }
  });
});

describe('stopping the server', () => {
  it('closes every websocket and every event stream', async () => {
    const own = await startServer();
    const ownOrg = await own.createOrganization();
    const live = liveClient(own.url, { apiKey: ownOrg.apiKey });
    new Subscription(live.client, OnAwardIssuedDocument);
    const sse = await fetch(`${own.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': ownOrg.apiKey },
      body: JSON.stringify({ query: 'subscription { awardIssued { change } }' }),
    });
    await eventually(() => own.app.subscriptions.stats.members === 2);

    const reading = (async () => {
      const reader = sse.body!.getReader();
      while (!(await reader.read()).done);
    })();
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    await reading; // the event stream ended
    await eventually(() => live.closes.length > 0);
    expect(live.closes[0]?.code).toBe(1001);
    expect(own.app.subscriptions.stats).toMatchObject({ members: 0, groups: 0 });
    await live.client.dispose();
  });
});
