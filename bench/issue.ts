// issueAward under concurrent load, beside the { __typename } ceiling of the same server in the
// same run: req/s, the ratio of the two, and the server's CPU time per request (from /proc, which
// moves much less with the machine's load than req/s). Each call issues to a new earner, so every
// call writes: an award, its history entry, the earner. On PostgreSQL (on this machine), the CPU
// time of its processes per request too: the share of the work the server's figure leaves out.
// The organization already holds BENCH_SEED_AWARDS awards (default 5000), each to an earner of its
// own, and PostgreSQL has analyzed them, as autovacuum would have on a server in use. A table that
// was never analyzed is planned as if it held a handful of rows whatever it holds: finding and
// locking a group's earners then read every earner of the organization, and the measure grew with
// the run's own inserts.
// BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32).
import { benchDatabases, measureWithServerCpu, seedAwards, startServer, table, vacuumAnalyze, writeResults } from './support.js';

const API_KEY = 'bench-issue-key-0123456789abcdef';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SEED_AWARDS = Number(process.env.BENCH_SEED_AWARDS ?? 5000);

const ISSUE_MUTATION = `mutation Issue($input: IssueAwardInput!) {
  issueAward(input: $input) { outcome award { id } }
}`;

async function benchmarkProvider(makeDatabase: () => Promise<import('./support.js').BenchDatabase>) {
  const database = await makeDatabase();
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0' });
  try {
    const templateId = await seedAwards(server.url, API_KEY, SEED_AWARDS);
    if (database.provider === 'postgresql') await vacuumAnalyze(database.url);
    // SQLite works inside the server's process; PostgreSQL's own CPU is reported beside it.
    const databaseCpu = database.provider === 'postgresql';
    const common = { url: server.url, apiKey: API_KEY, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 3, databaseCpu };
    const ceiling = await measureWithServerCpu(server.child.pid, { ...common, name: '{ __typename }', body: () => JSON.stringify({ query: '{ __typename }' }) });
    let counter = 0;
    const issue = await measureWithServerCpu(server.child.pid, {
      ...common,
      name: 'issueAward (new earner)',
      body: () => {
        counter += 1;
        const recipient = { email: `load${counter}@example.com`, name: `Load Earner ${counter}` };
        return JSON.stringify({ query: ISSUE_MUTATION, variables: { input: { templateId, recipient } } });
      },
    });
    return { provider: database.provider, ceiling, issue };
  } finally {
    await server.stop();
    await database.remove();
  }
}

const results = [];
for (const makeDatabase of await benchDatabases()) results.push(await benchmarkProvider(makeDatabase));

const cpu = (ms: number | undefined) => (ms === undefined ? '–' : ms.toFixed(3));
const report = table(
  results.flatMap(({ provider, ceiling, issue }) =>
    [ceiling, issue].map((result) => ({
      database: provider,
      operation: result.name,
      'req/s': Math.round(result.requestsPerSecond),
      'of { __typename }': `${((result.requestsPerSecond / ceiling.requestsPerSecond) * 100).toFixed(1)}%`,
      'server CPU ms/request': cpu(result.serverCpuMsPerRequest),
      'PostgreSQL CPU ms/request': cpu(result.databaseCpuMsPerRequest),
      'p99 ms': result.p99,
      errors: result.errors,
    })),
  ),
);
const context = `${SECONDS}s per operation after a 3s warm-up, ${CONNECTIONS} connections; the organization already held ${SEED_AWARDS} awards, each to an earner of its own (PostgreSQL: then \`VACUUM ANALYZE\`)`;
console.log(`\n${context}\n`);
console.log(report);
await writeResults(
  'issue',
  'issueAward under load',
  { seconds: SECONDS, connections: CONNECTIONS, seedAwards: SEED_AWARDS, results },
  `${context}.\n\n${report}`,
);
