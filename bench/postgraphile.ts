// npm run bench:postgraphile — our server beside PostGraphile 5 (amber preset, grafserv on
// node:http) on one PostgreSQL database with our schema and data, each in a process of its own,
// under the same load from this process: `{ __typename }` and a 50-award list with template,
// earner and organization plus totalCount (our response cache off). For each: requests per second
// at BENCH_CONNECTIONS, p50/p99, the server's CPU time per request (/proc) and the SQL statements
// it sent per request (bench/count-statements.ts, loaded into both). Floors: a bare node:http
// server for `{ __typename }`, one hand-written statement through pg for the list.
//
// BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 16), BENCH_SEED_AWARDS (default 5000),
// BENCH_ROUNDS (default 2: every other round in the reverse order, so neither server is always first),
// BENCH_ONLY (typename or list: that operation alone; a partial run leaves bench/results as it is).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import {
  DEFAULT_PG_URL,
  benchPartSelected,
  ROOT,
  createPostgresDatabase,
  measureWithServerCpu,
  processCpuMs,
  seedAwards,
  startBareServer,
  startScriptServer,
  startServer,
  table,
  vacuumAnalyze,
  writeResults,
  type Measurement,
  type RunningServer,
} from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SEED_AWARDS = Number(process.env.BENCH_SEED_AWARDS ?? 5000);
const API_KEY = 'bench-administrator-key-0123456789abcdef';
const COUNT_STATEMENTS = 'bench/count-statements.ts';
const STATEMENT_SAMPLES = 20;
// Node 22 has Promise.withResolvers, which PostGraphile 5 needs; before it, a polyfill is loaded.
const POLYFILLED = Number(process.versions.node.split('.')[0]) < 22;
const TYPENAME = benchPartSelected('typename');
const LIST = benchPartSelected('list');

const AWARD_FIELDS = 'id status recipientName recipientEmail issuedAt expiresAt';
const OUR_LIST = `query AwardList {
  awards(first: 50) {
    totalCount
    edges { node { ${AWARD_FIELDS} template { id name level } earner { id email name } organization { id name } } }
  }
}`;
// The same fields in PostGraphile's names (from its introspection), in our list's order (most
// recently issued first, then id) and, as ours is, restricted to the caller's organization.
const postGraphileList = (organizationId: string) => `query AwardList {
  allAwards(first: 50, orderBy: [ISSUED_AT_DESC, PRIMARY_KEY_DESC], condition: { organizationId: "${organizationId}" }) {
    totalCount
    edges { node { ${AWARD_FIELDS} badgeTemplateByTemplateId { id name level } earnerByEarnerId { id email name } organizationByOrganizationId { id name } } }
  }
}`;

/** The SQL statements a server started with bench/count-statements.ts has sent so far. */
async function statementCount(child: ChildProcess): Promise<number> {
  const answer = once(child, 'message');
  child.send('statements');
  const [message] = (await answer) as [{ statements: number }];
  return message.statements;
}

/** Waits (at most 30 s) until a process has used under 20 ms of CPU in the last half second. */
async function untilIdle(pid: number | undefined): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 500) {
    const before = processCpuMs(pid);
    await sleep(500);
    const after = processCpuMs(pid);
    if (before === undefined || after === undefined || after - before < 20) return;
  }
}

interface Row extends Measurement {
  operation: string;
  server: string;
  round: number;
  serverCpuMsPerRequest: number | undefined;
  statementsPerRequest: number | undefined;
}

/**
 * Statements per request, from windows of STATEMENT_SAMPLES requests sent one after another once the load has
 * stopped: under load, the requests still in flight when a run ends send statements that the
 * run's count of answers does not include.
 */
async function statementsPerRequest(running: RunningServer, body: string, apiKey?: string): Promise<number> {
  await sleep(500);
  const windows: number[] = [];
  // The least of three windows: a background job's statement (our scheduler's tick) falls in one.
  for (let window = 0; window < 3; window += 1) {
    const before = await statementCount(running.child);
    for (let index = 0; index < STATEMENT_SAMPLES; index += 1) {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body,
      });
      await response.text();
    }
    windows.push(((await statementCount(running.child)) - before) / STATEMENT_SAMPLES);
  }
  return Math.min(...windows);
}

/** One server answering one operation, and whether its SQL statements can be counted. */
interface Contender {
  server: string;
  running: RunningServer;
  body: string;
  counted: boolean;
  apiKey?: string;
}

/**
 * A warm-up, then the measured run with the server's CPU time; in the first round, then its
 * statements per request too (they do not change from round to round).
 */
