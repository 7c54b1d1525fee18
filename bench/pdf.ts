// npm run bench:pdf — issue 6's benchmark: certificates per second from one server process (one
// core for its JavaScript), over HTTP, and their latency. The real server (its own process, SQLite)
// is seeded with awards whose names are in every script a certificate draws (Latin with accents,
// Cyrillic, Greek, Chinese, Korean, Arabic, Hebrew, Devanagari, Thai); autocannon (this
// process) then GETs /awards/{publicId}/pdf in turn for each of them. Goal: ≥ 50 certificates/s.
//
// Two runs: BENCH_CONNECTIONS concurrent clients (default 8) for throughput, and one client for
// the latency of a certificate on an idle server. BENCH_SECONDS (default 10), BENCH_AWARDS (default 200).
import { benchDatabases, graphql, issuePublicAwards, measure, startServer, table, writeResults, type Measurement } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const AWARDS = Number(process.env.BENCH_AWARDS ?? 200);
const API_KEY = 'bench-administrator-key-0123456789abcdef';
const NAMES = [
  'Zoë Ångström-Müller',
  'Анна Каренина',
  'Αλέξανδρος Παπαδόπουλος',
  'Ada Lovelace',
  '王小明',
  '김민준',
  'محمد علي',
  'דוד כהן',
  'राहुल शर्मा',
  'สมชาย ใจดี',
];

async function seed(url: string): Promise<string[]> {
  const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
    url,
    API_KEY,
    `mutation { createBadgeTemplate(input: { name: "Certified Benchmark Runner", description: "Runs benchmarks with care: warm-ups, several runs, and honest numbers.", level: GOLD, awardMode: REPEATABLE, validityDays: 730, activate: true }) { badgeTemplate { id } } }`,
  );
  const recipients = Array.from({ length: AWARDS }, (_, index) => ({ email: `pdf${index}@example.com`, name: `${NAMES[index % NAMES.length]} ${index}` }));
  return issuePublicAwards(url, API_KEY, createBadgeTemplate.badgeTemplate.id, recipients);
}

const [sqlite] = await benchDatabases();
const database = await sqlite!();
const results: Measurement[] = [];
try {
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, RESPONSE_CACHE_TTL_SECONDS: '0' });
  try {
    const publicIds = await seed(server.url);
    let next = 0;
    const common = {
      url: server.url,
      apiKey: API_KEY,
      seconds: SECONDS,
      warmupSeconds: 3,
      get: () => `/awards/${publicIds[next++ % publicIds.length]}/pdf`,
      // A certificate is a PDF (autocannon reads the body as text; the header is enough).
      ok: (status: number, body: string) => status === 200 && body.startsWith('%PDF-'),
    };
    results.push(await measure({ ...common, name: `GET /awards/{id}/pdf, ${CONNECTIONS} connections`, connections: CONNECTIONS }));
    results.push(await measure({ ...common, name: 'GET /awards/{id}/pdf, 1 connection', connections: 1 }));
  } finally {
    await server.stop();
  }
} finally {
  await database.remove();
}

const report = table(
  results.map((result) => ({
    operation: result.name,
    'certificates/s': Math.round(result.requestsPerSecond),
    'p50 ms': result.p50,
    'p99 ms': result.p99,
    requests: result.requests,
    errors: result.errors,
  })),
);
const context = `${SECONDS}s per run after a 3s warm-up, ${AWARDS} awards, one server process (${database.provider === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`;
console.log(`\n${context}\n`);
console.log(report);
await writeResults('pdf', 'Certificates over HTTP', { seconds: SECONDS, connections: CONNECTIONS, awards: AWARDS, results }, `${context}.\n\n${report}`);
