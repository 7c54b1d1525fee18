import type { Clock } from '../../src/shared/clock.js';

/** Real time until a test sets or advances it. */
export class TestClock implements Clock {
  #offsetMs = 0;
  #frozen: Date | undefined;

  now(): Date {
    return this.#frozen ? new Date(this.#frozen) : new Date(Date.now() + this.#offsetMs);
  }

  set(date: Date | string): void {
    this.#frozen = new Date(date);
  }

  advance(ms: number): void {
    if (this.#frozen) this.#frozen = new Date(this.#frozen.getTime() + ms);
    else this.#offsetMs += ms;
  }
}

export const DAY = 86_400_000;
