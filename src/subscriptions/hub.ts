// Runs every GraphQL subscription of this process, over websockets and Server-Sent Events alike.
//
// Subscribers that would receive the same result share its work: same organization, same
// permissions, same document, operation and variables form one group. A group opens one source
// stream (the subscription field's own `subscribe`, which checks permissions and filters) and
// executes the document once per event, with a fresh context (fresh Prisma loaders, so no data
// from an earlier event leaks in), then hands the same result to every member. A thousand
// dashboards on the same board cost one execution per event, not a thousand.
//
// Each member has its own queue of results waiting to be written to its connection. A member that
// falls too far behind (its socket stalled, its client gone quiet) is dropped through its
// connection, so one slow reader neither delays the others nor makes the server buffer without
// bound.
import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Deps } from '../deps.js';
import { COMPLEXITY_LIMIT } from '../graphql/builder.js';
import { contextFor, type Context } from '../graphql/context.js';
import { documentKey } from '../graphql/document-key.js';
import { toGraphQLError } from '../graphql/errors.js';
import type { Principal } from '../modules/api-keys/service.js';
import { DomainError, UnauthenticatedError } from '../shared/errors.js';
import { SubscriberQueue } from './queue.js';
import { stableStringify } from '../shared/stable-json.js';

/** Why a member was dropped; the transport turns it into a close code (see src/transport). */
export type DropReason = 'slowConsumer' | 'keyRevoked';

/** How a transport lets the hub end one subscriber's connection. */
export interface Connection {
  drop(reason: DropReason, message: string): void;
}

interface Member {
  apiKeyId: string;
  connection: Connection | undefined;
  queue: SubscriberQueue;
}

interface Group {
  key: string;
  principal: Principal;
  args: ExecutionArgs;
  source: AsyncGenerator<unknown>;
  members: Set<Member>;
}

export interface HubOptions {
  /** A member whose oldest unread result is older than this is dropped as too slow. */
  maxLagMs: number;
  /** ...and so is one with more unread results than this (a bulk issue sends up to 1,000 at once). */
  maxPending: number;
}

function errorResult(error: DomainError | GraphQLError): ExecutionResult {
  return { errors: [error instanceof GraphQLError ? error : toGraphQLError(error)] };
}

export class SubscriptionHub {
  readonly #groups = new Map<string, Group>();
  readonly #opening = new Map<string, Promise<Group | ExecutionResult>>();
  #closed = false;
  #joined = 0;

  constructor(
    private readonly deps: Deps,
    private readonly options: HubOptions,
  ) {}

  /** Replaces graphql-js's `subscribe`: the same contract, shared work. */
  async subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    if (this.#closed) return errorResult(new GraphQLError('The server is shutting down.'));
    const context = args.contextValue as Context;
    const principal = await context.auth.principal();
    if (!principal) return errorResult(context.auth.failure ?? new UnauthenticatedError('An API key is required.'));

    const complexity = complexityFromQuery(args.document, {
      schema: args.schema,
      ctx: context,
      variables: (args.variableValues ?? {}) as Record<string, unknown>,
    });
    if (complexity.depth > COMPLEXITY_LIMIT.depth || complexity.breadth > COMPLEXITY_LIMIT.breadth || complexity.complexity > COMPLEXITY_LIMIT.complexity) {
      return errorResult(
        new GraphQLError(
          `Subscription exceeds the limits (depth ${complexity.depth}/${COMPLEXITY_LIMIT.depth}, breadth ${complexity.breadth}/${COMPLEXITY_LIMIT.breadth}, complexity ${complexity.complexity}/${COMPLEXITY_LIMIT.complexity}).`,
          { extensions: { code: 'BAD_USER_INPUT', rule: 'complexity' } },
        ),
      );
    }

    const key = [
      principal.organizationId,
      [...principal.permissions].sort().join(' '),
      args.operationName ?? '',
      stableStringify(args.variableValues ?? {}),
      documentKey(args.document),
    ].join('\n');
    const group = this.#groups.get(key) ?? (await this.#open(key, principal, args));
    if (!('members' in group)) return group;
    return this.#join(group, principal, context.connection);
  }

  /** Ends the subscriptions of a revoked API key, telling their connections why. */
  revokeKey(apiKeyId: string): void {
    for (const group of this.#groups.values()) {
      for (const member of group.members) {
        if (member.apiKeyId !== apiKeyId) continue;
        member.connection?.drop('keyRevoked', 'The API key of this subscription has been revoked.');
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

  /** Live groups and members, and how many members ever joined (for tests and monitoring). */
  get stats(): { groups: number; members: number; joined: number } {
    let members = 0;
    for (const group of this.#groups.values()) members += group.members.size;
    return { groups: this.#groups.size, members, joined: this.#joined };
  }

  // Concurrent first subscribers of one key share a single opening.
  #open(key: string, principal: Principal, args: ExecutionArgs): Promise<Group | ExecutionResult> {
    let opening = this.#opening.get(key);
    if (!opening) {
      opening = (async () => {
        try {
          const source = await createSourceEventStream(args);
          if (!(Symbol.asyncIterator in source)) return source; // errors: permissions, filters
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

  async #pump(group: Group): Promise<void> {
    try {
      for await (const payload of group.source) {
        if (group.members.size === 0) break;
        const result = await execute({
          ...group.args,
          rootValue: payload,
          contextValue: contextFor(this.deps, group.principal),
        });
        const now = Date.now();
        for (const member of group.members) this.#deliver(member, result, now);
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'a subscription group failed');
      for (const member of group.members) member.queue.end();
    } finally {
      if (this.#groups.get(group.key) === group) this.#groups.delete(group.key);
    }
  }

  #deliver(member: Member, result: ExecutionResult, now: number): void {
    const { queue } = member;
    const lag = queue.lag(now);
    if (lag > this.options.maxLagMs || queue.length >= this.options.maxPending) {
      this.deps.logger.info({ apiKeyId: member.apiKeyId, lagMs: lag, pending: queue.length }, 'dropping a slow subscriber');
      member.connection?.drop('slowConsumer', `Subscriber too slow: ${queue.length} results waiting, the oldest for ${lag} ms.`);
      queue.end();
      return;
    }
    queue.push(result, now);
  }

  #join(group: Group, principal: Principal, connection: Connection | undefined): AsyncGenerator<ExecutionResult> {
    const member: Member = {
      apiKeyId: principal.apiKeyId,
      connection,
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
    return member.queue;
  }
}
