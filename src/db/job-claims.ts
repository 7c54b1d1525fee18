// Claiming a long job (automation backfills, CSV imports) when several instances share the
// database: a job is taken with a conditional update (QUEUED, or RUNNING with a lapsed claim, its
// instance gone), so exactly one instance wins it; the winner holds it by moving `claimedUntil`
// forward with each batch, and a job whose claim lapsed is taken over and resumes from its cursor.
import { CoalescedRun } from '../shared/coalesced.js';
import type { PrismaClient } from './client.js';
import { inTransaction, type Tx } from './transaction.js';

/** The part of a job table's Prisma delegate that claims use (AutomationJob's, ImportJob's). */
export interface JobTable {
  findMany(args: { where: object; orderBy: object; take: number; select: { id: true } }): Promise<Array<{ id: string }>>;
  updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
}

function claimable(now: Date) {
  return { OR: [{ status: 'QUEUED' as const }, { status: 'RUNNING' as const, claimedUntil: { lt: now } }] };
}

/** Claims the oldest claimable job (or job `id` when it is claimable) for `instanceId` until `now + claimMs`; its id, or undefined when none. */
export async function claimJob(
  db: PrismaClient,
  reader: JobTable,
  table: (client: Tx) => JobTable,
  options: { instanceId: string; now: Date; claimMs: number; /** This job only. */ id?: string },
): Promise<string | undefined> {
  const where = { ...claimable(options.now), ...(options.id ? { id: options.id } : {}) };
  const candidates = await reader.findMany({ where, orderBy: { createdAt: 'asc' }, take: 5, select: { id: true } });
  for (const { id } of candidates) {
    const claimed = await inTransaction(db, (tx) =>
      table(tx).updateMany({
        where: { id, ...where },
        data: { status: 'RUNNING', claimedBy: options.instanceId, claimedUntil: new Date(options.now.getTime() + options.claimMs) },
      }),
    );
    if (claimed.count === 1) return id;
  }
  return undefined;
}

/** Lets go of a job this instance stops running, so the next instance takes it over at once. */
export async function releaseJob(table: JobTable, id: string, instanceId: string): Promise<void> {
  await table.updateMany({ where: { id, status: 'RUNNING', claimedBy: instanceId }, data: { claimedBy: null, claimedUntil: new Date(0) } });
}

/**
 * A worker of claimable jobs: kicked when a job is queued on any instance, run to the end of what
 * is claimable by the scheduler's ticks, stopped after the batch under way.
 */
export abstract class JobWorker {
  protected readonly runs = new CoalescedRun(() => this.drain());

  /** Runs queued jobs soon, in the background. */
  kick(): void {
    this.runs.request();
  }

  /** Runs every claimable job to its end (the scheduler calls this on each tick). */
  async runPending(): Promise<void> {
    this.kick();
    await this.runs.idle();
  }

  async stop(): Promise<void> {
    await this.runs.stop();
  }

  /** Claims and runs jobs until none is claimable or the worker stops. */
  protected abstract drain(): Promise<void>;
}
