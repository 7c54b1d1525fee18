// npm run bench:fanout — N websocket subscribers (1,000 and 10,000 by default) on one server
// process, all subscribed to
//   subscription { awardIssued { committedAt award { id recipientName template { name } earner { email } } } }
// The server (src/main.ts) runs in its own process; the subscribers in processes of their own
// (bench/fanout-subscribers.ts, at most SUBSCRIBERS_PER_PROCESS each) on the same machine.
//
// - latency: one award issued per interval; for each event, the time from its commit (the event's
//   `committedAt`) until each subscriber, and the last one, received it;
// - throughput: a burst of awards issued in one transaction; deliveries per second until the last
//   subscriber has the last event;
// - memory: the server's resident memory with N idle subscribers, minus the same server before
//   they connected, divided by N (medians of several readings; with few subscribers the garbage
//   collector's swings are of the same size as the difference, so trust the larger N);
// - dropped: the subscribers the server dropped as too slow (`badges_subscribers_dropped_total`);
// - the baseline: plain `ws` servers (bench/raw-broadcast.ts), as many as ours, sending a message
//   of the same size to the same number of sockets, measured by the same subscribers the same ways.
//
// `NxI` runs N subscribers split evenly over I server instances sharing Redis and one PostgreSQL
// database: awards are issued on the first and reach the others' subscribers through Redis, and
// the memory figure is all servers' growth over all subscribers. `npm run bench:fanout-scale`
// runs the largest sizes this benchmark's machine allows (see bench/README.md).
//
// Every socket takes a file descriptor in its server's process and in its subscriber process, so
// no process may hold more sockets than its open-file limit (`ulimit -n`); the benchmark checks
// this first rather than fail mid-way. The subscribers connect from several loopback addresses
// (127.0.0.2, .3, ...), since one source address has only about 28,000 ephemeral ports.
//
// FANOUT_SUBSCRIBERS (1000,10000; `100000x6` for 100,000 over six instances, which needs Redis at
// REDIS_URL and PostgreSQL), FANOUT_RESULTS (the results' name: fanout), FANOUT_EVENTS (20),
// FANOUT_INTERVAL_MS (1000), FANOUT_BURST (20), FANOUT_RAW (1: also measure the raw ws baseline).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SubscriberRequest } from './fanout-subscribers.js';
import { benchDatabases, FANOUT_SUBSCRIPTION, graphql, ROOT, startServer, table, writeResults, type RunningServer } from './support.js';

/** `N` subscribers on one server, or `NxI`: N subscribers split over I instances sharing Redis. */
const RUNS = (process.env.FANOUT_SUBSCRIBERS ?? '1000,10000').split(',').map((entry) => {
  const [subscribers, instances] = entry.split('x').map(Number);
  return { subscribers: subscribers!, instances: instances ?? 1 };
});
const RESULTS_NAME = process.env.FANOUT_RESULTS ?? 'fanout';
const MEASURE_RAW = process.env.FANOUT_RAW !== '0';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const METRICS_TOKEN = 'fanout-metrics-token-0123456789';
/** Subscribers per load-generating process: reading is costly, and each socket takes a file. */
const SUBSCRIBERS_PER_PROCESS = 12_500;
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 20);
const INTERVAL_MS = Number(process.env.FANOUT_INTERVAL_MS ?? 1000);
const BURST = Number(process.env.FANOUT_BURST ?? 20);
const API_KEY = 'fanout-administrator-key-0123456789abcdef';

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

/** The open-file limit of this process, which the servers and subscriber processes inherit. */
function openFileLimit(): number {
  return Number(execFileSync('prlimit', ['--pid', String(process.pid), '--nofile', '--output', 'SOFT', '--noheadings']).toString().trim());
}

/** Fails at once, with the reason, when a run needs more sockets in one process than it may open. */
function checkOpenFileLimit(subscribers: number, instances: number): void {
  const limit = openFileLimit();
  const perServer = Math.ceil(subscribers / instances) + 200;
  if (perServer > limit) {
    throw new Error(
      `${subscribers} subscribers on ${instances} server process(es) need ${perServer} open files in each, over this machine's limit of ${limit} (ulimit -n; raising its hard limit needs CAP_SYS_RESOURCE). Use more instances: ${subscribers}x${Math.ceil(subscribers / (limit - 200))}.`,
    );
  }
}

