// Committed changes, delivered to listeners in this process (caches, subscriptions) and, with
// REDIS_URL, to every other instance.
//
// A batch published here reaches this process's listeners at once, synchronously, so a client
// that reads right after its own change never sees the state before it. It also goes to Redis
// tagged with this instance's id; each instance delivers the batches of the others and ignores
// its own. Events are plain JSON (ISO dates, string ids), so they arrive as they left.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Committed, DomainEvent, EventPublisher, TransactionClient } from './events.js';

/** Receives the events of one committed change together (a bulk issue is one batch). */
export type EventListener = (events: readonly Committed[]) => void;

/**
 * Writes rows for a change's events in the change's own transaction (an outbox), and returns the
 * events that announce them (none when it wrote nothing).
 */
export type EventRecorder = (tx: TransactionClient, events: readonly DomainEvent[]) => Promise<readonly DomainEvent[]>;

interface RedisTransport {
  publisher: Redis;
  subscriber: Redis;
  channel: string;
}

export class EventBus implements EventPublisher {
  readonly instanceId = randomUUID();
  readonly #listeners = new Set<EventListener>();
  readonly #recorders: EventRecorder[] = [];
  #redis: RedisTransport | undefined;

  constructor(private readonly logger: Logger) {}

  /** Connects to Redis and starts receiving other instances' events; fails if Redis does not answer. */
  async connectRedis(url: string, channel: string, timeoutMs = 10_000): Promise<void> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: timeoutMs };
    const publisher = new Redis(url, options);
    const subscriber = new Redis(url, options);
    for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
      client.on('error', (error) => this.logger.warn({ err: error, role }, 'Redis connection error'));
    }
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(channel);
    } catch (error) {
      publisher.disconnect();
      subscriber.disconnect();
      throw new Error(`Could not connect to Redis at REDIS_URL: ${error instanceof Error ? error.message : String(error)}`);
    }
    subscriber.on('message', (_channel: string, message: string) => this.#receive(message));
    this.#redis = { publisher, subscriber, channel };
  }

  /** Call after the change's transaction has committed. */
  publish(uncommitted: readonly DomainEvent[]): void {
    if (uncommitted.length === 0) return;
    const committedAt = new Date().toISOString();
    const events = uncommitted.map((event) => ({ ...event, committedAt }));
    this.#deliver(events);
    const redis = this.#redis;
    if (redis) {
      redis.publisher.publish(redis.channel, JSON.stringify({ origin: this.instanceId, events })).catch((error: unknown) => {
        this.logger.error({ err: error, count: events.length }, 'could not publish events to Redis');
      });
    }
  }

  /** Adds an outbox that writes rows for events before their transaction commits. */
  addRecorder(recorder: EventRecorder): void {
    this.#recorders.push(recorder);
  }

  async record(tx: TransactionClient, events: readonly DomainEvent[]): Promise<readonly DomainEvent[]> {
    if (events.length === 0) return [];
    const announced: DomainEvent[] = [];
    for (const recorder of this.#recorders) announced.push(...(await recorder(tx, events)));
    return announced;
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Whether Redis answers (true when there is no Redis to ask), for readiness checks. */
  async redisReachable(): Promise<boolean> {
    if (!this.#redis) return true;
    try {
      return (await this.#redis.publisher.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** A connection for other commands (rate limits), sharing the publisher's; none without Redis. */
  get redis(): Redis | undefined {
    return this.#redis?.publisher;
  }

  async close(): Promise<void> {
    const redis = this.#redis;
    this.#redis = undefined;
    if (redis) await Promise.allSettled([redis.subscriber.quit(), redis.publisher.quit()]);
  }

  #receive(message: string): void {
    try {
      const { origin, events } = JSON.parse(message) as { origin: string; events: Committed[] };
      if (origin !== this.instanceId) this.#deliver(events);
    } catch (error) {
      this.logger.error({ err: error }, 'unreadable event message from Redis');
    }
  }

  #deliver(events: readonly Committed[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        this.logger.error({ err: error, count: events.length }, 'an event listener failed');
      }
    }
  }
}
