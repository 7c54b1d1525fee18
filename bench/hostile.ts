// `npm run bench:hostile`: what costly documents cost the server before they are refused, and
// what a client asking `{ __typename }` meanwhile sees. Each hostile document is sent alone,
// several times, and the server's CPU time per request is read from /proc; then four clients send
// them back to back while a probe asks `{ __typename }` at a fixed rate. The goal: any document up
// to the body limit (MAX_BODY_KB) answered or refused within 100 ms of server CPU, and the probe's p99
// under 50 ms. SQLite (the default); nothing here reaches the database.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MAX_BODY_KB } from '../src/config.js';
import { atRate, processCpuMs, startServer, table, writeResults } from './support.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const PROBE_RATE = Number(process.env.BENCH_PROBE_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The server's default body limit; BENCH_MAX_BODY_KB measures another (given to the server too). */
const MAX_BODY_KB = Number(process.env.BENCH_MAX_BODY_KB ?? DEFAULT_MAX_BODY_KB);
const MAX_BODY = MAX_BODY_KB * 1024;

const repeat = (count: number, make: (index: number) => string) => Array.from({ length: count }, (_, index) => make(index)).join(' ');
/** Copies of `part` (numbered) joined by spaces, as many as fit in `bytes`. */
const fill = (bytes: number, part: (index: number) => string) => {
  const parts: string[] = [];
  for (let index = 0, length = 0; ; index += 1) {
    const next = part(index);
    if (length + next.length + 1 > bytes) return parts.join(' ');
    parts.push(next);
    length += next.length + 1;
  }
};

function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on Query { awards { totalCount } }'];
  for (let level = 1; level <= levels; level += 1) fragments.push(`fragment F${level} on Query { ...F${level - 1} ...F${level - 1} }`);
  return `query { ...F${levels} } ${fragments.join(' ')}`;
}

const documents: Array<{ name: string; body: () => string }> = [
  { name: '64,000 aliases of a root field (1.6 MB)', body: () => JSON.stringify({ query: `{ ${repeat(64_000, (i) => `a${i}: awards { totalCount }`)} }` }) },
  { name: `aliases filling the ${MAX_BODY_KB} KiB body`, body: () => JSON.stringify({ query: `{ ${fill(MAX_BODY - 64, (i) => `a${i}: awards { totalCount }`)} }` }) },
  { name: `a ${MAX_BODY_KB} KiB comment before { __typename }`, body: () => JSON.stringify({ query: `#${'x'.repeat(MAX_BODY - 64)}\n{ __typename }` }) },
  { name: 'tokens up to the text limit (64 KiB)', body: () => JSON.stringify({ query: `{${fill(64 * 1000, (i) => `a${i}:viewer{permissions}`)}}` }) },
  { name: 'one field repeated, 64 KiB', body: () => JSON.stringify({ query: `{ viewer { ${fill(64 * 1024 - 32, () => 'organization { id name }')} } }` }) },
  { name: 'a fragment bomb (2^40 copies)', body: () => JSON.stringify({ query: fragmentBomb(40) }) },
  { name: 'nesting 2,000 deep', body: () => JSON.stringify({ query: `{ ${'viewer { organization { '.repeat(1000)}id${' } }'.repeat(1000)} }` }) },
  { name: 'directives, 64 KiB', body: () => JSON.stringify({ query: `{ viewer { permissions ${fill(64 * 1024 - 64, () => '@include(if: true)')} } }` }) },
  {
    name: `a ${MAX_BODY_KB} KiB string variable`,
    body: () => JSON.stringify({ query: 'query ($text: String) { awards(filter: { search: $text }) { totalCount } }', variables: { text: 'y'.repeat(MAX_BODY - 256) } }),
  },
];

function send(url: string, apiKey: string, body: string): Promise<{ status: number; code: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const target = new URL(`${url}/graphql`);
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': apiKey } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? (text.includes('"errors"') ? 'ERROR' : 'ok');
          resolve({ status: response.statusCode ?? 0, code, ms: performance.now() - started });
        });
      },
    );
    request.on('error', () => resolve({ status: 0, code: 'CONNECTION_ERROR', ms: performance.now() - started }));
    request.end(body);
  });
}

