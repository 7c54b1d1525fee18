// npm run bench:http — issue 2's benchmark. For SQLite and PostgreSQL: the real server (its own
// process) under autocannon (this process), measuring `{ __typename }` (the ceiling: HTTP, GraphQL
// parsing and execution with no data), a 50-award list with template, earner and organization
// nested, and issueAward to a new earner each time. Goals: list ≥ 35% of the ceiling, issue ≥ 25%.
//
// The server runs twice per database: as configured by default (the response cache answers the
// repeated list query) and with RESPONSE_CACHE_TTL_SECONDS=0, so the list's cost when it is
// computed is reported too; each run has its own ceiling.
//
// BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_SEED_AWARDS (default 5000).
import { benchDatabases, measure, seedAwards, startServer, table, writeResults, type Measurement } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SEED_AWARDS = Number(process.env.BENCH_SEED_AWARDS ?? 5000);
const API_KEY = 'bench-administrator-key-0123456789abcdef';

const LIST_QUERY = `query AwardList {
  awards(first: 50) {
    totalCount
    edges { node {
      id status recipientName recipientEmail issuedAt expiresAt publicUrl
      template { id name level }
      earner { id email name }
      organization { id name }
    } }
  }
}`;

const ISSUE_MUTATION = `mutation Issue($input: IssueAwardInput!) {
  issueAward(input: $input) { outcome award { id status template { id } earner { id } } }
}`;

async function benchmarkServer(databaseUrl: string, cached: boolean, templateId?: string) {
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    BOOTSTRAP_API_KEY: API_KEY,
    RESPONSE_CACHE_TTL_SECONDS: cached ? '30' : '0',
  });
  try {
    const template = templateId ?? (await seedAwards(server.url, API_KEY, SEED_AWARDS));
    const common = { url: server.url, apiKey: API_KEY, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 3 };
    const results = [
      await measure({ ...common, name: '{ __typename }', body: () => JSON.stringify({ query: '{ __typename }' }) }),
      await measure({
        ...common,
        name: `awards(first: 50), nested, ${cached ? 'response cache on' : 'response cache off'}`,
        body: () => JSON.stringify({ query: LIST_QUERY }),
      }),
    ];
    if (cached) {
      let counter = 0;
      results.push(
        await measure({
          ...common,
          name: 'issueAward (new earner)',
          body: () => {
            counter += 1;
            return JSON.stringify({
              query: ISSUE_MUTATION,
              variables: {
                input: { templateId: template, recipient: { email: `load${counter}@example.com`, name: `Load Earner ${counter}` } },
              },
            });
          },
        }),
      );
    }
    return { templateId: template, results };
  } finally {
    await server.stop();
  }
}

async function benchmarkProvider(makeDatabase: () => Promise<import('./support.js').BenchDatabase>) {
  const database = await makeDatabase();
  try {
    const uncached = await benchmarkServer(database.url, false);
    const cached = await benchmarkServer(database.url, true, uncached.templateId);
    return { provider: database.provider, runs: [uncached.results, cached.results] };
  } finally {
    await database.remove();
  }
}

function rows(provider: string, results: Measurement[]) {
  const ceiling = results[0]!.requestsPerSecond;
  return results.map((result) => ({
    database: provider,
    operation: result.name,
    'req/s': Math.round(result.requestsPerSecond),
    'p50 ms': result.p50,
    'p99 ms': result.p99,
    'of ceiling': `${((result.requestsPerSecond / ceiling) * 100).toFixed(1)}%`,
    errors: result.errors,
  }));
}

const all: Array<{ provider: string; runs: Measurement[][] }> = [];
for (const makeDatabase of await benchDatabases()) all.push(await benchmarkProvider(makeDatabase));

const report = table(all.flatMap(({ provider, runs }) => runs.flatMap((results) => rows(provider, results))));
const context = `${SECONDS}s per operation after a 3s warm-up, ${CONNECTIONS} connections, ${SEED_AWARDS} seeded awards`;
console.log(`\n${context}\n`);
console.log(report);
await writeResults('http', 'The API over HTTP', { seconds: SECONDS, connections: CONNECTIONS, seedAwards: SEED_AWARDS, results: all }, `${context}.\n\n${report}`);
