// npm run bench:leaderboard — issue 5's benchmark. For SQLite and PostgreSQL: the real server (its
// own process) over a database it migrated. First `{ __typename }` (the ceiling) on the fresh
// server; then the database is seeded directly with set-based SQL (a recursive CTE on SQLite,
// generate_series on PostgreSQL) with BENCH_EARNERS earners (default 1,000,000), each with a
// `lifetime` points balance; scores repeat (about ten earners per score), so ties are everywhere.
// Measured then:
// - the rank of a random earner (1 + the earners above, from the maintained points histogram),
// - the top 50 (an index range read in board order, the earners' columns in the same statement),
// - around a random earner (5 above, 5 below),
// - recordEngagement: a view of one of 1,000 awards from a new client address each time
//   (TRUST_PROXY=1 and X-Forwarded-For), so every event counts: an insert and an upsert.
// Each operation is measured twice: as fast as BENCH_CONNECTIONS (default 8) connections go
// (autocannon; throughput, and latency that is mostly waiting in line), then at each fixed offered
// load of BENCH_RATES (requests per second, default 250 and 500), evenly spaced over the same
// connections (latency under a stated concurrent load; see measureAtRate in ./support.ts). The
// ceiling is measured again at the end, and each throughput is given as a share of both ceilings.
// The ceiling and engagement are also measured with BENCH_SATURATION_CONNECTIONS (default 64):
// `{ __typename }` saturates the server with 8 connections, but an engagement event waits for its
// commit, so 8 connections leave the server partly idle and measure the client's concurrency, not
// the server's capacity. Shares are against the best ceiling of each round, at either count.
// Goals on PostgreSQL: rank p99 < 10 ms, top 50 p99 < 5 ms; engagement ≥ 40% of the ceiling.
// Each fixed-load measurement also gives the server's CPU time per request (from /proc), which
// moves with the code and much less with the machine than a p99 does; and the machine's floors
// are measured at the same loads: a bare node:http server answering the top 50's very bytes, and
// on PostgreSQL a `SELECT 1` round trip through pg (no server of ours in either), so a p99 can be
// read against what this machine gives an answer that costs nothing.
//
// The response cache is off, so every answer is computed. BENCH_SECONDS (default 8),
// BENCH_EARNERS, BENCH_PROVIDER (sqlite or postgresql: that one only), BENCH_ONLY (some of
// ceiling, floor, rank, top, topScores, around, engagement, cached), BENCH_WRITES, BENCH_CPU_PROFILE
// (see ./support.ts). Last, `cached`: the top 50 again, from a server with the response cache on
// (the default), with no writes and with BENCH_WRITES addPoints a second.
import Database from 'better-sqlite3';
import pg from 'pg';
import { sqlitePath } from '../src/db/provider.js';
import {
  atRate,
  benchDatabases,
  benchPartSelected,
  graphql,
  issuePublicAwards,
  measure,
  measureAtRate,
  startBareServer,
  startServer,
  table,
  writeResults,
  type BenchDatabase,
  type BenchRequest,
  type Measurement,
  type RateMeasurement,
} from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** Connections that saturate the server with requests that wait for a commit (see above). */
const SATURATION_CONNECTIONS = Number(process.env.BENCH_SATURATION_CONNECTIONS ?? 64);
/** Offered loads (requests per second) at which latency is measured. */
const RATES = (process.env.BENCH_RATES ?? '250,500').split(',').filter(Boolean).map(Number);
/** addPoints per second during the response-cache measurement with writes. */
const WRITES = Number(process.env.BENCH_WRITES ?? 20);
const EARNERS = Number(process.env.BENCH_EARNERS ?? 1_000_000);
const AWARDS = 1000;
const API_KEY = 'bench-administrator-key-0123456789abcdef';
/** Balances cycle through this many values, so about EARNERS / DISTINCT earners share each. */
const DISTINCT = Math.max(1, Math.floor(EARNERS / 10));

const earnerId = (index: number) => `bench-earner-${String(index).padStart(8, '0')}`;
const globalEarnerId = (index: number) => Buffer.from(`Earner:${earnerId(index)}`).toString('base64');
const randomEarner = () => 1 + Math.floor(Math.random() * EARNERS);

/** The leaderboards' histogram of the seeded balances, as the migration backfills it. */
const HISTOGRAM_SQL = [
  `INSERT INTO "PointsHistogram" ("organizationId", "category", "level", "bucket", "earners")
   SELECT "organizationId", "category", 0, "balance", COUNT(*) FROM "PointsBalance" GROUP BY "organizationId", "category", "balance"`,
  `INSERT INTO "PointsHistogram" ("organizationId", "category", "level", "bucket", "earners")
   SELECT "organizationId", "category", 1, ("balance" - (("balance" % 1024) + 1024) % 1024) / 1024, COUNT(*) FROM "PointsBalance"
   GROUP BY "organizationId", "category", ("balance" - (("balance" % 1024) + 1024) % 1024) / 1024`,
];

