// npm run bench:credential-serving — Open Badges 3.0 credentials from the real server (its own
// process), over HTTP, on SQLite and PostgreSQL:
// - cold: GET /awards/{publicId}/credential for awards never served before, so each request signs
//   (Data Integrity, eddsa-rdfc-2022) and keeps the result;
// - warm: the same URLs again, answered from the kept signature;
// - verify: the public verifyCredential query on one of our credentials (proof, issuer key from the
//   database, schema, status list, validity).
// Each phase runs BENCH_SECONDS (default 10) with BENCH_CONNECTIONS (default 8) clients sending
// their next request as soon as the last was answered; the server's CPU time per request is read
// from /proc. BENCH_AWARDS (default 3000) awards are issued first: the cold phase must not run out.
import { benchDatabases, issuePublicAwards, graphql, measure, measureWithServerCpu, startServer, table, writeResults, type Measurement } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const AWARDS = Number(process.env.BENCH_AWARDS ?? 3000);
const API_KEY = 'bench-administrator-key-0123456789abcdef';
const BULK = 1000;

interface Row extends Measurement {
  provider: string;
  phase: string;
  serverCpuMsPerRequest: number | undefined;
}

async function seed(url: string): Promise<string[]> {
  const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
    url,
    API_KEY,
    `mutation { createBadgeTemplate(input: { name: "Certified Benchmark Runner", description: "Runs benchmarks with care.", criteriaNarrative: "Three honest runs.", level: GOLD, awardMode: REPEATABLE, validityDays: 730, tags: ["benchmarks", "care"], activate: true }) { badgeTemplate { id } } }`,
  );
  const publicIds: string[] = [];
  for (let start = 0; start < AWARDS; start += BULK) {
    const recipients = Array.from({ length: Math.min(BULK, AWARDS - start) }, (_, index) => ({
      email: `credential${start + index}@example.com`,
      name: `Runner Number ${start + index}`,
    }));
    publicIds.push(...(await issuePublicAwards(url, API_KEY, createBadgeTemplate.badgeTemplate.id, recipients)));
  }
  return publicIds;
}

const rows: Row[] = [];
for (const make of await benchDatabases()) {
  const database = await make();
  try {
    const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0' });
    try {
      const publicIds = await seed(server.url);
      const timed = async (phase: string, options: Parameters<typeof measure>[0]) => {
        const result = await measureWithServerCpu(server.child.pid, options);
        rows.push({ ...result, provider: database.provider, phase });
        console.log(`${database.provider} ${phase}: ${Math.round(result.requestsPerSecond)}/s, p99 ${result.p99} ms, ${result.errors} errors`);
      };
      const isCredential = (status: number, body: string) => status === 200 && body.includes('"DataIntegrityProof"');

      let cold = 0;
      await timed('cold (signs)', { name: 'GET /awards/{id}/credential, never served', url: server.url, connections: CONNECTIONS, seconds: SECONDS, get: () => `/awards/${publicIds[cold++]}/credential`, ok: isCredential });
      if (cold > publicIds.length) throw new Error(`the cold phase ran out of awards after ${publicIds.length}: raise BENCH_AWARDS`);

      const served = publicIds.slice(0, cold);
      let warm = 0;
      await timed('warm (kept)', { name: 'GET /awards/{id}/credential, served before', url: server.url, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 2, get: () => `/awards/${served[warm++ % served.length]}/credential`, ok: isCredential });

      const credential = await (await fetch(`${server.url}/awards/${served[0]}/credential`)).json();
      const body = JSON.stringify({ query: 'query ($input: VerifyCredentialInput!) { verifyCredential(input: $input) { valid } }', variables: { input: { credential } } });
      await timed('verify', { name: 'verifyCredential, one of ours', url: server.url, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 2, body: () => body, ok: (status, text) => status === 200 && text.includes('"valid":true') });
    } finally {
      await server.stop();
    }
  } finally {
    await database.remove();
  }
}

const markdown = table(
  rows.map((row) => ({
    database: row.provider,
    phase: row.phase,
    'requests/s': Math.round(row.requestsPerSecond),
    'p50 ms': row.p50,
    'p99 ms': row.p99,
    'server CPU ms/request': row.serverCpuMsPerRequest === undefined ? 'n/a' : row.serverCpuMsPerRequest.toFixed(2),
    requests: row.requests,
    errors: row.errors,
  })),
);
console.log(`\n${markdown}`);
await writeResults(
  'credential-serving',
  'Open Badges 3.0 credentials served and verified',
  { seconds: SECONDS, connections: CONNECTIONS, awards: AWARDS, rows },
  `${SECONDS} s per phase, ${CONNECTIONS} connections, one server process.\n\n${markdown}`,
);
