// npm run bench:fanout — issue 3's benchmark. N websocket subscribers (1,000 and 10,000 by
// default) on one server process, all subscribed to
//   subscription { awardIssued { committedAt award { id recipientName template { name } earner { email } } } }
// The server (src/main.ts) runs in its own process; the subscribers live in this one.
//
// - latency: one award issued per interval; for each event, the time from its commit (the event's
//   `committedAt`) until each subscriber, and the last one, received it;
// - throughput: a burst of awards issued in one transaction; deliveries per second until the last
//   subscriber has the last event;
// - memory: the server's resident memory with N idle subscribers, minus the same server before
//   they connected, divided by N (medians of several readings; with few subscribers the garbage
//   collector's swings are of the same size as the difference, so trust the larger N);
// - the baseline: a plain `ws` server (bench/raw-broadcast.ts) sending a message of the same size
//   to the same number of sockets, measured by the same subscribers the same two ways.
// Goals: p99 (last subscriber) under 250 ms at 10,000; at least 50% of the raw broadcast rate;
// under 20 KB per idle subscriber.
//
// FANOUT_SUBSCRIBERS (1000,10000), FANOUT_EVENTS (20), FANOUT_INTERVAL_MS (1000), FANOUT_BURST (20).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { benchDatabases, graphql, ROOT, startServer, table, writeResults } from './support.js';

const SIZES = (process.env.FANOUT_SUBSCRIBERS ?? '1000,10000').split(',').map(Number);
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 20);
const INTERVAL_MS = Number(process.env.FANOUT_INTERVAL_MS ?? 1000);
const BURST = Number(process.env.FANOUT_BURST ?? 20);
const API_KEY = 'fanout-administrator-key-0123456789abcdef';
const SUBSCRIPTION = 'subscription { awardIssued { committedAt award { id recipientName template { name } earner { email } } } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function residentKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

async function medianResidentKb(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let index = 0; index < 7; index += 1) {
    readings.push(residentKb(pid));
    await sleep(400);
  }
  return percentile(readings, 50);
}

/**
 * Arrival times per event. Reading each message would cost the receiving process more than the
 * server's work per message and blur the figures, so one observer socket parses each event's
 * commit time and the others only note when something arrived: events are far enough apart (or,
 * in the burst, counted as a whole) for arrivals to be assigned by order.
 */
class Arrivals {
  /** Commit time (ms) of each event, in the order the observer saw them. */
  readonly committed: number[] = [];
  /** Per socket, the arrival times of its messages. */
  readonly perSocket: number[][] = [];
  total = 0;

  listen(socket: WebSocket, observer: boolean): void {
    const arrivals: number[] = [];
    this.perSocket.push(arrivals);
    socket.on('message', (data: Buffer) => {
      arrivals.push(Date.now());
      this.total += 1;
      if (observer) {
        const at = /"committedAt":"([^"]+)"/.exec(data.toString('latin1', 0, 200))?.[1];
        if (at) this.committed.push(Date.parse(at));
      }
    });
  }

  /** The latest arrival of any message. */
  get lastArrival(): number {
    let last = 0;
    for (const list of this.perSocket) for (const received of list) if (received > last) last = received;
    return last;
  }

  clear(): void {
    this.committed.length = 0;
    for (const list of this.perSocket) list.length = 0;
    this.total = 0;
  }
}

async function connectAll(count: number, open: (observer: boolean) => Promise<WebSocket>): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 500) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(500, count - start) }, (_, index) => open(start + index === 0)))));
  }
  return sockets;
}

function graphqlWsSubscriber(url: string, arrivals: Arrivals, observer: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: API_KEY } })));
    socket.once('message', () => {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
      arrivals.listen(socket, observer);
      resolve(socket);
    });
  });
}

