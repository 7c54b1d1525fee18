// The claim-and-retry loop every outbox table shares (EmailMessage, WebhookDelivery): rows
// written in the transaction of the change that caused them, handled after commit by the worker
// of any instance.
//
// - Claims: a row is taken with a conditional update (QUEUED, due, and not claimed by anyone whose
//   claim still holds), so when several instances share a database exactly one of them handles it
//   on the normal path; under PostgreSQL's read committed the second updater re-checks the
//   condition after the first commits and updates nothing. A claim lapses after CLAIM_MS, so a row
//   whose worker crashed is handled by another instance later: at least once.
// - The handler records the outcome itself, only where `claimedBy` is still this instance, and
//   says when a retry is due so a pass runs then even if the poll interval is longer. With
//   `concurrency` above 1, that many rows are handled at once (webhooks: slow receivers).
// - Lifecycle: ticks on an interval after start(), is kicked when rows are queued on any instance
//   (src/app.ts listens for the events), and stop() waits for the row under way.
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { CoalescedRun } from '../../shared/coalesced.js';

export const CLAIM_MS = 5 * 60_000;
const BATCH = 20;

/** The columns an outbox table has for claims and retries. */
export interface ClaimColumns {
  id: string;
  status: string;
  nextAttemptAt: Date;
  claimedBy: string | null;
  claimedUntil: Date | null;
}

/** The part of a Prisma model delegate the loop uses (EmailMessage's, WebhookDelivery's). */
export interface OutboxTable<Row extends ClaimColumns> {
  findMany(args: { where: object; orderBy: object; take: number; select: { id: true } }): Promise<Array<{ id: string }>>;
  updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
  findUnique(args: { where: { id: string } }): Promise<Row | null>;
}

export interface ClaimWorkerOptions<Row extends ClaimColumns> {
  name: string;
  logger: Logger;
  clock: Clock;
  instanceId: string;
  pollMs: number;
  /** Where due rows are listed (a reader is fine) and where claims are written. */
  reader: OutboxTable<Row>;
  writer: OutboxTable<Row>;
  /** More conditions on the rows that may be claimed (for webhooks: the endpoint is enabled). */
  where?: object;
  /** Rows handled at once by this instance (default 1), so one slow receiver does not hold up the rest. */
  concurrency?: number;
  /** Handles one claimed row and records its outcome; returns the delay of its retry, if any. */
  handle(row: Row): Promise<{ retryInMs?: number }>;
}

export class ClaimWorker<Row extends ClaimColumns> {
  #timer: NodeJS.Timeout | undefined;
  readonly #runs = new CoalescedRun(() =>
    this.#drain().catch((error: unknown) => this.options.logger.error({ err: error }, `${this.options.name} pass failed`)),
  );

  constructor(private readonly options: ClaimWorkerOptions<Row>) {}

  start(): void {
    if (this.#timer || this.#runs.stopped) return;
    this.#timer = setInterval(() => this.kick(), this.options.pollMs);
    this.#timer.unref();
    this.kick();
  }

  /** Handles what is due soon, in the background. */
  kick(): void {
    this.#runs.request();
  }

  /** One full pass (tests use it). */
  async tick(): Promise<void> {
    this.kick();
    await this.#runs.idle();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#runs.stop();
  }

  /** The condition that a row is due and free (or its claim lapsed) at `now`. */
  claimable(now: Date): object {
    return {
      status: 'QUEUED',
      nextAttemptAt: { lte: now },
      OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }],
      ...this.options.where,
    };
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#runs.stopped) return;
      const due = await this.options.reader.findMany({
        where: this.claimable(this.options.clock.now()),
        orderBy: { nextAttemptAt: 'asc' },
        take: BATCH,
        select: { id: true },
      });
      if (due.length === 0) return;
      let handled = 0;
      let next = 0;
      const lane = async () => {
        while (next < due.length && !this.#runs.stopped) {
          const { id } = due[next++]!;
          const row = await this.#claim(id);
          if (!row) continue;
          handled += 1;
          try {
            const { retryInMs } = await this.options.handle(row);
            // Retries are due later than the next poll may come; make sure a pass runs then.
            if (retryInMs !== undefined) setTimeout(() => this.kick(), retryInMs).unref();
          } catch (error) {
            // Its outcome was not recorded: the claim lapses and the row is handled again later.
            this.options.logger.error({ err: error, id: row.id }, `${this.options.name} could not handle a row`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 1, due.length) }, lane));
      if (this.#runs.stopped) return;
      if (handled === 0) return; // every candidate was taken by another instance
    }
  }

  async #claim(id: string): Promise<Row | undefined> {
    const now = this.options.clock.now();
    const { count } = await this.options.writer.updateMany({
      where: { id, ...this.claimable(now) },
      data: { claimedBy: this.options.instanceId, claimedUntil: new Date(now.getTime() + CLAIM_MS), updatedAt: now },
    });
    if (count !== 1) return undefined;
    return (await this.options.writer.findUnique({ where: { id } })) ?? undefined;
  }
}
