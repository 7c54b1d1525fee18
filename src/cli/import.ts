// npm run import -- awards.csv --organization <id> [--template <id>] [--dry-run]
// Imports awards from a CSV file in the export's columns (docs/imports.md). A dry run prints every
// problem as line:column rule message and exits 1 when there is any. A real run queues a job and
// runs it in this process (a server that claims it first runs it instead; this process then
// follows its progress), with a progress bar on a terminal and a summary otherwise.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Deps } from '../deps.js';
import { rawId } from '../graphql/ids.js';
import { commandDeps, userPath, withOrganization } from './organization.js';
import { dryRunImport, IMPORT_BATCH, ImportJobs, startImport, type ImportProblem } from '../modules/imports/index.js';
import { ValidationError } from '../shared/errors.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    organization: { type: 'string' },
    template: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});

function usage(problem: string): never {
  process.stderr.write(`${problem}\nUsage: npm run import -- <file.csv> --organization <id> [--template <id>] [--dry-run]\n`);
  process.exit(2);
}

const where = (problem: ImportProblem) => `${problem.line}:${problem.column ?? '-'}`;

const [source] = positionals;
if (!source || positionals.length > 1) usage('Name one file to import.');
if (!values.organization) usage('--organization is required.');
const csv = await readFile(userPath(source), 'utf8').catch((error: NodeJS.ErrnoException) => usage(`Cannot read ${source}: ${error.code ?? error.message}`));

await withOrganization(values.organization, async ({ config, database, organization }) => {
  const deps = await commandDeps(config, database);
  try {
    await importFile(deps, organization, source);
  } finally {
    await deps.events.close();
  }
});

async function importFile(deps: Deps, organization: { id: string; name: string }, source: string): Promise<void> {
  const input = { csv, fileName: path.basename(source), templateId: values.template ? rawId('BadgeTemplate', values.template) : null };
  if (values['dry-run']) {
    const result = await dryRunImport(deps, organization.id, input);
    for (const problem of result.problems) process.stdout.write(`${where(problem)} ${problem.rule} ${problem.message}\n`);
    process.stderr.write(
      `Dry run of ${source}: ${result.totalRows} rows, ${result.validRows} to import, ${result.skippedRows} to skip, ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}.\n`,
    );
    if (result.problems.length) process.exitCode = 1;
  } else {
    const job = await startImport(deps, { organizationId: organization.id, apiKeyId: null }, input).catch((error: unknown) => {
      // The file as a whole is refused (its header, its syntax): say why, as the API would.
      if (!(error instanceof ValidationError)) throw error;
      for (const issue of error.issues) process.stderr.write(`${issue.field} ${issue.rule} ${issue.message}\n`);
      return undefined;
    });
    if (!job) {
      process.exitCode = 1;
    } else {
      const bar = process.stdout.isTTY
        ? new cliProgress.SingleBar({ format: 'Importing [{bar}] {percentage}% | {value}/{total} rows | {issued} issued, {skipped} skipped, {failed} failed' }, cliProgress.Presets.shades_classic)
        : undefined;
      bar?.start(job.totalRows, 0, { issued: 0, skipped: 0, failed: 0 });
      const jobs = new ImportJobs(deps, `cli-${process.pid}`, IMPORT_BATCH);
      const running = jobs.runJob(job.id);
      const ended = async () => {
        for (;;) {
          const current = await deps.db.importJob.findUniqueOrThrow({ where: { id: job.id } });
          bar?.update(current.rowsDone, { issued: current.issued, skipped: current.skipped, failed: current.failed });
          if (current.status === 'SUCCEEDED' || current.status === 'FAILED') return current;
          await Promise.race([running, sleep(200)]);
        }
      };
      const current = await ended();
      await running;
      bar?.stop();
      const problems = Array.isArray(current.problems) ? (current.problems as unknown as ImportProblem[]) : [];
      for (const problem of problems) process.stderr.write(`${where(problem)} ${problem.rule} ${problem.message}\n`);
      process.stdout.write(
        `Import of ${source} into "${organization.name}" ${current.status}: ${current.totalRows} rows, ${current.issued} issued, ${current.skipped} skipped, ${current.failed} failed.${current.error ? ` ${current.error}` : ''}\n`,
      );
      if (current.status === 'FAILED' || current.failed > 0) process.exitCode = 1;
    }
  }
}