interface Counts {
  total: number;
  lastArrival: number;
  fewest: number;
  open: number;
  committed: number[];
}

/** The subscribers, spread over processes of bench/fanout-subscribers.ts. */
class Subscribers {
  readonly #children: ChildProcess[] = [];
  #nextId = 0;
  /** Connection attempts that failed and were made again (an overloaded server refuses some). */
  reconnects = 0;
  readonly #waiting = new Map<number, (reply: Record<string, unknown>) => void>();

  static async connect(kind: 'graphql' | 'raw', urls: string[], count: number): Promise<Subscribers> {
    const subscribers = new Subscribers();
    const processes = Math.ceil(count / SUBSCRIBERS_PER_PROCESS);
    for (let index = 0; index < processes; index += 1) {
      const child = fork(`${ROOT}/bench/fanout-subscribers.ts`, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (reply: Record<string, unknown> & { id: number }) => {
        subscribers.#waiting.get(reply.id)?.(reply);
        subscribers.#waiting.delete(reply.id);
      });
      subscribers.#children.push(child);
    }
    // Each process connects its share; index numbering is global, so the observer is the very first.
    const replies = await Promise.all(
      subscribers.#children.map((child, index) => {
        const from = index * SUBSCRIBERS_PER_PROCESS;
        return subscribers.#ask(child, { type: 'connect', kind, urls, from, count: Math.min(SUBSCRIBERS_PER_PROCESS, count - from), subscription: FANOUT_SUBSCRIPTION, apiKey: API_KEY });
      }),
    );
    subscribers.reconnects = replies.reduce((sum, reply) => sum + Number(reply.reconnects ?? 0), 0);
    return subscribers;
  }

  #ask(child: ChildProcess, request: DistributiveOmit<SubscriberRequest, 'id'>): Promise<Record<string, unknown>> {
    const id = (this.#nextId += 1);
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, (reply) => (reply.error ? reject(new Error(reply.error as string)) : resolve(reply)));
      child.send({ ...request, id });
    });
  }

  #askAll(request: DistributiveOmit<SubscriberRequest, 'id'>): Promise<Array<Record<string, unknown>>> {
    return Promise.all(this.#children.map((child) => this.#ask(child, request)));
  }

  async clear(): Promise<void> {
    await this.#askAll({ type: 'clear' });
  }

  async counts(): Promise<Counts> {
    const replies = (await this.#askAll({ type: 'counts' })) as unknown as Counts[];
    return {
      total: replies.reduce((sum, reply) => sum + reply.total, 0),
      lastArrival: Math.max(...replies.map((reply) => reply.lastArrival)),
      fewest: Math.min(...replies.map((reply) => reply.fewest)),
      open: replies.reduce((sum, reply) => sum + reply.open, 0),
      committed: replies[0]!.committed,
    };
  }

  /** Waits until `check` holds for the counts, or the timeout passes; the last counts either way. */
  async waitFor(check: (counts: Counts) => boolean, timeoutMs: number): Promise<{ done: boolean; counts: Counts }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.counts();
      if (check(counts)) return { done: true, counts };
      if (Date.now() > deadline) return { done: false, counts };
      await sleep(50);
    }
  }

  /**
   * Latencies of events sent one at a time: to the last subscriber, per event, and to any
   * subscriber as percentiles (the results keep these, not millions of single deliveries).
   */
  async latencies(committed: number[]): Promise<{ last: number[]; any: { p50: number; p90: number; p99: number; max: number; deliveries: number } }> {
    const replies = (await this.#askAll({ type: 'latencies', committed })) as unknown as Array<{ all: number[]; lastPerEvent: number[] }>;
    const all = replies.flatMap((reply) => reply.all);
    const last = committed.map((at, event) => Math.max(...replies.map((reply) => reply.lastPerEvent[event]!)) - at);
    const any = { p50: percentile(all, 50), p90: percentile(all, 90), p99: percentile(all, 99), max: percentile(all, 100), deliveries: all.length };
    return { last, any };
  }

  async close(): Promise<void> {
    await this.#askAll({ type: 'close' });
    for (const child of this.#children) child.disconnect();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Subscribers a server has dropped for not reading fast enough, from its metrics. */
async function droppedBy(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await response.text();
  return Number(/^badges_subscribers_dropped_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function measureOurs(subscribers: number, instances: number) {
  const makers = await benchDatabases();
  // Instances share a database as in production: PostgreSQL.
  const database = await (instances > 1 ? makers.at(-1)! : makers[0]!)();
  if (instances > 1 && database.provider !== 'postgresql') throw new Error('several instances need PostgreSQL');
  const env = { DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, METRICS_TOKEN, ...(instances > 1 ? { REDIS_URL } : {}) };
  // The first starts alone: it applies the schema and creates the key.
  const servers = [await startServer(env)];
  for (let index = 1; index < instances; index += 1) servers.push(await startServer(env));
  const [issuer] = servers as [RunningServer];
  let pool: Subscribers | undefined;
  try {
    const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
      issuer.url,
      API_KEY,
      'mutation { createBadgeTemplate(input: { name: "Fan-out badge", description: "For the fan-out benchmark.", awardMode: REPEATABLE, activate: true }) { badgeTemplate { id } } }',
    );
    const templateId = createBadgeTemplate.badgeTemplate.id;
    let counter = 0;
    // A loaded server may reset an idle keep-alive connection just as it is reused; the
    // idempotency key makes the one retry safe (it can never issue twice).
    const issueOne = async () => {
      counter += 1;
      const send = () =>
        graphql(issuer.url, API_KEY, 'mutation ($input: IssueAwardInput!) { issueAward(input: $input) { outcome } }', {
          input: { templateId, idempotencyKey: `fan-${counter}`, recipient: { email: `fan${counter}@example.com`, name: `Fan Earner ${counter}` } },
        });
      return send().catch(send);
    };
    await issueOne(); // warms the server's code paths before the baseline memory reading
    await sleep(1000);
    const residentAll = async () => (await Promise.all(servers.map((server) => medianResidentKb(server.child.pid!)))).reduce((a, b) => a + b, 0);
    const idleBefore = await residentAll();

    const connectStart = Date.now();
    pool = await Subscribers.connect('graphql', servers.map((server) => `${server.url.replace('http', 'ws')}/graphql`), subscribers);
    const connectSeconds = (Date.now() - connectStart) / 1000;
    // Subscriptions register asynchronously: issue until every subscriber has one event.
    let ready = false;
    for (let attempt = 0; attempt < 30 && !ready; attempt += 1) {
      await pool.clear();
      await issueOne();
      ready = (await pool.waitFor((counts) => counts.fewest >= 1, 10_000)).done;
    }
    if (!ready) throw new Error('not every subscriber received the warm-up event');
    await sleep(2000);
    const idleAfter = await residentAll();

    await pool.clear();
    for (let event = 0; event < EVENTS; event += 1) {
      await issueOne();
      await sleep(INTERVAL_MS);
    }
    const { counts: afterLatency } = await pool.waitFor((counts) => counts.total >= EVENTS * subscribers, 30_000);
    const latency = await pool.latencies(afterLatency.committed);

    await pool.clear();
    const burstStart = Date.now();
    await graphql(issuer.url, API_KEY, 'mutation ($input: IssueAwardsInput!) { issueAwards(input: $input) { issuedCount } }', {
      input: {
        awards: Array.from({ length: BURST }, (_, index) => ({
          templateId,
          recipient: { email: `burst${index}@example.com`, name: `Burst Earner ${index}` },
        })),
      },
    });
    const { counts: afterBurst } = await pool.waitFor((counts) => counts.total >= BURST * subscribers, 60_000);
    const firstAt = afterBurst.committed[0] ?? burstStart;
    const dropped = (await Promise.all(servers.map((server) => droppedBy(server.url)))).reduce((a, b) => a + b, 0);
    return {
      provider: database.provider,
      connectSeconds,
      latency,
      deliveredLatency: afterLatency.total,
      expectedLatency: EVENTS * subscribers,
      deliveriesPerSecond: (afterBurst.total / (afterBurst.lastArrival - Math.min(firstAt, burstStart))) * 1000,
      burstDelivered: afterBurst.total,
      kbPerSubscriber: (idleAfter - idleBefore) / subscribers,
      dropped,
      reconnects: pool.reconnects,
      stillOpen: afterBurst.open,
    };
  } finally {
    await pool?.close();
    for (const server of servers) await server.stop();
    await database.remove();
  }
}

async function startRawBroadcast(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(`${ROOT}/bench/raw-broadcast.ts`, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, url: `ws://127.0.0.1:${/listening on (\d+)/.exec(line.toString())?.[1]}` };
}

async function measureRaw(subscribers: number, instances: number, size: number) {
  const servers = await Promise.all(Array.from({ length: instances }, startRawBroadcast));
  const broadcast = (count: number) => {
    for (const server of servers) server.child.send({ broadcast: count, size });
  };
  const pool = await Subscribers.connect('raw', servers.map((server) => server.url), subscribers);
  try {
    broadcast(1);
    await pool.waitFor((counts) => counts.total >= subscribers, 10_000);
    await pool.clear();
    for (let event = 0; event < EVENTS; event += 1) {
      broadcast(1);
      await sleep(INTERVAL_MS);
    }
    const { counts: afterLatency } = await pool.waitFor((counts) => counts.total >= EVENTS * subscribers, 30_000);
    const latency = await pool.latencies(afterLatency.committed);
    await pool.clear();
    const start = Date.now();
    broadcast(BURST);
    const { counts: afterBurst } = await pool.waitFor((counts) => counts.total >= BURST * subscribers, 60_000);
    return { latency, deliveriesPerSecond: (afterBurst.total / (afterBurst.lastArrival - start)) * 1000, delivered: afterBurst.total };
  } finally {
    await pool.close();
    for (const server of servers) server.child.disconnect();
  }
}

// The real message's size, for the baseline to send the same number of bytes.
const MESSAGE_SIZE = 280;

for (const { subscribers, instances } of RUNS) checkOpenFileLimit(subscribers, instances);
const rows: Array<Record<string, string | number>> = [];
const results: unknown[] = [];
for (const { subscribers, instances } of RUNS) {
  const ours = await measureOurs(subscribers, instances);
  const raw = MEASURE_RAW ? await measureRaw(subscribers, instances, MESSAGE_SIZE) : undefined;
  results.push({ subscribers, instances, ours, raw });
  console.log(JSON.stringify({ subscribers, instances, dropped: ours.dropped, stillOpen: ours.stillOpen, connectSeconds: ours.connectSeconds }));
  rows.push({
    subscribers,
    'server processes': instances,
    database: ours.provider,
    'last subscriber p50 ms': percentile(ours.latency.last, 50),
    'last subscriber p99 ms': percentile(ours.latency.last, 99),
    'any subscriber p50 ms': ours.latency.any.p50,
    'any subscriber p99 ms': ours.latency.any.p99,
    'raw ws last p50/p99 ms': raw ? `${percentile(raw.latency.last, 50)}/${percentile(raw.latency.last, 99)}` : 'not run',
    delivered: `${ours.deliveredLatency}/${ours.expectedLatency}`,
    'dropped / still open': `${ours.dropped} / ${ours.stillOpen}`,
    'reconnects while connecting': ours.reconnects,
    'deliveries/s': Math.round(ours.deliveriesPerSecond),
    'raw ws deliveries/s': raw ? Math.round(raw.deliveriesPerSecond) : 'not run',
    'of raw': raw ? `${((ours.deliveriesPerSecond / raw.deliveriesPerSecond) * 100).toFixed(1)}%` : 'n/a',
    'KB per idle subscriber': ours.kbPerSubscriber.toFixed(1),
  });
}
const context = `${EVENTS} events ${INTERVAL_MS} ms apart for latency; a burst of ${BURST} awards for throughput; subscribers in processes of at most ${SUBSCRIBERS_PER_PROCESS} sockets on the same machine as the servers`;
const markdown = table(rows);
console.log(`\n${context}\n`);
console.log(markdown);
await writeResults(RESULTS_NAME, 'Live events to many subscribers', { events: EVENTS, intervalMs: INTERVAL_MS, burst: BURST, results }, `${context}.\n\n${markdown}`);
process.exit(0);
