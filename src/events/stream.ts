import { FixedBuffer, Repeater } from '@repeaterjs/repeater';
import type { EventBus } from './bus.js';
import type { Committed } from './events.js';

// Events wait here while their subscription group resolves earlier ones. A bulk issue of 1,000
// awards is 1,000 events for per-award subscribers, so the buffer holds many bulks; past it the
// group fails loudly rather than silently dropping events.
const SOURCE_BUFFER = 50_000;

/**
 * The items `select` picks from each committed batch of events, as an async stream. Listening
 * starts at once and stops when the consumer returns.
 */
export function eventStream<T>(bus: EventBus, select: (events: readonly Committed[]) => readonly T[]): AsyncGenerator<T> {
  return new Repeater<T>(async (push, stop) => {
    const unsubscribe = bus.subscribe((events) => {
      for (const item of select(events)) push(item).catch(stop);
    });
    await stop;
    unsubscribe();
  }, new FixedBuffer(SOURCE_BUFFER));
}
