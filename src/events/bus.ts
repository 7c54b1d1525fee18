import type { Logger } from 'pino';
import type { DomainEvent, EventPublisher } from './events.js';

export type EventListener = (event: DomainEvent) => void;

/**
 * Delivers committed changes to the listeners of this process (caches to invalidate, and later
 * subscriptions). A listener that throws is logged and does not stop the others.
 */
export class EventBus implements EventPublisher {
  readonly #listeners = new Set<EventListener>();

  constructor(private readonly logger: Logger) {}

  publish(events: readonly DomainEvent[]): void {
    for (const event of events) {
      for (const listener of this.#listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.error({ err: error, event }, 'an event listener failed');
        }
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
