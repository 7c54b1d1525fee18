// issueAward under concurrent load, beside the { __typename } ceiling of the same server in the
// same run: req/s, the ratio of the two, and the server's CPU time per request (from /proc, which
// moves much less with the machine's load than req/s). Each call issues to a new earner, so every
// call writes: an award, its history entry, the earner.
// BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32).
import { benchDatabases, graphql, measureWithServerCpu, startServer, table, writeResults } from './support.js';

const API_KEY = 'bench-issue-key-0123456789abcdef';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const ISSUE_MUTATION = `mutation Issue($input: IssueAwardInput!) {
  issueAward(input: $input) { outcome award { id } }
}`;

async function benchmarkProvider(makeDatabase: () => Promise<import('./support.js').BenchDatabase>) {
  const database = await makeDatabase();
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0' });
  try {
    const created = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
      server.url,
      API_KEY,
      'mutation { createBadgeTemplate(input: { name: "Load", description: "Issued under load.", awardMode: REPEATABLE, activate: true }) { badgeTemplate { id } } }',
    );
    const templateId = created.createBadgeTemplate.badgeTemplate.id;
    const common = { url: server.url, apiKey: API_KEY, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 3 };
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
      'p99 ms': result.p99,
      errors: result.errors,
    })),
  ),
);
const context = `${SECONDS}s per operation after a 3s warm-up, ${CONNECTIONS} connections`;
console.log(`\n${context}\n`);
console.log(report);
await writeResults('issue', 'issueAward under load', { seconds: SECONDS, connections: CONNECTIONS, results }, `${context}.\n\n${report}`);
