// Subscribing from tests with the real graphql-ws client, over a real websocket.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult as ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLErrorBody } from './client.js';

export function websocketUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/graphql`;
}

/** A graphql-ws client that connects at once and reports how its socket closed. */
export function liveClient(httpUrl: string, connectionParams: Record<string, unknown>) {
  const closes: Array<{ code: number; reason: string }> = [];
  let sockets = 0;
  const client: Client = createClient({
    url: websocketUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: {
      connected: () => (sockets += 1),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return { client, closes, get connections() { return sockets; } };
}

/** Results of one subscription, awaited one at a time. */
export class Subscription<Data> {
  readonly #results: Array<ExecutionResult<Data, unknown>> = [];
  readonly #waiters: Array<(result: ExecutionResult<Data, unknown>) => void> = [];
  #error: unknown;
  readonly dispose: () => void;

  constructor(client: Client, document: TypedDocumentNode<Data, any>, variables: Record<string, unknown> = {}) {
    this.dispose = client.subscribe<Data>(
      { query: print(document), variables },
      {
        next: (result) => {
          const waiter = this.#waiters.shift();
          if (waiter) waiter(result);
          else this.#results.push(result);
        },
        error: (error) => (this.#error = error),
        complete: () => {},
      },
    );
  }

  /** The next result, or a failure after `timeoutMs`. */
  next(timeoutMs = 5_000): Promise<ExecutionResult<Data, unknown>> {
    const ready = this.#results.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no subscription result within ${timeoutMs} ms${this.#error ? `; error: ${JSON.stringify(this.#error)}` : ''}`));
      }, timeoutMs);
      const waiter = (result: ExecutionResult<Data, unknown>) => {
        clearTimeout(timer);
        resolve(result);
      };
      this.#waiters.push(waiter);
    });
  }

  /** The data of the next result, which must have no errors. */
  async data(timeoutMs?: number): Promise<Data> {
    const result = await this.next(timeoutMs);
    if (result.errors?.length || !result.data) throw new Error(`subscription errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** Results received and not yet taken. */
  get buffered(): number {
    return this.#results.length;
  }

  get error(): GraphQLErrorBody[] | undefined {
    return this.#error as GraphQLErrorBody[] | undefined;
  }
}

/** Waits until `check` is true, polling. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
