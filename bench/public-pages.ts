// npm run bench:public-pages — the award page (GET /awards/{publicId}) from the real server (its
// own process, SQLite and PostgreSQL): pages per second with BENCH_CONNECTIONS (default 8)
// clients, p50/p99, and the server's CPU time per page (read from /proc), once warm. The goal is
// under 20 ms of server CPU per page. BENCH_SECONDS (default 10), BENCH_AWARDS (default 500).
import { benchDatabases, graphql, issuePublicAwards, measureWithServerCpu, startServer, table, writeResults, type Measurement } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const AWARDS = Number(process.env.BENCH_AWARDS ?? 500);
const API_KEY = 'bench-administrator-key-0123456789abcdef';

const rows: Array<Measurement & { provider: string; serverCpuMsPerRequest: number | undefined }> = [];
for (const make of await benchDatabases()) {
  const database = await make();
  try {
    const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY });
    try {
      const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
        server.url,
        API_KEY,
        `mutation { createBadgeTemplate(input: { name: "Careful Reader", description: "Reads every page with care.", criteriaNarrative: "Ten pages.", level: GOLD, awardMode: REPEATABLE, activate: true }) { badgeTemplate { id } } }`,
      );
      const recipients = Array.from({ length: AWARDS }, (_, index) => ({ email: `page${index}@example.com`, name: `Reader Number ${index}` }));
      const publicIds = await issuePublicAwards(server.url, API_KEY, createBadgeTemplate.badgeTemplate.id, recipients);
      let next = 0;
      const result = await measureWithServerCpu(server.child.pid, {
        name: 'GET /awards/{publicId}',
        url: server.url,
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmupSeconds: 3,
        get: () => `/awards/${publicIds[next++ % publicIds.length]}`,
        ok: (status, body) => status === 200 && body.includes('<h1 id="badge-title">'),
      });
      const cpu = result.serverCpuMsPerRequest;
      rows.push({ ...result, provider: database.provider });
      console.log(`${database.provider}: ${Math.round(result.requestsPerSecond)} pages/s, p99 ${result.p99} ms, ${cpu?.toFixed(2)} ms CPU/page`);
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
    'pages/s': Math.round(row.requestsPerSecond),
    'p50 ms': row.p50,
    'p99 ms': row.p99,
    'server CPU ms/page': row.serverCpuMsPerRequest === undefined ? 'n/a' : row.serverCpuMsPerRequest.toFixed(2),
    'goal: under 20 ms': row.serverCpuMsPerRequest === undefined ? 'n/a' : String(row.serverCpuMsPerRequest < 20),
    requests: row.requests,
    errors: row.errors,
  })),
);
console.log(`\n${markdown}`);
await writeResults('public-pages', 'The award page', { seconds: SECONDS, connections: CONNECTIONS, awards: AWARDS, rows }, `${SECONDS} s after a 3 s warm-up, ${CONNECTIONS} connections, one server process.\n\n${markdown}`);