// A hostile client runs in a process of its own (this file, started again with BENCH_ATTACK set),
// so its own work on large bodies never delays the probe's requests.
if (process.env.BENCH_ATTACK) {
  const [url, key] = process.env.BENCH_ATTACK.split(' ') as [string, string];
  const bodies = documents.map((document) => document.body());
  for (let index = 0; ; index += 1) await send(url, key, bodies[index % bodies.length]!);
}

function attacker(url: string, key: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_ATTACK: `${url} ${key}` },
    stdio: 'ignore',
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'badges-bench-hostile-'));
const apiKey = `bench-${randomBytes(16).toString('hex')}`;
const server = await startServer({
  DATABASE_URL: `file:${path.join(dir, 'bench.db')}`,
  BOOTSTRAP_API_KEY: apiKey,
  MAX_BODY_KB: String(MAX_BODY_KB),
});
try {
  const rows = [];
  for (const document of documents) {
    const body = document.body();
    await send(server.url, apiKey, body); // warm-up
    const before = processCpuMs(server.child.pid)!;
    let last = { status: 0, code: '', ms: 0 };
    let wall = 0;
    for (let index = 0; index < REPEATS; index += 1) {
      last = await send(server.url, apiKey, body);
      wall += last.ms;
    }
    const cpuMs = (processCpuMs(server.child.pid)! - before) / REPEATS;
    rows.push({ document: document.name, bytes: body.length, status: last.status, answer: last.code, 'server CPU ms': Number(cpuMs.toFixed(1)), 'wall ms': Number((wall / REPEATS).toFixed(1)) });
    console.log(rows.at(-1));
  }

  // Hostile clients sending the documents above back to back, and a probe beside them: one
  // client (the goal), then four (the machine's two cores saturated, for comparison).
  const probeBody = JSON.stringify({ query: '{ __typename }' });
  const probeRows = [];
  for (const clients of [0, 1, 4]) {
    const attackers = Array.from({ length: clients }, () => attacker(server.url, apiKey));
    const cpuBefore = processCpuMs(server.child.pid)!;
    const probe = await atRate({
      name: clients ? `{ __typename } beside ${clients} hostile client${clients > 1 ? 's' : ''}` : '{ __typename } alone (the floor)',
      rate: PROBE_RATE,
      seconds: SECONDS,
      warmupSeconds: 1,
      send: async () => (await send(server.url, apiKey, probeBody)).status === 200,
    });
    const busy = (processCpuMs(server.child.pid)! - cpuBefore) / ((SECONDS + 1) * 1000);
    await Promise.all(attackers.map((child) => new Promise((resolve) => child.once('exit', resolve).kill())));
    probeRows.push({ probe: probe.name, offered: probe.offered, p50: probe.p50, p90: probe.p90, p99: probe.p99, max: probe.max, errors: probe.errors, 'server busy (share of one core)': Number(busy.toFixed(2)) });
    console.log(probeRows.at(-1));
  }

  const worstCpu = Math.max(...rows.map((row) => row['server CPU ms']));
  const goals = { 'worst server CPU per document (ms)': worstCpu, 'goal: at most 100 ms': worstCpu <= 100, 'probe p99 beside one client (ms)': probeRows[1]!.p99, 'goal: under 50 ms': probeRows[1]!.p99 < 50 };
  console.log(goals);
  await writeResults(
    'hostile',
    'Hostile documents',
    { repeats: REPEATS, probeRate: PROBE_RATE, seconds: SECONDS, documents: rows, probes: probeRows, goals },
    `Server CPU per document (from /proc, mean of ${REPEATS}):\n\n${table(rows)}\n\nA probe at ${PROBE_RATE} req/s while hostile clients send the documents above back to back for ${SECONDS} s:\n\n${table(probeRows)}\n\n${table([goals as unknown as Record<string, string | number>])}`,
  );
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
