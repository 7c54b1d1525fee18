// Shared by the benchmarks: a throw-away database per provider, the real server in a child process,
// and autocannon runs summarised the same way everywhere.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  provider: 'sqlite' | 'postgresql';
  url: string;
  remove(): Promise<void>;
}

/**
 * The providers to measure: SQLite always; PostgreSQL when BENCH_DATABASE_URL (or the default)
 * answers. BENCH_PROVIDER=sqlite or postgresql keeps that one only.
 */
export async function benchDatabases(): Promise<Array<() => Promise<BenchDatabase>>> {
  const all = await availableDatabases();
  const only = process.env.BENCH_PROVIDER;
  return only ? all.filter((entry) => entry.provider === only).map((entry) => entry.make) : all.map((entry) => entry.make);
}

/** The subscription the fan-out benchmarks hold open: one award event with a few nested fields. */
export const FANOUT_SUBSCRIPTION = 'subscription { awardIssued { committedAt award { id recipientName template { name } earner { email } } } }';

/** BENCH_ONLY=a,b: the names of the parts of a benchmark to run (all when unset). */
export function benchPartSelected(name: string): boolean {
  const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
  return only.length === 0 || only.includes(name);
}

async function availableDatabases(): Promise<Array<{ provider: BenchDatabase['provider']; make: () => Promise<BenchDatabase> }>> {
  const makers: Array<{ provider: BenchDatabase['provider']; make: () => Promise<BenchDatabase> }> = [
    {
      provider: 'sqlite',
      make: async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'badges-bench-'));
        return { provider: 'sqlite', url: `file:${path.join(dir, 'bench.db')}`, remove: () => rm(dir, { recursive: true, force: true }) };
      },
    },
  ];
  const adminUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_PG_URL;
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    await client.end();
    makers.push({ provider: 'postgresql', make: () => createPostgresDatabase(adminUrl) });
  } catch {
    console.warn(`PostgreSQL at ${adminUrl} did not answer: measuring SQLite only.`);
  }
  return makers;
}

/** A new, empty PostgreSQL database named `<prefix>_<random>` on the server of `adminUrl`. */
export async function createPostgresDatabase(adminUrl: string, prefix = 'badges_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const connection = new pg.Client({ connectionString: adminUrl });
    await connection.connect();
    await connection.query(sql).finally(() => connection.end());
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { provider: 'postgresql', url: url.toString(), remove: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Ends a child process and waits until it has exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts `src/main.ts` as `npm start` would, in production mode, and waits until it listens.
 * `imports`: modules the process loads first (`--import`, paths from the repository's root), with
 * an IPC channel to the child for them to answer on (bench/count-statements.ts does).
 */
export async function startServer(env: Record<string, string>, options: { imports?: string[] } = {}): Promise<RunningServer> {
  // BENCH_CPU_PROFILE=<dir>: the server writes a V8 CPU profile there when it stops (open it in
  // Chrome's DevTools or speedscope) to see where a benchmark's time goes.
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROFILE)}`] : [];
  const imports = (options.imports ?? []).flatMap((module) => ['--import', `./${module}`]);
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...imports, 'src/main.ts'], {
    cwd: ROOT,
    // Benchmarks send far more than a client's budget from one key and one address.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RATE_LIMIT_PER_KEY: '0', RATE_LIMIT_PER_ADDRESS: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit', ...(imports.length ? ['ipc' as const] : [])],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  // Warnings and errors of the server reach the benchmark's output; a crash is reported.
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (/"level":(4|5|6)\d/.test(line)) console.error(`server: ${line}`);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`server exited with ${code ?? signal}`);
  });
  return {
    url,
    child,
    stop: () => stopChild(child),
  };
}

/**
 * A bare node:http server in its own process that answers every request with `body` as JSON: no
 * GraphQL, no database. Measured at the same offered load as the real server, it is the floor
 * this machine puts under any latency figure (the loopback, the scheduler, the client), so a p99
 * can be read against what the machine gives an answer that costs nothing.
 */
export async function startBareServer(body: string): Promise<RunningServer> {
  const script = `const body = process.env.BODY;
    const server = require('node:http').createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body));
    });
    server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], { env: { BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    url: chunk.toString().trim(),
    child,
    stop: () => stopChild(child),
  };
}

/**
 * Runs a TypeScript server script of the repository (tsx) in a process of its own, with `env` and
 * the same `imports` as startServer, and waits for the first line of its output: its URL.
 */
export async function startScriptServer(script: string, env: Record<string, string>, options: { imports?: string[] } = {}): Promise<RunningServer> {
  const imports = (options.imports ?? []).flatMap((module) => ['--import', `./${module}`]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...imports, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit', ...(imports.length ? ['ipc' as const] : [])],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.slice(0, output.indexOf('\n')).trim());
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
  return { url, child, stop: () => stopChild(child) };
}

/**
 * CPU time (user + system, in ms) a process has used so far, from /proc; undefined where there
 * is no /proc (not Linux) or the process is gone. /proc counts in USER_HZ ticks, 100 a second.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * `VACUUM ANALYZE` of the whole database at `url`: fresh tables have no statistics and no
 * visibility map, so the planner's choices and index-only scans would measure that, not the servers.
 */
export async function vacuumAnalyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('VACUUM ANALYZE').finally(() => client.end());
}

