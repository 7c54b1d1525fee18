// npm run bench:subscriber-memory — what one idle websocket subscriber costs the server's heap,
// and in what. The server (src/main.ts, SQLite) runs in its own process and writes a V8 heap
// snapshot on SIGUSR2 (each snapshot collects garbage first, so it holds only what is live). One
// snapshot is taken with a few subscribers connected, another once N more have subscribed to
//   subscription { awardIssued { committedAt award { id recipientName template { name } earner { email } } } }
// and received one event. The objects in the second and not in the first, divided by N, are what
// each subscriber keeps alive, grouped by kind (V8's constructor names). The server's resident
// memory is not compared: writing a snapshot grows it. bench:fanout reports resident memory.
//
// MEMORY_SUBSCRIBERS (5000): N.
import { once } from 'node:events';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchDatabases, FANOUT_SUBSCRIPTION, graphql, ROOT, startServer, table, writeResults, type RunningServer } from './support.js';

const SUBSCRIBERS = Number(process.env.MEMORY_SUBSCRIBERS ?? 5000);
const API_KEY = 'memory-administrator-key-0123456789abcdef';
/** Connections opened at once: more would only queue in the server's accept backlog. */
const CONNECTING_AT_ONCE = 50;

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Asks the server for a heap snapshot and reads it (the server writes it to its working directory). */
async function heapSnapshot(server: RunningServer): Promise<HeapSnapshot> {
  const existing = new Set(await readdir(ROOT));
  server.child.kill('SIGUSR2');
  for (;;) {
    await sleep(500);
    const file = (await readdir(ROOT)).find((name) => name.endsWith('.heapsnapshot') && !existing.has(name));
    if (!file) continue;
    // The file appears when writing starts; it is complete once it parses.
    try {
      const snapshot = JSON.parse(await readFile(path.join(ROOT, file), 'utf8')) as HeapSnapshot;
      await rm(path.join(ROOT, file));
      return snapshot;
    } catch {
      continue;
    }
  }
}

/** A node's kind: its constructor for objects, its type for strings, code, arrays and the like. */
function kindsById(snapshot: HeapSnapshot): Map<number, { kind: string; size: number }> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [type, name, id, size] = ['type', 'name', 'id', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number, number];
  const nodes = new Map<number, { kind: string; size: number }>();
  for (let index = 0; index < snapshot.nodes.length; index += fields.length) {
    const nodeType = types[snapshot.nodes[index + type]!]!;
    const nodeName = snapshot.strings[snapshot.nodes[index + name]!]!;
    const kind =
      nodeType === 'object' || nodeType === 'native' || nodeType === 'synthetic'
        ? nodeName
        : nodeType === 'closure'
          ? 'function'
          : nodeType.endsWith('string')
            ? 'string'
            : nodeName.startsWith('(')
              ? nodeName
              : `(${nodeName || nodeType})`;
    nodes.set(snapshot.nodes[index + id]!, { kind: kind.slice(0, 60), size: snapshot.nodes[index + size]! });
  }
  return nodes;
}

async function connectSubscribers(url: string, count: number, sockets: WebSocket[], received: { count: number }): Promise<void> {
  const connectOne = () =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: API_KEY } })));
      socket.on('message', (data) => {
        const message = JSON.parse((data as Buffer).toString()) as { type: string };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: FANOUT_SUBSCRIPTION } }));
          sockets.push(socket);
          resolve();
        } else if (message.type === 'next') {
          received.count += 1;
        }
      });
      socket.once('error', reject);
    });
  for (let done = 0; done < count; done += CONNECTING_AT_ONCE) {
    await Promise.all(Array.from({ length: Math.min(CONNECTING_AT_ONCE, count - done) }, connectOne));
  }
}

const database = await (await benchDatabases())[0]!();
const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' });
const sockets: WebSocket[] = [];
try {
  const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
    server.url,
    API_KEY,
    'mutation { createBadgeTemplate(input: { name: "Memory badge", description: "For the memory benchmark.", awardMode: REPEATABLE, activate: true }) { badgeTemplate { id } } }',
  );
  let issued = 0;
  const issueOne = () => {
    issued += 1;
    return graphql(server.url, API_KEY, 'mutation ($input: IssueAwardInput!) { issueAward(input: $input) { outcome } }', {
      input: { templateId: createBadgeTemplate.badgeTemplate.id, recipient: { email: `memory${issued}@example.com`, name: `Memory Earner ${issued}` } },
    });
  };
  const received = { count: 0 };
  const awaitDelivery = async (expected: number) => {
    for (let waited = 0; received.count < expected; waited += 100) {
      if (waited > 60_000) throw new Error(`${received.count} of ${expected} subscribers received the event`);
      await sleep(100);
    }
  };

  // A few subscribers and one event first, so the code paths and the subscription group exist.
  await connectSubscribers(server.url, 10, sockets, received);
  await sleep(500);
  await issueOne();
  await awaitDelivery(10);
  await sleep(4000); // past graphql-ws's wait for connection_init, as for the subscribers to come
  const before = kindsById(await heapSnapshot(server));

  await connectSubscribers(server.url, SUBSCRIBERS, sockets, received);
  await sleep(500);
  received.count = 0;
  await issueOne();
  await awaitDelivery(SUBSCRIBERS + 10);
  await sleep(4000);
  const after = kindsById(await heapSnapshot(server));

  const byKind = new Map<string, { count: number; bytes: number }>();
  let bytes = 0;
  for (const [id, node] of after) {
    if (before.has(id)) continue;
    const entry = byKind.get(node.kind) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += node.size;
    byKind.set(node.kind, entry);
    bytes += node.size;
  }
  const kinds = [...byKind]
    .map(([kind, entry]) => ({ kind, perSubscriber: entry.count / SUBSCRIBERS, bytesPerSubscriber: entry.bytes / SUBSCRIBERS }))
    .filter((entry) => entry.bytesPerSubscriber >= 1)
    .sort((a, b) => b.bytesPerSubscriber - a.bytesPerSubscriber);
  const results = {
    subscribers: SUBSCRIBERS,
    heapBytesPerSubscriber: bytes / SUBSCRIBERS,
    kinds,
  };
  console.log(`${SUBSCRIBERS} subscribers: ${(results.heapBytesPerSubscriber / 1024).toFixed(2)} KB of heap each`);
  await writeResults(
    'subscriber-memory',
    'Memory per idle websocket subscriber',
    results,
    [
      `${SUBSCRIBERS} idle subscribers of \`${FANOUT_SUBSCRIPTION}\` on one server (SQLite), each on a connection of its own, after one event. The live objects (per V8 heap snapshots, taken after a garbage collection) that the subscribers added to the server's heap, divided by their number.`,
      '',
      table([{ subscribers: SUBSCRIBERS, 'heap KB per subscriber': (results.heapBytesPerSubscriber / 1024).toFixed(2) }]),
      '',
      'Where the heap goes (kinds of at least 1 byte per subscriber):',
      '',
      table(kinds.map((entry) => ({ kind: `\`${entry.kind}\``, 'per subscriber': entry.perSubscriber.toFixed(2), 'bytes per subscriber': entry.bytesPerSubscriber.toFixed(0) }))),
    ].join('\n'),
  );
} finally {
  for (const socket of sockets) socket.close();
  await Promise.all(sockets.filter((socket) => socket.readyState !== WebSocket.CLOSED).map((socket) => once(socket, 'close')));
  await server.stop();
  await database.remove();
}