async function run(operation: string, round: number, { server, running, body, counted, apiKey }: Contender): Promise<Row> {
  const options = { name: `${operation} (${server})`, url: running.url, apiKey, body: () => body, connections: CONNECTIONS };
  const result = await measureWithServerCpu(running.child.pid, { ...options, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
  const statements = counted && round === 0 ? await statementsPerRequest(running, body, apiKey) : undefined;
  const row = { ...result, operation, server, round, statementsPerRequest: statements };
  console.log(
    `round ${round + 1}, ${row.name}: ${Math.round(row.requestsPerSecond)} req/s, ${row.serverCpuMsPerRequest?.toFixed(3)} ms CPU/request, ${statements?.toFixed(2) ?? 'n/a'} statements/request, ${row.errors} errors`,
  );
  return row;
}

/** The recipients' emails of a list answer, in order: both servers must list the same awards. */
async function listedEmails(url: string, query: string, field: string, apiKey?: string): Promise<{ totalCount: number; emails: string[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify({ query }),
  });
  const answer = (await response.json()) as { data?: Record<string, { totalCount: number; edges: Array<{ node: { recipientEmail: string } }> }>; errors?: unknown };
  const list = answer.data?.[field];
  if (!list) throw new Error(`${url}: ${JSON.stringify(answer.errors)}`);
  return { totalCount: list.totalCount, emails: list.edges.map((edge) => edge.node.recipientEmail) };
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_PG_URL;
const database = await createPostgresDatabase(adminUrl, 'bench_postgraphile');
const servers: RunningServer[] = [];
const rows: Row[] = [];
try {
  const ours = await startServer(
    { DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0' },
    { imports: [COUNT_STATEMENTS] },
  );
  servers.push(ours);
  // Seeded for `{ __typename }` alone too: our server is measured after the seeding's requests, as in a full run.
  await seedAwards(ours.url, API_KEY, SEED_AWARDS);
  await vacuumAnalyze(database.url);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const organizationId = await client
    .query<{ id: string }>('SELECT id FROM "Organization"')
    .then(({ rows }) => rows[0]!.id)
    .finally(() => client.end());

  // Whatever the seeding left to do in the background is done before anything is measured.
  await untilIdle(ours.child.pid);
  // Started once the data is in (PostGraphile introspects the schema as it starts).
  const postGraphile = await startScriptServer('bench/postgraphile-server.ts', { DATABASE_URL: database.url }, {
    imports: [...(POLYFILLED ? ['bench/promise-with-resolvers.ts'] : []), COUNT_STATEMENTS],
  });
  servers.push(postGraphile);
  const sqlFloor = await startScriptServer('bench/sql-list-server.ts', { DATABASE_URL: database.url, ORGANIZATION_ID: organizationId }, { imports: [COUNT_STATEMENTS] });
  servers.push(sqlFloor);
  const bareFloor = await startBareServer(JSON.stringify({ data: { __typename: 'Query' } }));
  servers.push(bareFloor);

  const ourAnswer = await listedEmails(ours.url, OUR_LIST, 'awards', API_KEY);
  const theirAnswer = await listedEmails(postGraphile.url, postGraphileList(organizationId), 'allAwards');
  if (ourAnswer.totalCount !== theirAnswer.totalCount || ourAnswer.emails.join() !== theirAnswer.emails.join()) {
    throw new Error(`The two lists differ: ${JSON.stringify({ ourAnswer, theirAnswer })}`);
  }

  const typename = JSON.stringify({ query: '{ __typename }' });
  const operations: Array<[string, Contender[]]> = [];
  if (TYPENAME) {
    operations.push([
      '{ __typename }',
      [
        { server: 'ours', running: ours, body: typename, counted: true, apiKey: API_KEY },
        { server: 'PostGraphile', running: postGraphile, body: typename, counted: true },
        { server: 'floor: bare node:http', running: bareFloor, body: typename, counted: false },
      ],
    ]);
  }
  if (LIST) {
    operations.push([
      'awards, 50 with template, earner, organization + totalCount',
      [
        { server: 'ours', running: ours, body: JSON.stringify({ query: OUR_LIST }), counted: true, apiKey: API_KEY },
        { server: 'PostGraphile', running: postGraphile, body: JSON.stringify({ query: postGraphileList(organizationId) }), counted: true },
        { server: 'floor: one SQL statement through pg', running: sqlFloor, body: '{}', counted: true },
      ],
    ]);
  }
  // Every other round in the reverse order, so that neither server is always measured first.
  for (const [operation, contenders] of operations) {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const contender of round % 2 === 0 ? contenders : [...contenders].reverse()) rows.push(await run(operation, round, contender));
    }
  }
} finally {
  // The last run's requests still in flight are answered before their server stops.
  await sleep(1000);
  for (const server of servers) {
    if (server.child.connected) server.child.disconnect();
    await server.stop();
  }
  await database.remove();
}

/** A server's rounds of one operation together: their means, and their requests and errors added up. */
function combined(operation: string, server: string) {
  const rounds = rows.filter((row) => row.operation === operation && row.server === server);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const requests = rounds.reduce((sum, row) => sum + row.requests, 0);
  // A plain mean, as for the rest: weighting by requests would weigh each server's rounds
  // differently, and the ratio of the two could then fall outside the rounds' own ratios.
  const cpu = rounds.every((row) => row.serverCpuMsPerRequest !== undefined) ? mean(rounds.map((row) => row.serverCpuMsPerRequest!)) : undefined;
  return {
    operation,
    server,
    requestsPerSecond: mean(rounds.map((row) => row.requestsPerSecond)),
    p50: mean(rounds.map((row) => row.p50)),
    p99: mean(rounds.map((row) => row.p99)),
    serverCpuMsPerRequest: cpu,
    statementsPerRequest: rounds.find((row) => row.statementsPerRequest !== undefined)?.statementsPerRequest,
    requests,
    errors: rounds.reduce((sum, row) => sum + row.errors, 0),
    rounds,
  };
}
const operationNames = [...new Set(rows.map((row) => row.operation))];
const summary = operationNames.flatMap((operation) =>
  [...new Set(rows.filter((row) => row.operation === operation).map((row) => row.server))].map((server) => combined(operation, server)),
);
const cell = (value: number | undefined, digits: number) => (value === undefined ? 'n/a' : value.toFixed(digits));
const results = table(
  summary.map((row) => ({
    operation: row.operation,
    server: row.server,
    'req/s': Math.round(row.requestsPerSecond),
    'p50 ms': cell(row.p50, 1),
    'p99 ms': cell(row.p99, 1),
    'server CPU ms/request': cell(row.serverCpuMsPerRequest, 3),
    'SQL statements/request': cell(row.statementsPerRequest, 2),
    requests: row.requests,
    errors: row.errors,
  })),
);
const quotient = (ours: number | undefined, theirs: number | undefined) => (ours === undefined || !theirs ? undefined : ours / theirs);
const times = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);
const ratios = operationNames.map((operation) => {
  const ours = combined(operation, 'ours');
  const theirs = combined(operation, 'PostGraphile');
  const perRound = (pick: (row: Row) => number | undefined) =>
    ours.rounds.map((row) => quotient(pick(row), pick(theirs.rounds.find((other) => other.round === row.round)!)));
  return {
    operation,
    serverCpu: quotient(ours.serverCpuMsPerRequest, theirs.serverCpuMsPerRequest),
    serverCpuPerRound: perRound((row) => row.serverCpuMsPerRequest),
    requestsPerSecond: quotient(ours.requestsPerSecond, theirs.requestsPerSecond),
    requestsPerSecondPerRound: perRound((row) => row.requestsPerSecond),
    statements: quotient(ours.statementsPerRequest, theirs.statementsPerRequest),
  };
});
const ratioTable = table(
  ratios.map((ratio) => ({
    operation: ratio.operation,
    'server CPU/request': `${times(ratio.serverCpu)} (rounds: ${ratio.serverCpuPerRound.map(times).join(', ')})`,
    'req/s': `${times(ratio.requestsPerSecond)} (rounds: ${ratio.requestsPerSecondPerRound.map(times).join(', ')})`,
    'SQL statements/request': times(ratio.statements),
  })),
);
const postGraphileVersion = (JSON.parse(readFileSync(`${ROOT}node_modules/postgraphile/package.json`, 'utf8')) as { version: string }).version;
const context = [
  `PostgreSQL (on the same machine), ${SEED_AWARDS} awards of one organization, each to an earner of its own, then \`VACUUM ANALYZE\`. ${SECONDS} s per measurement after a ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections (autocannon, in the benchmark's process); ${ROUNDS} rounds, every other one in the reverse order, combined (means of the rounds).`,
  `Each server in a process of its own with a pool of 10 connections: ours with the response cache off (\`RESPONSE_CACHE_TTL_SECONDS=0\`) and an administrator API key on every request; PostGraphile ${postGraphileVersion} with its amber preset, served by grafserv on node:http, no authentication.`,
  POLYFILLED
    ? `PostGraphile 5 needs \`Promise.withResolvers\` (Node 22); on Node ${process.version} it ran with the polyfill \`bench/promise-with-resolvers.ts\` loaded first.`
    : `Node ${process.version} has \`Promise.withResolvers\`: no polyfill loaded.`,
  'Both list queries ask for the same fields (edges and nodes, no cursors) and were checked to list the same awards in the same order. SQL statements are counted in each server process at `pg`’s `Client.prototype.query` (`bench/count-statements.ts`), over 20 requests sent one after another after the load, the least of three such windows (so that our scheduler’s background tick does not count).',
].join('\n\n');
const markdown = `${context}\n\n${results}\n\nOurs over PostGraphile (CPU and statements: lower is better; req/s: higher is better):\n\n${ratioTable}`;
console.log(`\n${markdown}`);
if (TYPENAME && LIST) await writeResults(
  'postgraphile',
  'Our server beside PostGraphile 5',
  { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, rounds: ROUNDS, connections: CONNECTIONS, seedAwards: SEED_AWARDS, postGraphileVersion, promiseWithResolversPolyfill: POLYFILLED, summary: summary.map((row) => ({ ...row, rounds: row.rounds.length })), rows, ratios },
  markdown,
);