/**
 * CPU time (ms) used so far by every process named `postgres` on this machine: the server, its
 * backends and its background workers. Undefined when there is none (no /proc, or the database
 * runs elsewhere). A backend that exits takes its time with it, so measure over a steady pool.
 */
export function localPostgresCpuMs(): number | undefined {
  let total: number | undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue; // gone meanwhile
    }
    const cpu = processCpuMs(Number(pid));
    if (cpu !== undefined) total = (total ?? 0) + cpu;
  }
  return total;
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  apiKey: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Issues one award of the template to each recipient in one bulk call; returns their public ids. */
export async function issuePublicAwards(
  url: string,
  apiKey: string,
  templateId: string,
  recipients: Array<{ email: string; name: string }>,
): Promise<string[]> {
  const { issueAwards } = await graphql<{ issueAwards: { results: Array<{ award: { publicId: string } }> } }>(
    url,
    apiKey,
    `mutation ($input: IssueAwardsInput!) { issueAwards(input: $input) { results { award { publicId } } } }`,
    { input: { awards: recipients.map((recipient) => ({ templateId, recipient })) } },
  );
  return issueAwards.results.map((result) => result.award.publicId);
}

/**
 * A repeatable template and `count` awards of it, each to an earner of its own, issued through the
 * API a thousand at a time; returns the template's id.
 */
export async function seedAwards(url: string, apiKey: string, count: number): Promise<string> {
  const { createBadgeTemplate } = await graphql<{ createBadgeTemplate: { badgeTemplate: { id: string } } }>(
    url,
    apiKey,
    `mutation { createBadgeTemplate(input: { name: "Benchmark badge", description: "Issued by the benchmark.", awardMode: REPEATABLE, activate: true, tags: ["bench"] }) { badgeTemplate { id } } }`,
  );
  const templateId = createBadgeTemplate.badgeTemplate.id;
  for (let offset = 0; offset < count; offset += 1000) {
    const awards = Array.from({ length: Math.min(1000, count - offset) }, (_, index) => ({
      templateId,
      recipient: { email: `seed${offset + index}@example.com`, name: `Seeded Earner ${offset + index}` },
    }));
    await graphql(url, apiKey, `mutation ($input: IssueAwardsInput!) { issueAwards(input: $input) { issuedCount } }`, {
      input: { awards },
    });
  }
  return templateId;
}

export interface Measurement {
  name: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

/** One request of a benchmark: its body, and headers of its own (an API key, a client address). */
export interface BenchRequest {
  body: string;
  headers?: Record<string, string>;
}

/** A GraphQL answer counts as a success when it is a 200 without errors. */
const answeredWithoutErrors = (status: number, body: string) => status === 200 && !body.includes('"errors"');

/**
 * Runs autocannon against one GraphQL operation: a warm-up, then the measured run, each of its
 * connections sending its next request as soon as the last was answered (the most the server
 * does; latency is then mostly waiting in line). Every response body is checked for GraphQL
 * errors, which count as failures. `next` may give each request its own headers. With `get`, it
 * GETs a path instead (a plain HTTP route such as a certificate), and `ok` judges each response.
 */
export async function measure(options: {
  name: string;
  url: string;
  apiKey?: string;
  body?: () => string;
  next?: () => BenchRequest;
  get?: () => string;
  ok?: (status: number, body: string) => boolean;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
}): Promise<Measurement> {
  const ok = options.ok ?? answeredWithoutErrors;
  const request: autocannon.Request = options.get
    ? { method: 'GET', setupRequest: (request) => ({ ...request, path: options.get!() }) }
    : {
        method: 'POST',
        setupRequest: (request) => {
          const next = options.next ? options.next() : { body: options.body!() };
          return { ...request, body: next.body, headers: { 'content-type': 'application/json', ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}), ...next.headers } };
        },
      };
  const run = async (duration: number): Promise<Measurement> => {
    let graphqlErrors = 0;
    const result = await autocannon({
      url: options.get ? options.url : `${options.url}/graphql`,
      connections: options.connections,
      duration,
      requests: [
        {
          ...request,
          onResponse: (status, body) => {
            if (!ok(status, body)) graphqlErrors += 1;
          },
        },
      ],
    });
    return {
      name: options.name,
      connections: options.connections,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      errors: result.errors + result.non2xx + graphqlErrors,
    };
  };
  if (options.warmupSeconds) await run(options.warmupSeconds);
  return run(options.seconds);
}

/**
 * `measure`, with the server's CPU time per measured request (from /proc): the warm-up runs
 * first and apart, so its requests are neither counted nor charged. With `databaseCpu`, also the
 * CPU time of a PostgreSQL on this machine per request (see localPostgresCpuMs).
 */
