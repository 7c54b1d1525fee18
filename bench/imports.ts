// npm run bench:imports — the CSV import, for SQLite and PostgreSQL, against the real server in
// its own process: a file of BENCH_IMPORT_ROWS rows (default 100,000; two templates, a new earner
// per row) sent to importAwards
// 1. as a dry run: from the request to its answer;
// 2. as a real run: from the request to the job's SUCCEEDED, read by polling importJob;
// 3. again (a re-run): every row is found already imported and skipped.
// Rows per second for each. The server's body limit is raised to fit the file (MAX_BODY_KB).
//
// BENCH_IMPORT_ROWS, BENCH_PROVIDER (sqlite or postgresql), BENCH_ONLY (not used: the parts depend
// on each other).
import { benchDatabases, graphql, startServer, table, writeResults, type BenchDatabase } from './support.js';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const API_KEY = 'bench-administrator-key-0123456789abcdef';
const TEMPLATES = ['Bench importer', 'Bench importer, "second"'];

function file(): string {
  const lines = ['template_name,recipient_email,recipient_name,issued_at,activity_title,legacy_id'];
  for (let index = 0; index < ROWS; index += 1) {
    const template = TEMPLATES[index % 2]!.replaceAll('"', '""');
    lines.push(`"${template}",person${index}@example.com,Person Number ${index},2024-06-01T00:00:00.000Z,"Course, part ${index % 7}",old-${index}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

type Job = { id: string; status: string; rowsDone: number; issued: number; skipped: number; failed: number; error: string | null };
const JOB_FIELDS = 'id status rowsDone issued skipped failed error';

async function importFile(url: string, csv: string, dryRun: boolean) {
  return (
    await graphql<{ importAwards: { totalRows: number | null; validRows: number | null; problems: unknown[]; job: Job | null } }>(
      url,
      API_KEY,
      `mutation ($input: ImportAwardsInput!) { importAwards(input: $input) { totalRows validRows problems { line } job { ${JOB_FIELDS} } } }`,
      { input: { csv, dryRun, fileName: 'bench.csv' } },
    )
  ).importAwards;
}

async function untilEnded(url: string, id: string): Promise<Job> {
  for (;;) {
    const { importJob } = await graphql<{ importJob: Job }>(url, API_KEY, `query ($id: ID!) { importJob(id: $id) { ${JOB_FIELDS} } }`, { id }).catch((error: unknown) => {
      console.warn(`polling the job failed (${String(error)}); polling again`);
      return { importJob: { status: 'RUNNING' } as Job };
    });
    if (importJob.status === 'SUCCEEDED' || importJob.status === 'FAILED') return importJob;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Row extends Record<string, string | number> {
  database: string;
  run: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  issued: number | string;
  skipped: number | string;
}

async function measureDatabase(database: BenchDatabase, csv: string): Promise<Row[]> {
  const maxBodyKb = Math.ceil(Buffer.byteLength(csv) / 1024) * 2 + 1024;
  const server = await startServer({ DATABASE_URL: database.url, BOOTSTRAP_API_KEY: API_KEY, MAX_BODY_KB: String(maxBodyKb) });
  const rows: Row[] = [];
  const row = (run: string, ms: number, issued: number | string, skipped: number | string) =>
    rows.push({ database: database.provider, run, rows: ROWS, seconds: Number((ms / 1000).toFixed(2)), rowsPerSecond: Math.round(ROWS / (ms / 1000)), issued, skipped });
  try {
    for (const name of TEMPLATES) {
      await graphql(server.url, API_KEY, `mutation ($input: CreateBadgeTemplateInput!) { createBadgeTemplate(input: $input) { badgeTemplate { id } } }`, {
        input: { name, description: 'Created by the import benchmark.', activate: true },
      });
    }
    let started = performance.now();
    const dry = await importFile(server.url, csv, true);
    if (dry.problems.length || dry.validRows !== ROWS) throw new Error(`dry run: ${dry.problems.length} problems, ${dry.validRows} valid rows`);
    row('dry run', performance.now() - started, '-', '-');
    for (const run of ['real run', 're-run']) {
      started = performance.now();
      const { job } = await importFile(server.url, csv, false);
      const ended = await untilEnded(server.url, job!.id);
      if (ended.status !== 'SUCCEEDED' || ended.failed) throw new Error(`${run}: ${JSON.stringify(ended)}`);
      row(run, performance.now() - started, ended.issued, ended.skipped);
    }
  } finally {
    await server.stop();
  }
  return rows;
}

const csv = file();
console.log(`Import benchmark: ${ROWS} rows, ${(Buffer.byteLength(csv) / 1024 / 1024).toFixed(1)} MB.`);
const results: Row[] = [];
for (const make of await benchDatabases()) {
  const database = await make();
  try {
    const measured = await measureDatabase(database, csv);
    console.log(table(measured));
    results.push(...measured);
  } finally {
    await database.remove();
  }
}
await writeResults(
  'imports',
  'CSV import',
  { rows: ROWS, results },
  `${ROWS} rows (two templates, a new earner per row), sent to \`importAwards\` over HTTP: the dry run until its answer, the real run and the re-run from the request until the job's SUCCEEDED.\n\n${table(results)}`,
);
