// Backfills: a rule created or changed (or its template activated) is applied to every earner of
// the organization, a batch of earner ids at a time, each batch one transaction of set-based SQL
// (src/modules/automation/reconcile.ts). Progress is kept on the job row and announced after
// every batch.
//
// Several instances may run: a job is claimed with a conditional update and held by a heartbeat;
// a job whose claim lapsed (its instance died) is taken over and resumes after its last batch.
// Batches are idempotent (slots are unique), so a batch run twice changes nothing the second time.
// A job whose rule changed meanwhile stops as SUPERSEDED: the newer job does the work.
import { setImmediate } from 'node:timers/promises';
import type { Deps } from '../../deps.js';
import { refreshStaleStatistics } from '../../db/statistics.js';
import { claimJob, JobWorker, releaseJob } from '../../db/job-claims.js';
import { commit } from '../../db/transaction.js';
import type { AutomationJob } from '../../generated/prisma-sqlite/client.js';
import { lockEarners } from '../earners/index.js';
import { mergeReconciled, reconcile, type Reconciled } from './reconcile.js';
import { jobEvent, lockRules, toRule } from './rules.js';

const CLAIM_MS = 60_000;

/** Where a job stands after a batch: done when finished, superseded or no longer held. */
interface Step {
  job: AutomationJob;
  done: boolean;
}

export class AutomationJobs extends JobWorker {
  constructor(
    private readonly deps: Deps,
    private readonly instanceId: string,
    private readonly batchSize: number,
    /** Concurrent transactions per batch: 1 on SQLite, which has one writer. */
    private readonly parallelism: number,
  ) {
    super();
  }

  protected async drain(): Promise<void> {
    for (let job = await this.#claim(); job && !this.runs.stopped; job = await this.#claim()) {
      try {
        await this.#run(job);
      } catch (error) {
        this.deps.logger.error({ err: error, jobId: job.id }, 'automation job failed');
        await commit(this.deps, async (tx) => {
          const failed = await tx.automationJob.update({
            where: { id: job.id },
            data: { status: 'FAILED', error: error instanceof Error ? error.message : String(error), finishedAt: this.deps.clock.now(), claimedBy: null, claimedUntil: null },
          });
          return { result: failed, events: [jobEvent(failed)] };
        });
      }
    }
  }

  async #claim(): Promise<AutomationJob | undefined> {
    const { db, reader, clock } = this.deps;
    const id = await claimJob(db, reader.automationJob, (tx) => tx.automationJob, { instanceId: this.instanceId, now: clock.now(), claimMs: CLAIM_MS });
    return id ? db.automationJob.findUniqueOrThrow({ where: { id } }) : undefined;
  }

  async #run(claimed: AutomationJob): Promise<void> {
    const { deps } = this;
    let job = claimed;
    if (!job.startedAt) {
      const total = await deps.reader.earner.count({ where: { organizationId: job.organizationId } });
      await refreshStaleStatistics(deps.db, deps.provider, 'Earner', total);
      job = await commit(deps, async (tx) => {
        const started = await tx.automationJob.update({ where: { id: job.id }, data: { startedAt: deps.clock.now(), totalEarners: total } });
        return { result: started, events: [jobEvent(started)] };
      });
    }
    while (!this.runs.stopped) {
      const step = await this.#step(job);
      job = step.job;
      if (step.done) return;
      // Let requests waiting for the (SQLite: only) writer in before the next batch takes it.
      await setImmediate();
    }
    // Stopping: let the next instance (or this one, restarted) take the job over at once.
    await releaseJob(deps.db.automationJob, job.id, this.instanceId);
  }

  /**
   * One batch: the next `batchSize` earners after the cursor, cut into `parallelism` ranges
   * reconciled in concurrent transactions (PostgreSQL runs them on separate cores), then the
   * cursor moves past them. Ranges are idempotent, so if this instance dies before the cursor
   * moves, the next run of the batch finds them done and changes nothing (its counts then miss
   * what the first run did).
   */
  async #step(job: AutomationJob): Promise<Step> {
    const { deps } = this;
    const now = deps.clock.now();
    const finish = (status: 'COMPLETED' | 'SUPERSEDED') =>
      commit<Step>(deps, async (tx) => {
        const current = await tx.automationJob.findUniqueOrThrow({ where: { id: job.id } });
        if (!this.#holds(current)) return { result: { job: current, done: true }, events: [] };
        const finished = await tx.automationJob.update({
          where: { id: job.id },
          data: { status, finishedAt: now, claimedBy: null, claimedUntil: null },
        });
        return { result: { job: finished, done: true }, events: [jobEvent(finished)] };
      });

    const ids = await deps.reader.earner.findMany({
      where: { organizationId: job.organizationId, ...(job.cursor ? { id: { gt: job.cursor } } : {}) },
      orderBy: { id: 'asc' },
      take: this.batchSize,
      select: { id: true },
    });
    if (ids.length === 0) return finish('COMPLETED');

    const size = Math.ceil(ids.length / this.parallelism);
    const ranges = Array.from({ length: Math.ceil(ids.length / size) }, (_, index) => ({
      after: index === 0 ? job.cursor : ids[index * size - 1]!.id,
      upTo: ids[Math.min((index + 1) * size, ids.length) - 1]!.id,
    }));
    // Each range announces its awards as it commits, so a range that fails later leaves none of
    // the committed ones unannounced.
    const results = await Promise.all(
      ranges.map((range) =>
        commit<Reconciled | 'stopped' | 'superseded'>(
          deps,
          async (tx) => {
            await lockRules(tx, deps.provider, job.organizationId, 'apply');
            // Live changes of these earners wait for this batch, or this batch for them.
            await lockEarners(tx, deps.provider, job.organizationId, range);
            const current = await tx.automationJob.findUniqueOrThrow({ where: { id: job.id } });
            if (!this.#holds(current)) return { result: 'stopped' as const, events: [] };
            const row = await tx.awardRule.findUnique({ where: { templateId: job.templateId } });
            if (!row || row.revision !== job.ruleRevision) return { result: 'superseded' as const, events: [] };
            const reconciled = await reconcile(tx, deps.provider, toRule(row), range, deps.clock.now());
            return { result: reconciled, events: reconciled.events };
          },
          { timeoutMs: 120_000 },
        ),
      ),
    );
    const done = mergeReconciled(results.flatMap((result) => (typeof result === 'string' ? [] : [result])));
    if (results.includes('superseded')) return finish('SUPERSEDED');
    return commit<Step>(deps, async (tx) => {
      const current = await tx.automationJob.findUniqueOrThrow({ where: { id: job.id } });
      if (!this.#holds(current) || results.includes('stopped')) return { result: { job: current, done: true }, events: [] };
      const updated = await tx.automationJob.update({
        where: { id: job.id },
        data: {
          cursor: ids.at(-1)!.id,
          processed: { increment: ids.length },
          awarded: { increment: done.issued.length },
          restored: { increment: done.restored.length },
          revoked: { increment: done.revoked.length },
          claimedUntil: new Date(deps.clock.now().getTime() + CLAIM_MS),
        },
      });
      return { result: { job: updated, done: false }, events: [jobEvent(updated)] };
    });
  }

  /** Whether this instance still runs the job (not finished, not taken over after a lapse). */
  #holds(job: AutomationJob): boolean {
    return job.status === 'RUNNING' && job.claimedBy === this.instanceId;
  }
}
