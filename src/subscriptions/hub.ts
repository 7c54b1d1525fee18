// Runs every GraphQL subscription of this process, over websockets and Server-Sent Events alike.
//
// Subscribers that would receive the same result share its work: same organization, same
// permissions, same document, operation and variables form one group. A group opens one source
// stream (the subscription field's own `subscribe`, which checks permissions and filters) and
// executes the document once per event, with a fresh context (fresh Prisma loaders, so no data
// from an earlier event leaks in), then hands the same result to every member. A thousand
// dashboards on the same board cost one execution per event, not a thousand.
//
// Members are of two kinds:
// - a websocket member has a sink: the result is serialised once per event and written straight
//   to each socket as a graphql-ws `next` message (graphql-ws still owns the protocol: it starts,
//   completes and numbers the subscription). A socket that stops draining (more than
//   `maxBufferedBytes` waiting to be sent) is dropped, so it can make the server buffer only that
//   much;
// - any other member (Server-Sent Events) reads a queue. One whose oldest unread result is older
//   than `maxLagMs`, or that has more than `maxPending` unread, is dropped.
// Either way one slow reader delays nobody else.
//
// A caller who presents no key at all may subscribe too: public fields (a credential's status)
// answer them, and every other field refuses them in its own permission check, as over HTTP.
// Anonymous subscribers of the same operation and variables share one group.
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Deps } from '../deps.js';
import { contextFor, type Context } from '../graphql/context.js';
import { documentKey } from '../graphql/document-key.js';
import { toGraphQLError } from '../graphql/errors.js';
import type { Principal } from '../graphql/auth.js';
import { DomainError, UnauthenticatedError } from '../shared/errors.js';
import { stableStringify } from '../shared/stable-json.js';
import { SubscriberQueue } from './queue.js';

/** Why a member was dropped; its transport turns this into a close code (src/transport). */
export type DropReason = 'slowConsumer' | 'keyRevoked';

/** Where a websocket subscription's results are written. */
export interface Sink {
  /** Writes one result, already serialised as a GraphQL response. */
  send(payloadJson: string): void;
  /** Bytes written but not yet sent: they grow when the client stops reading. */
  readonly bufferedBytes: number;
  drop(reason: DropReason, message: string): void;
}

interface Member {
  /** Undefined for an anonymous subscriber. */
  apiKeyId: string | undefined;
  /** Ends the member's stream; for sink members, graphql-ws then completes the subscription. */
  queue: SubscriberQueue;
  sink: Sink | undefined;
}

interface Group {
  key: string;
  principal: Principal | undefined;
  args: ExecutionArgs;
  source: AsyncGenerator<unknown>;
  members: Set<Member>;
  /** The last result of a state subscription, given at once to members who join later. */
  latest?: { result: ExecutionResult; json: string };
}

/**
 * Marks a source payload as the whole current state (a leaderboard's top N) rather than a change:
 * members who join a running group receive the latest one at once instead of waiting for the next.
 */
export const STATE_PAYLOAD = Symbol('statePayload');

function isState(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && STATE_PAYLOAD in payload;
}

export interface HubOptions {
  /** Masks unexpected errors in results, as for queries (src/graphql/errors.ts). */
  maskError: (error: unknown) => Error;
  /** A queue member whose oldest unread result is older than this is dropped as too slow. */
  maxLagMs: number;
  /** ...and so is one with more unread results than this (a bulk issue sends up to 1,000 at once). */
  maxPending: number;
  /** A sink member with more than this many bytes waiting to be sent is dropped. */
  maxBufferedBytes: number;
}

function errorResult(error: DomainError | GraphQLError): ExecutionResult {
  return { errors: [error instanceof GraphQLError ? error : toGraphQLError(error)] };
}

export class SubscriptionHub {
  readonly #groups = new Map<string, Group>();
  readonly #opening = new Map<string, Promise<Group | ExecutionResult>>();
  #closed = false;
  #joined = 0;
  #delivered = 0;
  #dropped = 0;

  constructor(
    private readonly deps: Deps,
    private readonly options: HubOptions,
  ) {}

  /**
   * Replaces graphql-js's `subscribe`: the same contract, shared work. With a sink, results are
   * written to it and the returned stream only ends; without, results are read from the stream.
   */
  async subscribe(args: ExecutionArgs, sink?: Sink): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    if (this.#closed) return errorResult(new GraphQLError('The server is shutting down.'));
    const context = args.contextValue as Context;
    const principal = await context.auth.principal();
    if (!principal && !context.auth.isAnonymous) {
      return errorResult(context.auth.failure ?? new UnauthenticatedError('An API key is required.'));
    }

    const key = [
      principal?.organizationId ?? 'anonymous',
      principal ? [...principal.permissions].sort().join(' ') : '',
      args.operationName ?? '',
      stableStringify(args.variableValues ?? {}),
      documentKey(args.document),
    ].join('\n');
    const group = this.#groups.get(key) ?? (await this.#open(key, principal, args));
    if (!('members' in group)) return group;
    return this.#join(group, principal, sink);
  }

