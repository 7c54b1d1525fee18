// Import jobs: a stored CSV file issued a batch of rows at a time, each batch one transaction
// with the job's progress (cursor and counts), so a batch is issued and counted exactly once.
// Any instance may run a job: claims and their lapse are the automation jobs' (src/db/job-claims.ts),
// and a job taken over after a crash reads its file again and carries on after its cursor. Rows
// carry idempotency keys as well, so even a batch issued twice would issue nothing new.
import { setImmediate } from 'node:timers/promises';
import type { Deps } from '../../deps.js';
import { claimJob, JobWorker, releaseJob } from '../../db/job-claims.js';
import { refreshGrownStatistics } from '../../db/statistics.js';
import { commit } from '../../db/transaction.js';
import type { Prisma, ImportJob } from '../../generated/prisma-sqlite/client.js';
import { DomainError, type FieldIssue } from '../../shared/errors.js';
import { issueAwardsInTransaction, type IssueAwardInput } from '../awards/index.js';
import { readCsvFile, type CsvRow, type ImportProblem } from './csv-file.js';
import { mapRows, positionField, rowProblem, splitPositionField, type TemplateLookup } from './rows.js';
import { importJobEvent, loadTemplates } from './service.js';

const CLAIM_MS = 60_000;

/** Problems kept on a job; the counts go on past them. */
export const MAX_JOB_PROBLEMS = 1000;

interface BatchOutcome {
  issued: number;
  skipped: number;
  failed: number;
  problems: ImportProblem[];
}

function storedProblems(value: Prisma.JsonValue | null): ImportProblem[] {
  return Array.isArray(value) ? (value as unknown as ImportProblem[]) : [];
}

export class ImportJobs extends JobWorker {
  constructor(
    private readonly deps: Deps,
    private readonly instanceId: string,
    private readonly batchSize: number,
  ) {
    super();
  }

  /** Runs job `id` here and now, unless another instance holds it (the command line). */
  async runJob(id: string): Promise<void> {
    if (await this.#claim(id)) await this.#runOrFail(id);
  }

  protected async drain(): Promise<void> {
    for (let id = await this.#claim(); id && !this.runs.stopped; id = await this.#claim()) await this.#runOrFail(id);
  }

  async #runOrFail(id: string): Promise<void> {
    const { deps } = this;
    try {
      await this.#run(id);
    } catch (error) {
      deps.logger.error({ err: error, jobId: id }, 'import job failed');
      await commit(deps, async (tx) => {
        const failed = await tx.importJob.update({
          where: { id },
          data: { status: 'FAILED', error: error instanceof Error ? error.message : String(error), finishedAt: deps.clock.now(), claimedBy: null, claimedUntil: null },
        });
        return { result: failed, events: [importJobEvent(failed)] };
      });
    }
  }

  #claim(id?: string): Promise<string | undefined> {
    const { db, reader, clock } = this.deps;
    return claimJob(db, reader.importJob, (tx) => tx.importJob, { instanceId: this.instanceId, now: clock.now(), claimMs: CLAIM_MS, id });
  }