/** Earners bench-earner-00000001... with balance (i * 7919) mod DISTINCT, straight into the database. */
async function seed(database: BenchDatabase, organizationId: string): Promise<number> {
  const started = Date.now();
  if (database.provider === 'postgresql') {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO "Earner" ("id", "organizationId", "email", "emailLower", "name", "nameLower", "createdAt", "updatedAt")
         SELECT 'bench-earner-' || lpad(i::text, 8, '0'), $1, 'e' || i || '@example.com', 'e' || i || '@example.com',
                'Earner ' || i, 'earner ' || i, now(), now()
         FROM generate_series(1, $2::int) AS i`,
        [organizationId, EARNERS],
      );
      await client.query(
        `INSERT INTO "PointsBalance" ("organizationId", "earnerId", "category", "balance", "updatedAt")
         SELECT $1, 'bench-earner-' || lpad(i::text, 8, '0'), 'lifetime', ((i::bigint * 7919) % $3::int)::int, now()
         FROM generate_series(1, $2::int) AS i`,
        [organizationId, EARNERS, DISTINCT],
      );
      for (const sql of HISTOGRAM_SQL) await client.query(sql);
      // Statistics for the planner, and the visibility map that lets counts read the index alone.
      await client.query('VACUUM ANALYZE "Earner"');
      await client.query('VACUUM ANALYZE "PointsBalance"');
      // The load wrote ~0.5 GB of WAL: without a checkpoint now, the one it triggers writes those
      // pages out over the next minutes, in the middle of the measurements.
      await client.query('CHECKPOINT');
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(sqlitePath(database.url), { timeout: 60_000 });
    try {
      // Dates in the format Prisma wrote for the organization.
      const { createdAt } = db.prepare('SELECT "createdAt" FROM "Organization" WHERE "id" = ?').get(organizationId) as { createdAt: unknown };
      db.transaction(() => {
        db.prepare(
          `INSERT INTO "Earner" ("id", "organizationId", "email", "emailLower", "name", "nameLower", "createdAt", "updatedAt")
           WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
           SELECT 'bench-earner-' || substr('00000000' || i, -8), ?, 'e' || i || '@example.com', 'e' || i || '@example.com',
                  'Earner ' || i, 'earner ' || i, ?, ? FROM seq`,
        ).run(EARNERS, organizationId, createdAt, createdAt);
        db.prepare(
          `INSERT INTO "PointsBalance" ("organizationId", "earnerId", "category", "balance", "updatedAt")
           WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
           SELECT ?, 'bench-earner-' || substr('00000000' || i, -8), 'lifetime', (i * 7919) % ?, ? FROM seq`,
        ).run(EARNERS, organizationId, DISTINCT, createdAt);
        for (const sql of HISTOGRAM_SQL) db.exec(sql);
      })();
      db.exec('ANALYZE');
      // The rows into the database file, so reads do not go through a WAL of a million rows.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }
  return (Date.now() - started) / 1000;
}

/** 1,000 awards through the API, and their public ids. */
async function seedAwards(url: string): Promise<string[]> {
  const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
    url,
    API_KEY,
    `mutation { createBadgeTemplate(input: { name: "Benchmark badge", description: "Issued by the benchmark.", awardMode: REPEATABLE, activate: true }) { badgeTemplate { id } } }`,
  );
  const recipients = Array.from({ length: AWARDS }, (_, index) => ({ email: `engaged${index}@example.com`, name: `Engaged Earner ${index}` }));
  return issuePublicAwards(url, API_KEY, createBadgeTemplate.badgeTemplate.id, recipients);
}

const RANK = `query Rank($id: ID!) { leaderboard(board: { metric: POINTS }) { rank(earnerId: $id) { rank position score } } }`;
const TOP = `query Top { leaderboard(board: { metric: POINTS }) { top(first: 50) { entries { rank score earner { id name } } endCursor } } }`;
const TOP_SCORES = `query TopScores { leaderboard(board: { metric: POINTS }) { top(first: 50) { entries { rank score } endCursor } } }`;
const AROUND = `query Around($id: ID!) { leaderboard(board: { metric: POINTS }) { around(earnerId: $id, count: 5) { rank score earner { id name } } } }`;
const RECORD = `mutation Record($input: RecordEngagementInput!) { recordEngagement(input: $input) { counted } }`;

/** A request of an authenticated query, with new variables each time. */
const query = (document: string, variables?: () => Record<string, unknown>) => () => ({
  body: JSON.stringify({ query: document, variables: variables?.() }),
  headers: { 'x-api-key': API_KEY },
});
type Operation = { name: string; next: () => BenchRequest; ok?: (status: number, body: string) => boolean };

async function benchmarkProvider(makeDatabase: () => Promise<BenchDatabase>) {
  const database = await makeDatabase();
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0', TRUST_PROXY: '1' });
  const results: Measurement[] = [];
  const atRates: RateMeasurement[] = [];
  const ceiling: Operation = { name: '{ __typename }', next: query('{ __typename }') };
  const measureOperation = async (operation: Operation, rates: number[], saturate = false) => {
    const common = { name: operation.name, url: server.url, next: operation.next, ok: operation.ok, connections: CONNECTIONS, seconds: SECONDS };
    results.push(await measure({ ...common, warmupSeconds: 3 }));
    if (saturate) results.push(await measure({ ...common, connections: SATURATION_CONNECTIONS, warmupSeconds: 3 }));
    for (const rate of rates) atRates.push(await measureAtRate({ ...common, rate, pid: server.child.pid }));
  };
  try {
    // The ceiling first, on the fresh server, and again at the end, after everything else: which
    // code V8 optimized for which traffic moves `{ __typename }` by up to 2x within one process
    // (a server that first ran the 1,000-award mutation and the other operations answers it at
    // ~7,000 req/s, one that first ran `{ __typename }` at 11,000-14,000 on this machine).
    const measuringCeiling = benchPartSelected('ceiling');
    if (measuringCeiling) await measureOperation(ceiling, RATES, true);
    const { viewer } = await graphql<{ viewer: { organization: { id: string } } }>(server.url, API_KEY, '{ viewer { organization { id } } }');
    const organizationId = Buffer.from(viewer.organization.id, 'base64').toString('utf8').split(':')[1]!;
    const seedSeconds = await seed(database, organizationId);
    console.log(`${database.provider}: seeded ${EARNERS} earners with balances in ${seedSeconds.toFixed(1)} s`);
    const publicIds = await seedAwards(server.url);
    const randomEarnerVariables = () => ({ id: globalEarnerId(randomEarner()) });
    let views = 0;
    // A view of one of the awards from a new client address each time (TRUST_PROXY=1 takes it
    // from X-Forwarded-For), so every event counts: an insert and an upsert.
    const view = () => {
      views += 1;
      return {
        body: JSON.stringify({ query: RECORD, variables: { input: { publicId: publicIds[views % publicIds.length], kind: 'VIEW' } } }),
        headers: { 'x-forwarded-for': `10.${(views >> 16) & 255}.${(views >> 8) & 255}.${views & 255}` },
      };
    };
    const counted = (status: number, body: string) => status === 200 && body.includes('"counted":true');
    const operations: Array<Operation & { key: string; saturate?: boolean }> = [
      { key: 'rank', name: 'rank of a random earner', next: query(RANK, randomEarnerVariables) },
      { key: 'top', name: 'top 50 with earners (id, name)', next: query(TOP) },
      { key: 'topScores', name: 'top 50, rank and score only', next: query(TOP_SCORES) },
      { key: 'around', name: 'around a random earner (5 + 1 + 5)', next: query(AROUND, randomEarnerVariables) },
      { key: 'engagement', name: 'recordEngagement (new address each time: counted)', next: view, ok: counted, saturate: true },
    ];
    if (benchPartSelected('floor')) atRates.push(...(await machineFloors(database, server.url)));
    // BENCH_ONLY=rank,top,… measures only those.
    for (const operation of operations.filter((entry) => benchPartSelected(entry.key))) await measureOperation(operation, RATES, operation.saturate);
    if (measuringCeiling) await measureOperation({ ...ceiling, name: '{ __typename }, again at the end' }, [], true);
    if (benchPartSelected('cached')) atRates.push(...(await withResponseCache(database, query(TOP))));
    return { provider: database.provider, seedSeconds, results, atRates };
  } finally {
    await server.stop();
    await database.remove();
  }
}

/** The floors (see above) at each rate: bare node:http answering the top 50's bytes, and a PostgreSQL round trip. */
async function machineFloors(database: BenchDatabase, url: string): Promise<RateMeasurement[]> {
  const top = query(TOP)();
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...top.headers }, body: top.body });
  const bare = await startBareServer(await response.text());
  const measured: RateMeasurement[] = [];
  try {
    const common = { url: bare.url, ok: (status: number) => status === 200, connections: CONNECTIONS };
    await measure({ ...common, name: 'warm-up', get: () => '/graphql', seconds: 2 });
    for (const rate of RATES) {
      measured.push(await measureAtRate({ ...common, name: 'floor: bare node:http, the top 50’s bytes', next: () => ({ body: '{}' }), seconds: SECONDS, rate, pid: bare.child.pid }));
    }
  } finally {
    await bare.stop();
  }
  if (database.provider === 'postgresql') {
    const pool = new pg.Pool({ connectionString: database.url, max: CONNECTIONS });
    const send = () => pool.query('SELECT 1').then(() => true, () => false);
    try {
      for (const rate of RATES) measured.push(await atRate({ name: 'floor: SELECT 1 through pg', send, rate, seconds: SECONDS, warmupSeconds: 2 }));
    } finally {
      await pool.end();
    }
  }
  return measured;
}

/**
 * The top 50 from a second server with the response cache on (the default configuration): while
 * the board does not change, and while BENCH_WRITES addPoints a second (default 20) go to random
 * earners of the board's category, each of them emptying the organization's cached results.
 */
async function withResponseCache(database: BenchDatabase, next: () => BenchRequest): Promise<RateMeasurement[]> {
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, TRUST_PROXY: '1' });
  const measured: RateMeasurement[] = [];
  try {
    const common = { url: server.url, next, connections: CONNECTIONS, seconds: SECONDS, pid: server.child.pid };
    await measure({ ...common, name: 'warm-up', seconds: 3 });
    for (const rate of RATES) measured.push(await measureAtRate({ ...common, name: 'top 50 with earners, response cache on, no writes', rate }));
    const add = `mutation ($input: AddPointsInput!) { addPoints(input: $input) { balance } }`;
    let writing = true;
    let failedWrites = 0;
    const writer = (async () => {
      while (writing) {
        graphql(server.url, API_KEY, add, { input: { earnerId: globalEarnerId(randomEarner()), amount: 1 } }).catch(() => (failedWrites += 1));
        await new Promise((resolve) => setTimeout(resolve, 1000 / WRITES));
      }
    })();
    for (const rate of RATES) measured.push(await measureAtRate({ ...common, name: `top 50 with earners, response cache on, ${WRITES} addPoints/s`, rate }));
    writing = false;
    await writer;
    if (failedWrites) console.warn(`${failedWrites} addPoints failed`);
  } finally {
    await server.stop();
  }
  return measured;
}

const all: Array<{ provider: string; seedSeconds: number; results: Measurement[]; atRates: RateMeasurement[] }> = [];
for (const makeDatabase of await benchDatabases()) {
  const measured = await benchmarkProvider(makeDatabase);
  if (measured) all.push(measured);
}

const saturated = table(
  all.flatMap(({ provider, results }) => {
    // The best of each round of the ceiling, whatever the connection count.
    const best = (name: string) => Math.max(...results.filter((result) => result.name === name).map((result) => result.requestsPerSecond));
    const [first, last] = [best('{ __typename }'), best('{ __typename }, again at the end')];
    const share = (result: Measurement, ceiling: number) => (Number.isFinite(ceiling) ? `${((result.requestsPerSecond / ceiling) * 100).toFixed(1)}%` : '');
    return results.map((result) => ({
      database: provider,
      operation: result.name,
      connections: result.connections,
      'req/s': Math.round(result.requestsPerSecond),
      'p50 ms': result.p50,
      'p99 ms': result.p99,
      'of first ceiling': share(result, first),
      'of last ceiling': share(result, last),
      errors: result.errors,
    }));
  }),
);
const saturatedContext = `${EARNERS} earners, response cache off. As fast as the connections go (autocannon), ${SECONDS}s after a 3s warm-up; shares of the best ceiling of each round:`;
console.log(`\n${saturatedContext}\n`);
console.log(saturated);
const rated = table(
  all.flatMap(({ provider, atRates }) =>
    atRates.map((result) => ({
      database: provider,
      operation: result.name,
      'offered req/s': result.offered,
      'answered req/s': Math.round(result.achieved),
      'p50 ms': result.p50,
      'p90 ms': result.p90,
      'p99 ms': result.p99,
      'max ms': result.max,
      'server CPU ms/req': result.serverCpuMs ?? '',
      errors: result.errors,
    })),
  ),
);
const ratedContext = `Latency at a fixed offered load, evenly spaced, over at most ${CONNECTIONS} connections, ${SECONDS}s each (from each request's due time):`;
console.log(`\n${ratedContext}\n`);
console.log(rated);
await writeResults(
  'leaderboard',
  'Ranks, pages and engagement',
  { earners: EARNERS, seconds: SECONDS, connections: CONNECTIONS, saturationConnections: SATURATION_CONNECTIONS, rates: RATES, results: all },
  `${saturatedContext}\n\n${saturated}\n\n${ratedContext}\n\n${rated}`,
);
