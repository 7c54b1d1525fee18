import type { ExecutionResult } from 'graphql';

/**
 * One subscriber's results, waiting to be read by its transport (graphql-ws reads the next one
 * when the previous has been written to the socket; SSE likewise). Results are shared between the
 * members of a group, so a waiting result costs a reference, not a copy.
 */
export class SubscriberQueue implements AsyncGenerator<ExecutionResult, undefined> {
  readonly #waiting: Array<{ result: ExecutionResult; at: number }> = [];
  #reader: ((next: IteratorResult<ExecutionResult, undefined>) => void) | undefined;
  #done = false;

  constructor(private readonly onEnd: () => void) {}

  get length(): number {
    return this.#waiting.length;
  }

  /** How long the oldest unread result has waited, in ms (0 when none waits). */
  lag(now: number): number {
    const oldest = this.#waiting[0];
    return oldest ? now - oldest.at : 0;
  }

  push(result: ExecutionResult, now: number): void {
    if (this.#done) return;
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      reader({ value: result, done: false });
    } else {
      this.#waiting.push({ result, at: now });
    }
  }

  /** Stops the stream; results not yet read are dropped. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#waiting.length = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.({ value: undefined, done: true });
    this.onEnd();
  }

  next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    const waiting = this.#waiting.shift();
    if (waiting) return Promise.resolve({ value: waiting.result, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#reader = resolve));
  }

  return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.end();
  }
}
