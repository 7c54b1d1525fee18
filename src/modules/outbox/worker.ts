// The outbox worker: sends queued EmailMessage rows, in every instance of the server. What a
// message says is not its business: the application hands it a `compose` function (the email
// module's), which turns a row into the mail to send, or says why it must not be sent.
//
// - Claims, lifecycle: ./claims.ts, the loop every outbox table shares. A message whose sender
//   crashed is sent again later (at least once); its Message-ID stays the same (derived from the
//   row id) so receivers can spot the rare duplicate.
// - Retries: a failure that may pass (4xx, connection errors) is retried after
//   retryBase * 2^(attempts - 1); a permanent refusal (5xx), or maxAttempts failures, marks the
//   message FAILED with the reason. Every status change is announced, so response caches drop
//   stale outbox reads.
import type { Deps } from '../../deps.js';
import type { EmailMessage } from '../../generated/prisma-sqlite/client.js';
import { ClaimWorker, type OutboxTable } from './claims.js';
import { isPermanentFailure, type Mailer, type OutgoingEmail } from './mailer.js';

/** The mail a queued message becomes, or why it must not be sent (a permanent failure). */
export type Composed = { mail: OutgoingEmail } | { refused: string };
export type Compose = (message: EmailMessage) => Promise<Composed>;

export interface OutboxOptions {
  pollMs: number;
  retryBaseMs: number;
  maxAttempts: number;
}

export class EmailOutbox {
  readonly #worker: ClaimWorker<EmailMessage>;

  constructor(
    private readonly deps: Deps,
    private readonly mailer: Mailer,
    private readonly compose: Compose,
    private readonly instanceId: string,
    private readonly options: OutboxOptions,
  ) {
    this.#worker = new ClaimWorker<EmailMessage>({
      name: 'email outbox',
      logger: deps.logger,
      clock: deps.clock,
      instanceId,
      pollMs: options.pollMs,
      reader: deps.reader.emailMessage as unknown as OutboxTable<EmailMessage>,
      writer: deps.db.emailMessage as unknown as OutboxTable<EmailMessage>,
      handle: (message) => this.#send(message),
    });
  }

  start(): void {
    this.#worker.start();
  }

  /** Sends what is due soon, in the background. */
  kick(): void {
    this.#worker.kick();
  }

  /** One full pass (tests use it). */
  tick(): Promise<void> {
    return this.#worker.tick();
  }

  async stop(): Promise<void> {
    await this.#worker.stop();
    this.mailer.close();
  }

  async #send(message: EmailMessage): Promise<{ retryInMs?: number }> {
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
      return {};
    }
    let retryInMs: number | undefined;
    const reason = failure.reason.slice(0, 1000);
    this.deps.logger.warn({ messageId: message.id, attempts, reason }, 'email not sent');
    if (failure.permanent || attempts >= this.options.maxAttempts) {
      await this.deps.db.emailMessage.updateMany({ where: mine, data: { ...released, status: 'FAILED', failedAt: now, lastError: reason } });
    } else {
      retryInMs = this.options.retryBaseMs * 2 ** (attempts - 1);
      await this.deps.db.emailMessage.updateMany({
        where: mine,
        data: { ...released, lastError: reason, nextAttemptAt: new Date(now.getTime() + retryInMs) },
      });
    }
    announce();
    return retryInMs === undefined ? {} : { retryInMs };
  }
}
