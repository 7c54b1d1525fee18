// The outbox worker: sends queued EmailMessage rows, in every instance of the server. What a
// message says is not its business: the application hands it a `compose` function (the email
// module's), which turns a row into the mail to send, or says why it must not be sent.
//
// - Claims: a message is taken with a conditional update (QUEUED, due, and not claimed by anyone
//   whose claim still holds), so when several instances share a database exactly one of them
//   sends it on the normal path. A claim lapses after CLAIM_MS, so a message whose sender crashed
//   is sent by another instance later: delivery is at least once, and the Message-ID stays the
//   same (derived from the row id) so receivers can spot the rare duplicate after a crash.
// - Retries: a failure that may pass (4xx, connection errors) is retried after
//   retryBase * 2^(attempts - 1); a permanent refusal (5xx), or maxAttempts failures, marks the
//   message FAILED with the reason.
// - Lifecycle: like the automation scheduler, it ticks on an interval after start(), is kicked when
//   mail is queued on any instance (src/app.ts listens for the events), and stop() waits for the
//   message under way. Every status change is announced, so response caches drop stale outbox reads.
import type { Deps } from '../../deps.js';
import type { EmailMessage } from '../../generated/prisma-sqlite/client.js';
import { CoalescedRun } from '../../shared/coalesced.js';
import { isPermanentFailure, type Mailer, type OutgoingEmail } from './mailer.js';

/** The mail a queued message becomes, or why it must not be sent (a permanent failure). */
export type Composed = { mail: OutgoingEmail } | { refused: string };
export type Compose = (message: EmailMessage) => Promise<Composed>;

const CLAIM_MS = 5 * 60_000;
const BATCH = 20;

export interface OutboxOptions {
  pollMs: number;
  retryBaseMs: number;
  maxAttempts: number;
}

export class EmailOutbox {
  #timer: NodeJS.Timeout | undefined;
  readonly #runs = new CoalescedRun(() =>
    this.#drain().catch((error: unknown) => this.deps.logger.error({ err: error }, 'email outbox pass failed')),
  );

  constructor(
    private readonly deps: Deps,
    private readonly mailer: Mailer,
    private readonly compose: Compose,
    private readonly instanceId: string,
    private readonly options: OutboxOptions,
  ) {}

  start(): void {
    if (this.#timer || this.#runs.stopped) return;
    this.#timer = setInterval(() => this.kick(), this.options.pollMs);
    this.#timer.unref();
    this.kick();
  }

  /** Sends what is due soon, in the background. */
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
    this.mailer.close();
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#runs.stopped) return;
      const due = await this.#due();
      if (due.length === 0) return;
      let sent = 0;
      for (const { id } of due) {
        if (this.#runs.stopped) return;
        const message = await this.#claim(id);
        if (message) {
          await this.#send(message);
          sent += 1;
        }
      }
      if (sent === 0) return; // every candidate was taken by another instance
    }
  }

  #claimable(now: Date) {
    return {
      status: 'QUEUED' as const,
      nextAttemptAt: { lte: now },
      OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }],
    };
  }

  #due() {
    const now = this.deps.clock.now();
    return this.deps.reader.emailMessage.findMany({
      where: this.#claimable(now),
      orderBy: { nextAttemptAt: 'asc' },
      take: BATCH,
      select: { id: true },
    });
  }

  async #claim(id: string): Promise<EmailMessage | undefined> {
    const now = this.deps.clock.now();
    const { count } = await this.deps.db.emailMessage.updateMany({
      where: { id, ...this.#claimable(now) },
      data: { claimedBy: this.instanceId, claimedUntil: new Date(now.getTime() + CLAIM_MS), updatedAt: now },
    });
    if (count !== 1) return undefined;
    return (await this.deps.db.emailMessage.findUnique({ where: { id } })) ?? undefined;
  }

  async #send(message: EmailMessage): Promise<void> {
    const attempts = message.attempts + 1;
    let failure: { reason: string; permanent: boolean } | undefined;
    let messageId: string | undefined;
    try {
      const composed = await this.compose(message);
      if ('refused' in composed) failure = { reason: composed.refused, permanent: true };
      else messageId = (await this.mailer.send(composed.mail)).messageId;
    } catch (error) {
      failure = { reason: error instanceof Error ? error.message : String(error), permanent: isPermanentFailure(error) };
    }
    const now = this.deps.clock.now();
    const mine = { id: message.id, claimedBy: this.instanceId };
    const announce = () =>
      this.deps.events.publish([
        { kind: 'organization', change: 'EMAIL_STATUS_CHANGED', organizationId: message.organizationId, subjectId: message.id, at: now.toISOString() },
      ]);
    const released = { attempts, claimedBy: null, claimedUntil: null, updatedAt: now };
    if (!failure) {
      await this.deps.db.emailMessage.updateMany({
        where: mine,
        data: { ...released, status: 'SENT', sentAt: now, messageId: messageId ?? null, lastError: null },
      });
      announce();
      return;
    }
    const reason = failure.reason.slice(0, 1000);
    this.deps.logger.warn({ messageId: message.id, attempts, reason }, 'email not sent');
    if (failure.permanent || attempts >= this.options.maxAttempts) {
      await this.deps.db.emailMessage.updateMany({ where: mine, data: { ...released, status: 'FAILED', failedAt: now, lastError: reason } });
    } else {
      const delay = this.options.retryBaseMs * 2 ** (attempts - 1);
      await this.deps.db.emailMessage.updateMany({
        where: mine,
        data: { ...released, lastError: reason, nextAttemptAt: new Date(now.getTime() + delay) },
      });
      // Retries are due later than the next poll may come; make sure a pass runs then.
      setTimeout(() => this.kick(), delay).unref();
    }
    announce();
  }
}