  /** Ends the subscriptions of a revoked API key, telling their connections why. */
  revokeKey(apiKeyId: string): void {
    for (const group of this.#groups.values()) {
      for (const member of group.members) {
        if (member.apiKeyId !== apiKeyId) continue;
        member.sink?.drop('keyRevoked', 'The API key of this subscription has been revoked.');
        member.queue.end();
      }
    }
  }

  /** Ends every subscription (server shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    const groups = [...this.#groups.values()];
    for (const group of groups) for (const member of group.members) member.queue.end();
    await Promise.allSettled(groups.map((group) => group.source.return(undefined)));
  }

  /** Live groups and members, and how many members ever joined, results delivered and members dropped (tests, metrics). */
  get stats(): { groups: number; members: number; joined: number; delivered: number; dropped: number } {
    let members = 0;
    for (const group of this.#groups.values()) members += group.members.size;
    return { groups: this.#groups.size, members, joined: this.#joined, delivered: this.#delivered, dropped: this.#dropped };
  }

  // Concurrent first subscribers of one key share a single opening.
  #open(key: string, principal: Principal | undefined, args: ExecutionArgs): Promise<Group | ExecutionResult> {
    let opening = this.#opening.get(key);
    if (!opening) {
      opening = (async () => {
        try {
          const source = await createSourceEventStream(args);
          if (!(Symbol.asyncIterator in source)) return this.#masked(source); // permissions, filters
          const group: Group = { key, principal, args, source: source as AsyncGenerator<unknown>, members: new Set() };
          this.#groups.set(key, group);
          void this.#pump(group);
          return group;
        } finally {
          this.#opening.delete(key);
        }
      })();
      this.#opening.set(key, opening);
    }
    return opening;
  }

  #masked(result: ExecutionResult): ExecutionResult {
    if (!result.errors?.length) return result;
    return { ...result, errors: result.errors.map((error) => this.options.maskError(error) as GraphQLError) };
  }

  async #pump(group: Group): Promise<void> {
    try {
      for await (const payload of group.source) {
        if (group.members.size === 0) break;
        const result = this.#masked(
          await execute({ ...group.args, rootValue: payload, contextValue: contextFor(this.deps, group.principal) }),
        );
        const now = Date.now();
        let json: string | undefined;
        if (isState(payload)) group.latest = { result, json: (json = JSON.stringify(result)) };
        for (const member of group.members) {
          if (member.sink) this.#send(member, member.sink, (json ??= JSON.stringify(result)));
          else this.#deliver(member, result, now);
        }
      }
      // A source that ends by itself (a board unpublished) completes its members' subscriptions.
      for (const member of group.members) member.queue.end();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'a subscription group failed');
      for (const member of group.members) member.queue.end();
    } finally {
      if (this.#groups.get(group.key) === group) this.#groups.delete(group.key);
    }
  }

  #send(member: Member, sink: Sink, json: string): void {
    if (sink.bufferedBytes > this.options.maxBufferedBytes) {
      this.#drop(member, `Subscriber too slow: ${sink.bufferedBytes} bytes waiting to be sent.`, { bufferedBytes: sink.bufferedBytes });
      return;
    }
    sink.send(json);
    this.#delivered += 1;
  }

  #deliver(member: Member, result: ExecutionResult, now: number): void {
    const { queue } = member;
    const lag = queue.lag(now);
    if (lag > this.options.maxLagMs || queue.length >= this.options.maxPending) {
      this.#drop(member, `Subscriber too slow: ${queue.length} results waiting, the oldest for ${lag} ms.`, {
        lagMs: lag,
        pending: queue.length,
      });
      return;
    }
    queue.push(result, now);
    this.#delivered += 1;
  }

  #drop(member: Member, message: string, details: Record<string, number>): void {
    this.deps.logger.info({ apiKeyId: member.apiKeyId, ...details }, 'dropping a slow subscriber');
    this.#dropped += 1;
    member.sink?.drop('slowConsumer', message);
    member.queue.end();
  }

  #join(group: Group, principal: Principal | undefined, sink: Sink | undefined): AsyncGenerator<ExecutionResult> {
    const member: Member = {
      apiKeyId: principal?.apiKeyId,
      sink,
      queue: new SubscriberQueue(() => {
        group.members.delete(member);
        if (group.members.size === 0 && this.#groups.get(group.key) === group) {
          this.#groups.delete(group.key);
          void group.source.return(undefined);
        }
      }),
    };
    group.members.add(member);
    this.#joined += 1;
    const { latest } = group;
    if (latest) {
      // After graphql-ws has registered the subscription, which happens once this returns.
      if (sink) setImmediate(() => group.members.has(member) && this.#send(member, sink, latest.json));
      else this.#deliver(member, latest.result, Date.now());
    }
    return member.queue;
  }
}