export async function measureWithServerCpu(
  pid: number | undefined,
  options: Parameters<typeof measure>[0] & { databaseCpu?: boolean },
): Promise<Measurement & { serverCpuMsPerRequest: number | undefined; databaseCpuMsPerRequest?: number }> {
  const { warmupSeconds, databaseCpu, ...run } = options;
  if (warmupSeconds) await measure({ ...run, seconds: warmupSeconds });
  const before = processCpuMs(pid);
  const databaseBefore = databaseCpu ? localPostgresCpuMs() : undefined;
  const result = await measure(run);
  const after = processCpuMs(pid);
  const databaseAfter = databaseCpu ? localPostgresCpuMs() : undefined;
  const perRequest = (from: number | undefined, to: number | undefined) =>
    from !== undefined && to !== undefined && result.requests > 0 ? (to - from) / result.requests : undefined;
  const database = perRequest(databaseBefore, databaseAfter);
  return { ...result, serverCpuMsPerRequest: perRequest(before, after), ...(database === undefined ? {} : { databaseCpuMsPerRequest: database }) };
}

/** A latency measurement at a fixed offered load. */
export interface RateMeasurement {
  name: string;
  /** Requests per second sent. */
  offered: number;
  /** Requests per second answered. */
  achieved: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  /**
   * CPU time the server's process spent per request answered in the measured run (ms), when its
   * pid was given: less noisy than latency on a shared machine, and what a change of code moves.
   */
  serverCpuMs?: number;
}

/**
 * Latency at a fixed offered load: `send` is called on a fixed schedule, `rate` times a second
 * evenly spaced, whatever the answers' speed (an open loop, as wrk2 does). Each latency runs from
 * the moment its call was due, so time spent waiting for a free connection counts and a slow
 * server cannot hide its backlog (no coordinated omission). `send` resolves to whether the answer
 * was right. With `pid`, the CPU time that process spent per call is reported.
 */
export async function atRate(options: {
  name: string;
  send: () => Promise<boolean>;
  rate: number;
  seconds: number;
  warmupSeconds?: number;
  pid?: number;
}): Promise<RateMeasurement> {
  const run = async (seconds: number): Promise<RateMeasurement> => {
    const total = Math.round(options.rate * seconds);
    const latencies: number[] = [];
    let errors = 0;
    const answers: Array<Promise<void>> = [];
    const cpuBefore = processCpuMs(options.pid);
    const started = performance.now();
    for (let index = 0; index < total; index += 1) {
      const due = started + (index * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      // Timers have millisecond steps: a call made a little early is timed from its making, a late
      // one from when it was due.
      const from = Math.min(due, performance.now());
      answers.push(
        options.send().then((answered) => {
          latencies.push(performance.now() - from);
          if (!answered) errors += 1;
        }),
      );
    }
    await Promise.all(answers);
    const elapsed = (performance.now() - started) / 1000;
    const cpuAfter = processCpuMs(options.pid);
    latencies.sort((a, b) => a - b);
    const at = (quantile: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))]!.toFixed(2));
    return {
      name: options.name,
      offered: options.rate,
      achieved: total / elapsed,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: Number(latencies.at(-1)!.toFixed(2)),
      requests: total,
      errors,
      serverCpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : Number(((cpuAfter - cpuBefore) / total).toFixed(3)),
    };
  };
  if (options.warmupSeconds) await run(options.warmupSeconds);
  return run(options.seconds);
}

/**
 * atRate for GraphQL requests over at most `connections` keep-alive connections. Fractional
 * milliseconds; a GraphQL error in a body counts as an error.
 */
export async function measureAtRate(options: {
  name: string;
  url: string;
  next: () => BenchRequest;
  ok?: (status: number, body: string) => boolean;
  rate: number;
  connections: number;
  seconds: number;
  warmupSeconds?: number;
  /** The server's process, to report its CPU time per request. */
  pid?: number;
}): Promise<RateMeasurement> {
  const ok = options.ok ?? answeredWithoutErrors;
  const target = new URL(`${options.url}/graphql`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const send = () =>
    new Promise<boolean>((resolve) => {
      const { body, headers } = options.next();
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(ok(response.statusCode ?? 0, Buffer.concat(chunks).toString())));
          response.on('error', () => resolve(false));
        },
      );
      request.on('error', () => resolve(false));
      request.end(body);
    });
  try {
    return await atRate({ name: options.name, send, rate: options.rate, seconds: options.seconds, warmupSeconds: options.warmupSeconds, pid: options.pid });
  } finally {
    agent.destroy();
  }
}

export function table(rows: Array<Record<string, string | number>>): string {
  const headers = Object.keys(rows[0] ?? {});
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map((row) => line(headers.map((key) => row[key] ?? '')))].join('\n');
}

/**
 * Writes a benchmark's latest results: `bench/results/<name>.json` (the figures, with the machine
 * and the time) and `bench/results/<name>.md` (the same as tables, for bench/README.md to link).
 */
export async function writeResults(name: string, title: string, results: Record<string, unknown>, markdown: string): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const dir = path.join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const context = { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' };
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify({ ...context, ...results }, null, 2)}\n`);
  await writeFile(
    path.join(dir, `${name}.md`),
    `# ${title}\n\nWritten by \`npm run bench:${name}\` on ${context.at} (Node ${context.node}, ${context.cpus} × ${context.cpu}).\n\n${markdown}\n`,
  );
}
