// npm run bench:automation — issue 4's benchmark, for SQLite and PostgreSQL, against the real
// server in its own process:
// 1. addPoints throughput to a category with no rule, and to one with three points rules (awards
//    are issued and levels climb during the run), alternated twice; goal: the rules cost < 30%.
// 2. Backfill of a new threshold rule over BENCH_BACKFILL_EARNERS (default 100,000) earners with
//    balances (seeded through addPointsBatch), from the setAwardRule response to the job's end;
//    goal: under 5 s.
// 3. From a membership's end date to the awardRevoked event on a websocket, with the scheduler's
//    default tick (10 s) and no request arriving; goal: under 60 s.
//
// BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_BACKFILL_EARNERS,
// BENCH_LATENCY_SAMPLES (default 3), BENCH_PROVIDER (sqlite or postgresql), BENCH_ONLY (some of
// throughput, backfill, latency).
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { benchDatabases, benchPartSelected, graphql, measure, startServer, table, writeResults, type BenchDatabase, type Measurement, type RunningServer } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const BACKFILL_EARNERS = Number(process.env.BENCH_BACKFILL_EARNERS ?? 100_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 3);
const LOAD_EARNERS = 2_000;
const API_KEY = 'bench-administrator-key-0123456789abcdef';

const ADD_POINTS = `mutation AddPoints($input: AddPointsInput!) {
  addPoints(input: $input) { balance effects { issuedCount restoredCount revokedCount } }
}`;

async function createTemplate(url: string, name: string, awardMode = 'ONCE'): Promise<string> {
  const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
    url,
    API_KEY,
    `mutation ($input: CreateBadgeTemplateInput!) { createBadgeTemplate(input: $input) { badgeTemplate { id } } }`,
    { input: { name, description: 'Created by the automation benchmark.', awardMode, activate: true } },
  );
  return createBadgeTemplate.badgeTemplate.id;
}

async function setRule(url: string, input: Record<string, unknown>): Promise<string | undefined> {
  const { setAwardRule } = await graphql<{ setAwardRule: { job: { id: string } | null } }>(
    url,
    API_KEY,
    `mutation ($input: SetAwardRuleInput!) { setAwardRule(input: $input) { job { id } } }`,
    { input },
  );
  return setAwardRule.job?.id;
}

type Job = { status: string; processed: number; awarded: number; createdAt: string; startedAt: string | null; finishedAt: string | null };

async function jobOf(url: string, id: string): Promise<Job> {
  const { node } = await graphql<{ node: Job }>(
    url,
    API_KEY,
    `query ($id: ID!) { node(id: $id) { ... on AutomationJob { status processed awarded createdAt startedAt finishedAt } } }`,
    { id },
  );
  return node;
}