  async #run(id: string): Promise<void> {
    const { deps } = this;
    let job = await deps.db.importJob.findUniqueOrThrow({ where: { id } });
    const file = await deps.db.importFile.findUniqueOrThrow({ where: { jobId: id } });
    const { rows } = await readCsvFile(file.content, Boolean(job.defaultTemplateId));
    const templates = await loadTemplates(deps, job.organizationId, job.defaultTemplateId);
    if (!job.startedAt) {
      job = await commit(deps, async (tx) => {
        const started = await tx.importJob.update({ where: { id }, data: { startedAt: deps.clock.now() } });
        return { result: started, events: [importJobEvent(started)] };
      });
    }
    // Keys of rows already done, so a later repeat of one counts as skipped as in the dry run.
    const seen = new Set<string>();
    for (let start = 0; start < job.cursor; start += this.batchSize) {
      mapRows(rows.slice(start, Math.min(start + this.batchSize, job.cursor)), templates, deps.clock.now(), seen);
      await setImmediate();
    }
    while (!this.runs.stopped) {
      // The batches grow the tables the next ones look their keys up in.
      await refreshGrownStatistics(deps.db, deps.provider, ['Award', 'Earner']);
      const batch = rows.slice(job.cursor, job.cursor + this.batchSize);
      const next = await this.#step(job, batch, templates, seen);
      if (!next) return;
      job = next;
      // Let requests waiting for the (SQLite: only) writer in before the next batch takes it.
      await setImmediate();
    }
    await releaseJob(deps.db.importJob, id, this.instanceId);
  }

  /**
   * Issues one batch and records it on the job, in one transaction; the job as it is then, or
   * undefined when it has ended (or another instance took it over).
   */
  async #step(job: ImportJob, batch: CsvRow[], templates: TemplateLookup, seen: Set<string>): Promise<ImportJob | undefined> {
    const { deps } = this;
    const now = deps.clock.now();
    const outcome: BatchOutcome = { issued: 0, skipped: 0, failed: 0, problems: [] };
    let toIssue: Array<{ line: number; input: IssueAwardInput }> = [];
    for (const row of mapRows(batch, templates, now, seen)) {
      if (row.kind === 'issue') toIssue.push(row);
      else if (row.kind === 'skip') {
        outcome.skipped += 1;
        outcome.problems.push(row.problem);
      } else {
        outcome.failed += 1;
        outcome.problems.push(...row.problems);
      }
    }
    const actor = { organizationId: job.organizationId, apiKeyId: job.apiKeyId };
    // Rows the database refuses (a template archived meanwhile, an external id of another earner)
    // fail alone: the batch runs again without them.
    for (;;) {
      try {
        return await commit(
          deps,
          async (tx) => {
            const current = await tx.importJob.findUniqueOrThrow({ where: { id: job.id } });
            if (current.status !== 'RUNNING' || current.claimedBy !== this.instanceId) return { result: undefined, events: [] };
            const issued = await issueAwardsInTransaction(tx, deps, actor, toIssue.map((row) => row.input), positionField);
            const fresh = issued.result.filter((result) => result.outcome === 'ISSUED' || result.outcome === 'REPLACED').length;
            const cursor = current.cursor + batch.length;
            // An empty batch ends the job too, so a file shorter than its count cannot keep it running.
            const done = cursor >= current.totalRows || batch.length === 0;
            const problems = [...storedProblems(current.problems), ...outcome.problems].slice(0, MAX_JOB_PROBLEMS);
            const updated = await tx.importJob.update({
              where: { id: job.id },
              data: {
                cursor,
                rowsDone: cursor,
                issued: { increment: fresh },
                skipped: { increment: outcome.skipped + toIssue.length - fresh },
                failed: { increment: outcome.failed },
                problems: problems as unknown as Prisma.InputJsonValue,
                ...(done
                  ? { status: 'SUCCEEDED' as const, finishedAt: deps.clock.now(), claimedBy: null, claimedUntil: null }
                  : { claimedUntil: new Date(deps.clock.now().getTime() + CLAIM_MS) }),
              },
            });
            // A finished job's file is needed no more; a failed job keeps it, to be looked into.
            if (done) await tx.importFile.deleteMany({ where: { jobId: job.id } });
            return { result: done ? undefined : updated, events: [...issued.events, importJobEvent(updated)] };
          },
          { timeoutMs: 120_000 },
        );
      } catch (error) {
        const refused = refusedRows(error);
        if (!refused) throw error;
        for (const [position, issues] of refused) {
          const row = toIssue[position]!;
          outcome.failed += 1;
          outcome.problems.push(...issues.map((issue) => rowProblem(row.line, issue)));
        }
        toIssue = toIssue.filter((_row, position) => !refused.has(position));
      }
    }
  }
}

/** The rows a refused batch named in its problems, or undefined for any other failure. */
function refusedRows(error: unknown): Map<number, FieldIssue[]> | undefined {
  if (!(error instanceof DomainError)) return undefined;
  const issues = (error.details.issues as FieldIssue[] | undefined) ?? [];
  const byRow = new Map<number, FieldIssue[]>();
  for (const issue of issues) {
    const where = splitPositionField(issue.field);
    if (where) byRow.set(where.position, [...(byRow.get(where.position) ?? []), { ...issue, field: where.name }]);
  }
  return byRow.size ? byRow : undefined;
}