function rawSubscriber(url: string, arrivals: Arrivals, observer: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', reject);
    socket.on('open', () => resolve(socket));
    arrivals.listen(socket, observer);
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Latencies of events sent one at a time: the k-th message of every socket is event k. */
function latencies(arrivals: Arrivals) {
  const all: number[] = [];
  const last: number[] = [];
  arrivals.committed.forEach((committed, event) => {
    let latest = 0;
    for (const list of arrivals.perSocket) {
      const received = list[event];
      if (received === undefined) continue;
      all.push(received - committed);
      if (received > latest) latest = received;
    }
    last.push(latest - committed);
  });
  return { all, last };
}

async function measureOurs(subscribers: number) {
  const [makeDatabase] = await benchDatabases();
  const database = await makeDatabase!();
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY });
  const arrivals = new Arrivals();
  let sockets: WebSocket[] = [];
  try {
    const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
      server.url,
      API_KEY,
      'mutation { createBadgeTemplate(input: { name: "Fan-out badge", description: "For the fan-out benchmark.", awardMode: REPEATABLE, activate: true }) { badgeTemplate { id } } }',
    );
    const templateId = createBadgeTemplate.badgeTemplate.id;
    let counter = 0;
    const issueOne = () => {
      counter += 1;
      return graphql(server.url, API_KEY, 'mutation ($input: IssueAwardInput!) { issueAward(input: $input) { outcome } }', {
        input: { templateId, recipient: { email: `fan${counter}@example.com`, name: `Fan Earner ${counter}` } },
      });
    };
    await issueOne(); // warms the server's code paths before the baseline memory reading
    await sleep(1000);
    const idleBefore = await medianResidentKb(server.child.pid!);

    sockets = await connectAll(subscribers, (observer) => graphqlWsSubscriber(`${server.url.replace('http', 'ws')}/graphql`, arrivals, observer));
    // Subscriptions register asynchronously: issue until every subscriber has one event.
    let ready = false;
    for (let attempt = 0; attempt < 30 && !ready; attempt += 1) {
      arrivals.clear();
      await issueOne();
      ready = await waitFor(() => arrivals.perSocket.every((list) => list.length >= 1), 2000);
    }
    if (!ready) throw new Error('not every subscriber received the warm-up event');
    await sleep(1000);
    const idleAfter = await medianResidentKb(server.child.pid!);

    arrivals.clear();
    for (let event = 0; event < EVENTS; event += 1) {
      await issueOne();
      await sleep(INTERVAL_MS);
    }
    await waitFor(() => arrivals.total >= EVENTS * subscribers, 30_000);
    const latency = latencies(arrivals);
    const deliveredLatency = arrivals.total;

    arrivals.clear();
    const burstStart = Date.now();
    await graphql(server.url, API_KEY, 'mutation ($input: IssueAwardsInput!) { issueAwards(input: $input) { issuedCount } }', {
      input: {
        awards: Array.from({ length: BURST }, (_, index) => ({
          templateId,
          recipient: { email: `burst${index}@example.com`, name: `Burst Earner ${index}` },
        })),
      },
    });
    await waitFor(() => arrivals.total >= BURST * subscribers, 60_000);
    const burstEnd = arrivals.lastArrival;
    const firstAt = arrivals.committed[0] ?? burstStart;
    return {
      latency,
      deliveredLatency,
      expectedLatency: EVENTS * subscribers,
      deliveriesPerSecond: (arrivals.total / (burstEnd - Math.min(firstAt, burstStart))) * 1000,
      burstDelivered: arrivals.total,
      kbPerSubscriber: (idleAfter - idleBefore) / subscribers,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
    await database.remove();
  }
}

async function measureRaw(subscribers: number, size: number) {
  const child = fork(`${ROOT}/bench/raw-broadcast.ts`, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = /listening on (\d+)/.exec(line.toString())?.[1];
  const arrivals = new Arrivals();
  const sockets = await connectAll(subscribers, (observer) => rawSubscriber(`ws://127.0.0.1:${port}`, arrivals, observer));
  try {
    child.send({ broadcast: 1, size });
    await waitFor(() => arrivals.total >= subscribers, 10_000);
    arrivals.clear();
    for (let event = 0; event < EVENTS; event += 1) {
      child.send({ broadcast: 1, size });
      await sleep(INTERVAL_MS);
    }
    await waitFor(() => arrivals.total >= EVENTS * subscribers, 30_000);
    const latency = latencies(arrivals);
    arrivals.clear();
    const start = Date.now();
    child.send({ broadcast: BURST, size });
    await waitFor(() => arrivals.total >= BURST * subscribers, 60_000);
    const end = arrivals.lastArrival;
    return { latency, deliveriesPerSecond: (arrivals.total / (end - start)) * 1000, delivered: arrivals.total };
  } finally {
    for (const socket of sockets) socket.terminate();
    child.disconnect();
  }
}

// The real message's size, for the baseline to send the same number of bytes.
const MESSAGE_SIZE = 280;

const rows: Array<Record<string, string | number>> = [];
const results: unknown[] = [];
for (const subscribers of SIZES) {
  const ours = await measureOurs(subscribers);
  const raw = await measureRaw(subscribers, MESSAGE_SIZE);
  results.push({ subscribers, ours, raw });
  rows.push({
    subscribers,
    'last subscriber p50 ms': percentile(ours.latency.last, 50),
    'last subscriber p99 ms': percentile(ours.latency.last, 99),
    'any subscriber p50 ms': percentile(ours.latency.all, 50),
    'any subscriber p99 ms': percentile(ours.latency.all, 99),
    'raw ws last p50/p99 ms': `${percentile(raw.latency.last, 50)}/${percentile(raw.latency.last, 99)}`,
    delivered: `${ours.deliveredLatency}/${ours.expectedLatency}`,
    'deliveries/s': Math.round(ours.deliveriesPerSecond),
    'raw ws deliveries/s': Math.round(raw.deliveriesPerSecond),
    'of raw': `${((ours.deliveriesPerSecond / raw.deliveriesPerSecond) * 100).toFixed(1)}%`,
    'KB per idle subscriber': ours.kbPerSubscriber.toFixed(1),
  });
}
const context = `${EVENTS} events ${INTERVAL_MS} ms apart for latency; a burst of ${BURST} awards for throughput`;
const markdown = table(rows);
console.log(`\n${context}\n`);
console.log(markdown);
await writeResults('fanout', 'Live events to many subscribers', { events: EVENTS, intervalMs: INTERVAL_MS, burst: BURST, results }, `${context}.\n\n${markdown}`);
process.exit(0);