async function waitForJob(url: string, id: string): Promise<Job> {
  for (;;) {
    const job = await jobOf(url, id);
    if (job.status !== 'QUEUED' && job.status !== 'RUNNING') return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function average(runs: Measurement[]): Measurement {
  const mean = (pick: (run: Measurement) => number) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  return {
    name: runs[0]!.name,
    connections: runs[0]!.connections,
    requestsPerSecond: mean((run) => run.requestsPerSecond),
    p50: mean((run) => run.p50),
    p99: mean((run) => run.p99),
    requests: mean((run) => run.requests) * runs.length,
    errors: mean((run) => run.errors) * runs.length,
  };
}

async function throughput(server: RunningServer) {
  let counter = 0;
  const body = (category: string) => () => {
    counter += 1;
    const earner = counter % LOAD_EARNERS;
    return JSON.stringify({
      query: ADD_POINTS,
      variables: {
        input: { earner: { email: `load${earner}@example.com`, name: `Load Earner ${earner}` }, category, amount: 1 + (counter % 10), reason: 'Benchmark' },
      },
    });
  };
  const common = { url: server.url, apiKey: API_KEY, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 3 };
  const ceiling = await measure({ ...common, name: '{ __typename }', body: () => JSON.stringify({ query: '{ __typename }' }) });
  // Three thresholds on `lifetime`, one of them levelled (REPEATABLE): each request to that
  // category applies them, and some cross a threshold and issue an award. `plain` has no rule.
  for (const [threshold, mode] of [[20, 'ONCE'], [60, 'ONCE'], [25, 'REPEATABLE']] as const) {
    const templateId = await createTemplate(server.url, `At ${threshold} (${mode})`, mode);
    const job = await setRule(server.url, { templateId, points: { category: 'lifetime', threshold } });
    if (job) await waitForJob(server.url, job);
  }
  // Every load earner gets a balance in both categories first, so neither run pays for creating
  // earners and balances. Off and on then alternate twice, so warm-up and the growing tables
  // weigh on both alike.
  for (let offset = 0; offset < LOAD_EARNERS; offset += 500) {
    const entries = Array.from({ length: 500 }, (_, index) => offset + index).flatMap((earner) =>
      ['plain', 'lifetime'].map((category) => ({ earner: { email: `load${earner}@example.com`, name: `Load Earner ${earner}` }, category, amount: 1 })),
    );
    await graphql(server.url, API_KEY, `mutation ($input: AddPointsBatchInput!) { addPointsBatch(input: $input) { effects { issuedCount } } }`, { input: { entries } });
  }
  const runs = { off: [] as Measurement[], on: [] as Measurement[] };
  for (let round = 0; round < 2; round += 1) {
    runs.off.push(await measure({ ...common, warmupSeconds: round === 0 ? 3 : 0, name: 'addPoints, no rule on the category', body: body('plain') }));
    runs.on.push(await measure({ ...common, warmupSeconds: 0, name: 'addPoints, 3 points rules on the category', body: body('lifetime') }));
  }
  const off = average(runs.off);
  const on = average(runs.on);
  return { ceiling, off, on, cost: 1 - on.requestsPerSecond / off.requestsPerSecond };
}

async function backfill(server: RunningServer) {
  const seedStarted = performance.now();
  for (let offset = 0; offset < BACKFILL_EARNERS; offset += 1000) {
    const entries = Array.from({ length: Math.min(1000, BACKFILL_EARNERS - offset) }, (_, index) => {
      const number = offset + index;
      return { earner: { email: `member${number}@example.com`, name: `Member Number ${number}` }, category: 'season', amount: 1 + (number % 200) };
    });
    await graphql(server.url, API_KEY, `mutation ($input: AddPointsBatchInput!) { addPointsBatch(input: $input) { effects { issuedCount } } }`, {
      input: { entries },
    });
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const templateId = await createTemplate(server.url, 'Season hundred');
  const started = performance.now();
  const jobId = await setRule(server.url, { templateId, points: { category: 'season', threshold: 100 } });
  if (!jobId) throw new Error('setAwardRule queued no backfill job');
  const job = await waitForJob(server.url, jobId);
  const observedMs = performance.now() - started;
  if (job.status !== 'COMPLETED') throw new Error(`backfill ended ${job.status}`);
  const runMs = new Date(job.finishedAt!).getTime() - new Date(job.createdAt).getTime();
  return { seedSeconds, earners: job.processed, awarded: job.awarded, observedMs, runMs };
}

async function revocationLatency(server: RunningServer) {
  const templateId = await createTemplate(server.url, 'Members');
  await setRule(server.url, { templateId, membership: { productIds: ['mango'] } });
  const client = createClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { apiKey: API_KEY }, lazy: false });
  const arrivals = new Map<string, number>();
  const subscribed = new Promise<void>((resolve) => setTimeout(resolve, 500));
  client.subscribe<{ awardRevoked: { awardId: string } }>(
    { query: `subscription ($filter: AwardEventFilter) { awardRevoked(filter: $filter) { awardId } }`, variables: { filter: { templateId } } },
    { next: (result) => arrivals.set(result.data!.awardRevoked.awardId, Date.now()), error: (error) => console.error(error), complete: () => {} },
  );
  await subscribed;
  // End dates spread over a tick period, so the figures show the whole range of waiting.
  const samples = await Promise.all(
    Array.from({ length: LATENCY_SAMPLES }, async (_, index) => {
      const endsAt = Date.now() + 2_000 + Math.round((index * 10_000) / LATENCY_SAMPLES);
      const { startMembership } = await graphql<{ startMembership: { effects: { issued: Array<{ id: string }> } } }>(
        server.url,
        API_KEY,
        `mutation ($input: StartMembershipInput!) { startMembership(input: $input) { effects { issued { id } } } }`,
        { input: { earner: { email: `mango${index}@example.com`, name: `Mango Member ${index}` }, productId: 'mango', endsAt: new Date(endsAt).toISOString() } },
      );
      return { awardId: startMembership.effects.issued[0]!.id, endsAt };
    }),
  );
  const deadline = Date.now() + 90_000;
  while (samples.some((sample) => !arrivals.has(sample.awardId)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await client.dispose();
  return samples.map((sample) => (arrivals.has(sample.awardId) ? (arrivals.get(sample.awardId)! - sample.endsAt) / 1000 : Number.NaN));
}

async function benchmarkProvider(makeDatabase: () => Promise<BenchDatabase>) {
  const database = await makeDatabase();
  try {
    const fast = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0' });
    let load, filled;
    try {
      if (benchPartSelected('throughput')) load = await throughput(fast);
      if (benchPartSelected('backfill')) filled = await backfill(fast);
    } finally {
      await fast.stop();
    }
    let latencies;
    if (benchPartSelected('latency')) {
      // The default tick: what a deployment gets.
      const defaults = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY });
      try {
        latencies = await revocationLatency(defaults);
      } finally {
        await defaults.stop();
      }
    }
    return { provider: database.provider, load, filled, latencies };
  } finally {
    await database.remove();
  }
}

const all = [];
for (const makeDatabase of await benchDatabases()) all.push(await benchmarkProvider(makeDatabase));

const withLoad = all.flatMap(({ provider, load }) => (load ? [{ provider, load }] : []));
const withBackfill = all.flatMap(({ provider, filled }) => (filled ? [{ provider, filled }] : []));
const withLatency = all.flatMap(({ provider, latencies }) => (latencies ? [{ provider, latencies }] : []));
// Each table is printed with its context line and kept for bench/results/automation.md.
const sections: string[] = [];
function section(context: string | undefined, markdown: string) {
  console.log(context === undefined ? `\n${markdown}` : `\n${context}\n\n${markdown}`);
  sections.push(context === undefined ? markdown : `${context}:\n\n${markdown}`);
}
if (withLoad.length) {
  section(
    `addPoints: mean of 2 runs of ${SECONDS}s each (off and on alternated, 3s warm-up first), ${CONNECTIONS} connections, ${LOAD_EARNERS} earners`,
    table(
      withLoad.flatMap(({ provider, load }) =>
        [load.ceiling, load.off, load.on].map((result) => ({
          database: provider,
          operation: result.name,
          'req/s': Math.round(result.requestsPerSecond),
          'p50 ms': result.p50,
          'p99 ms': result.p99,
          errors: result.errors,
        })),
      ),
    ),
  );
  section(undefined, table(withLoad.map(({ provider, load }) => ({ database: provider, 'cost of the rules': `${(load.cost * 100).toFixed(1)}%`, goal: '< 30%' }))));
}
if (withBackfill.length) {
  section(
    'Backfill of a threshold rule',
    table(
      withBackfill.map(({ provider, filled }) => ({
        database: provider,
        earners: filled.earners,
        awarded: filled.awarded,
        'setAwardRule → job done (s)': (filled.observedMs / 1000).toFixed(2),
        'job created → finished (s)': (filled.runMs / 1000).toFixed(2),
        goal: '< 5 s',
        'seeding (s)': filled.seedSeconds.toFixed(1),
      })),
    ),
  );
}
if (withLatency.length) {
  section(
    'Membership end date → awardRevoked event (default 10 s tick)',
    table(
      withLatency.map(({ provider, latencies }) => ({
        database: provider,
        'seconds, per sample': latencies.map((value) => value.toFixed(2)).join(', '),
        max: Math.max(...latencies).toFixed(2),
        goal: '< 60 s',
      })),
    ),
  );
}
await writeResults(
  'automation',
  'Award rules',
  { seconds: SECONDS, connections: CONNECTIONS, backfillEarners: BACKFILL_EARNERS, results: all },
  sections.join('\n\n'),
);
