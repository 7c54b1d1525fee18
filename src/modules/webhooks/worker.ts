// The webhook worker: POSTs queued WebhookDelivery rows, in every instance of the server, with
// the claim-and-retry loop of the email outbox (../outbox/claims.ts).
//
// - A 2xx is DELIVERED. Anything else (another status, a timeout, a refused address) is retried
//   after retryBase * 2^(attempts - 1), at most MAX_DELAY_MS, times a random factor from 0.5 to 1
//   so endpoints that failed together do not all come back at once; once the next attempt would
//   fall after the event's retry window (WEBHOOK_RETRY_HOURS), the delivery is FAILED.
// - A FAILED delivery counts against its endpoint; WEBHOOK_DISABLE_AFTER of them in a row with no
//   success between disable the endpoint with the reason, in the same transaction.
// - At least once: a worker that dies after the POST and before recording it leaves a claim that
//   lapses, and the delivery is sent again with the same `webhook-id`. No ordering is promised:
//   retries and several instances send events in any order.
import type { Deps } from '../../deps.js';
import { commit } from '../../db/transaction.js';
import type { OrganizationEvent } from '../../events/events.js';
import type { WebhookDelivery } from '../../generated/prisma-sqlite/client.js';
import { ClaimWorker, type OutboxTable } from '../outbox/index.js';
import { sendWebhook, type SendResult } from './sender.js';

const MAX_DELAY_MS = 6 * 3_600_000;
/** Requests in flight per instance: a receiver that answers slowly holds one lane, not the queue. */
const LANES = 8;

export class WebhookWorker {
  readonly #worker: ClaimWorker<WebhookDelivery>;

  constructor(
    private readonly deps: Deps,
    private readonly instanceId: string,
  ) {
    this.#worker = new ClaimWorker<WebhookDelivery>({
      name: 'webhook worker',
      logger: deps.logger,
      clock: deps.clock,
      instanceId,
      pollMs: deps.config.webhookPollMs,
      reader: deps.reader.webhookDelivery as unknown as OutboxTable<WebhookDelivery>,
      writer: deps.db.webhookDelivery as unknown as OutboxTable<WebhookDelivery>,
      // Deliveries of a disabled endpoint wait; enabling it makes them due again.
      where: { endpoint: { disabledAt: null } },
      concurrency: LANES,
      handle: (delivery) => this.#deliver(delivery),
    });
  }

  start(): void {
    this.#worker.start();
  }

  kick(): void {
    this.#worker.kick();
  }

  /** One full pass (tests use it). */
  tick(): Promise<void> {
    return this.#worker.tick();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  async #deliver(delivery: WebhookDelivery): Promise<{ retryInMs?: number }> {
    const { config, clock } = this.deps;
    const endpoint = await this.deps.db.webhookEndpoint.findUnique({ where: { id: delivery.endpointId } });
    const mine = { id: delivery.id, claimedBy: this.instanceId };
    if (!endpoint || endpoint.disabledAt) {
      // Disabled since it was listed: let go of it untouched.
      await this.deps.db.webhookDelivery.updateMany({ where: mine, data: { claimedBy: null, claimedUntil: null } });
      return {};
    }
    const at = clock.now();
    let result: SendResult;
    try {
      // The signature's timestamp is the wall clock's: receivers check it against their own
      // (a few minutes of tolerance), whatever the application's clock says.
      result = await sendWebhook(
        {
          url: endpoint.url,
          secrets: endpoint.previousSecret && endpoint.previousSecretUntil && endpoint.previousSecretUntil > at ? [endpoint.secret, endpoint.previousSecret] : [endpoint.secret],
          eventId: delivery.eventId,
          body: delivery.payload,
          at: new Date(),
        },
        { policy: config.webhookAddresses, timeoutMs: config.webhookTimeoutMs },
      );
    } catch (error) {
      result = { ok: false, excerpt: error instanceof Error ? error.message : String(error) };
    }
    const now = clock.now();
    const attempts = delivery.attempts + 1;
    const recorded = {
      attempts,
      claimedBy: null,
      claimedUntil: null,
      lastAttemptAt: at,
      lastResponseCode: result.status ?? null,
      lastResponseExcerpt: result.excerpt || null,
      updatedAt: now,
    };
    const announce: OrganizationEvent = {
      kind: 'organization',
      change: 'WEBHOOK_STATUS_CHANGED',
      organizationId: delivery.organizationId,
      subjectId: delivery.id,
      at: now.toISOString(),
    };
    if (result.ok) {
      const delivered = { ...recorded, status: 'DELIVERED' as const, deliveredAt: now, lastError: null };
      if (endpoint.consecutiveFailures === 0) {
        // The usual case is one statement, like the email outbox's: no transaction held open
        // while other instances on a SQLite file wait for its lock.
        await this.deps.db.webhookDelivery.updateMany({ where: mine, data: delivered });
        this.deps.events.publish([announce]);
      } else {
        await commit(this.deps, async (tx) => {
          await tx.webhookDelivery.updateMany({ where: mine, data: delivered });
          await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id }, data: { consecutiveFailures: 0 } });
          return { result: undefined, events: [announce] };
        });
      }
      return {};
    }
    const lastError = result.status ? `HTTP ${result.status}` : result.excerpt;
    const delay = Math.min(config.webhookRetryBaseMs * 2 ** (attempts - 1), MAX_DELAY_MS) * (0.5 + Math.random() / 2);
    const deadline = delivery.createdAt.getTime() + config.webhookRetryForMs;
    this.deps.logger.warn({ deliveryId: delivery.id, endpointId: endpoint.id, attempts, lastError }, 'webhook not delivered');
    if (now.getTime() + delay <= deadline) {
      await this.deps.db.webhookDelivery.updateMany({ where: mine, data: { ...recorded, lastError, nextAttemptAt: new Date(now.getTime() + delay) } });
      this.deps.events.publish([announce]);
      return { retryInMs: delay };
    }
    await commit(this.deps, async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({ where: mine, data: { ...recorded, status: 'FAILED', failedAt: now, lastError } });
      if (count !== 1) return { result: undefined, events: [] };
      const counted = await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { consecutiveFailures: { increment: 1 } } });
      const events: OrganizationEvent[] = [announce];
      if (counted.consecutiveFailures >= config.webhookDisableAfter && !counted.disabledAt) {
        await tx.webhookEndpoint.update({
          where: { id: endpoint.id },
          data: {
            disabledAt: now,
            disabledReason: `Disabled after ${counted.consecutiveFailures} deliveries in a row failed (the last: ${lastError}).`.slice(0, 1000),
            updatedAt: now,
          },
        });
        events.push({ ...announce, change: 'WEBHOOK_ENDPOINT_CHANGED', subjectId: endpoint.id });
        this.deps.logger.warn({ endpointId: endpoint.id, failures: counted.consecutiveFailures }, 'webhook endpoint disabled');
      }
      return { result: undefined, events };
    });
    return {};
  }
}
