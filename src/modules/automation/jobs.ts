// Backfills: a rule created or changed (or its template activated) is applied to every earner of
// the organization, a batch of earner ids at a time, each batch one transaction of set-based SQL
// (src/modules/automation/reconcile.ts). Progress is kept on the job row and announced after
// every batch.
//
// Several instances may run: a job is claimed with a conditional update and held by a heartbeat;
// a job whose claim lapsed (its instance died) is taken over and resumes after its last batch.
// Batches are idempotent (slots are unique), so a batch run twice changes nothing the second time.
// A job whose rule changed meanwhile stops as SUPERSEDED: the newer job does the work.
import type { Deps } from '../../deps.js';
import { inTransaction } from '../../db/transaction.js';
import type { AutomationJob } from '../../generated/prisma-sqlite/client.js';
import { CoalescedRun } from '../../shared/coalesced.js';
import { reconcile } from './reconcile.js';
import { jobEvent, lockRules, toRule } from './rules.js';

const CLAIM_MS = 60_000;

export class AutomationJobs {
  readonly #runs = new CoalescedRun(() => this.#drain());

  constructor(
    private readonly deps: Deps,
    private readonly instanceId: string,
    private readonly batchSize: number,
  ) {}

  /** Runs queued jobs soon, in the background (after a rule change commits). */
  kick(): void {
    this.#runs.request();
  }

  /** Runs every claimable job to its end (the scheduler calls this on each tick). */
  async runPending(): Promise<void> {
    this.kick();
    await this.#runs.idle();
  }

  async stop(): Promise<void> {
    await this.#runs.stop();
  }

  async #drain(): Promise<void> {
    for (let job = await this.#claim(); job && !this.#runs.stopped; job = await this.#claim()) {
      try {
        await this.#run(job);
      } catch (error) {
        this.deps.logger.error({ err: error, jobId: job.id }, 'automation job failed');
        const failed = await this.deps.db.automationJob.update({
          where: { id: job.id },
          data: { status: 'FAILED', error: error instanceof Error ? error.message : String(error), finishedAt: this.deps.clock.now(), claimedBy: null, claimedUntil: null },
        });
        this.deps.events.publish([jobEvent(failed)]);
      }
    }
  }

  async #claim(): Promise<AutomationJob | undefined> {
    const now = this.deps.clock.now();
    const claimable = { OR: [{ status: 'QUEUED' as const }, { status: 'RUNNING' as const, claimedUntil: { lt: now } }] };
    const candidates = await this.deps.reader.automationJob.findMany({ where: claimable, orderBy: { createdAt: 'asc' }, take: 5, select: { id: true } });
    for (const { id } of candidates) {
      const claimed = await inTransaction(this.deps.db, (tx) =>
        tx.automationJob.updateMany({
          where: { id, ...claimable },
          data: { status: 'RUNNING', claimedBy: this.instanceId, claimedUntil: new Date(now.getTime() + CLAIM_MS) },
        }),
      );
      if (claimed.count === 1) return this.deps.db.automationJob.findUniqueOrThrow({ where: { id } });
    }
    return undefined;
  }

  async #run(claimed: AutomationJob): Promise<void> {
    const { deps } = this;
    let job = claimed;
    if (!job.startedAt) {
      const total = await deps.reader.earner.count({ where: { organizationId: job.organizationId } });
      job = await deps.db.automationJob.update({ where: { id: job.id }, data: { startedAt: deps.clock.now(), totalEarners: total } });
    }
    deps.events.publish([jobEvent(job)]);
    while (!this.#runs.stopped) {
      const step = await inTransaction(
        deps.db,
        async (tx) => {
          const now = deps.clock.now();
          const current = await tx.automationJob.findUniqueOrThrow({ where: { id: job.id } });
          if (current.status !== 'RUNNING' || current.claimedBy !== this.instanceId) return { job: current, done: true, events: [] };
          await lockRules(tx, deps.provider, current.organizationId, 'apply');
          const row = await tx.awardRule.findUnique({ where: { templateId: current.templateId } });
          if (!row || row.revision !== current.ruleRevision) {
            const superseded = await tx.automationJob.update({
              where: { id: current.id },
              data: { status: 'SUPERSEDED', finishedAt: now, claimedBy: null, claimedUntil: null },
            });
            return { job: superseded, done: true, events: [] };
          }
          const earnersAfter = { organizationId: current.organizationId, ...(current.cursor ? { id: { gt: current.cursor } } : {}) };
          const last =
            (await tx.earner.findFirst({ where: earnersAfter, orderBy: { id: 'asc' }, skip: this.batchSize - 1, select: { id: true } })) ??
            (await tx.earner.findFirst({ where: earnersAfter, orderBy: { id: 'desc' }, select: { id: true } }));
          if (!last) {
            const completed = await tx.automationJob.update({
              where: { id: current.id },
              data: { status: 'COMPLETED', finishedAt: now, claimedBy: null, claimedUntil: null },
            });
            return { job: completed, done: true, events: [] };
          }
          const batch = await tx.earner.count({ where: { ...earnersAfter, id: { ...(current.cursor ? { gt: current.cursor } : {}), lte: last.id } } });
          const result = await reconcile(tx, deps.provider, toRule(row), { after: current.cursor, upTo: last.id }, now);
          const progressed = await tx.automationJob.update({
            where: { id: current.id },
            data: {
              cursor: last.id,
              processed: { increment: batch },
              awarded: { increment: result.issued.length },
              restored: { increment: result.restored.length },
              revoked: { increment: result.revoked.length },
              claimedUntil: new Date(now.getTime() + CLAIM_MS),
            },
          });
          return { job: progressed, done: false, events: result.events };
        },
        { timeoutMs: 120_000 },
      );
      job = step.job;
      deps.events.publish([...step.events, jobEvent(job)]);
      if (step.done) return;
    }
    // Stopping: let the next instance (or this one, restarted) take the job over at once.
    await deps.db.automationJob.updateMany({
      where: { id: job.id, status: 'RUNNING', claimedBy: this.instanceId },
      data: { claimedBy: null, claimedUntil: new Date(0) },
    });
  }
}
