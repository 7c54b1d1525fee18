// Runs every GraphQL subscription of this process, over websockets and Server-Sent Events alike.
//
// Subscribers that would receive the same result share its work: same organization, same
// permissions, same document, operation and variables form one group. A group opens one source
// stream (the subscription field's own `subscribe`, which checks permissions and filters) and
// executes the document once per event, with a fresh context (fresh Prisma loaders, so no data
// from an earlier event leaks in), then hands the same result to every member. A thousand
// dashboards on the same board cost one execution per event, not a thousand.
//
// Each member has a bounded queue. A member that falls too far behind (its socket stalled, its
// client gone quiet) is dropped through its connection, so one slow reader neither delays the
// others nor makes the server buffer without bound.
import { complexityFromQuery } from '@pothos/plugin-complexity';
import { Repeater } from '@repeaterjs/repeater';
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
import { DomainError, ForbiddenError, UnauthenticatedError } from '../shared/errors.js';
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
  deliver(result: ExecutionResult): void;
  end(error?: Error): void;
}

interface Group {
  key: string;
  principal: Principal;
  args: ExecutionArgs;
  source: AsyncGenerator<unknown>;
  members: Set<Member>;
}

export interface HubOptions {
  /** Results a member may have waiting before it is dropped as too slow. */
  maxPendingPerMember: number;
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
        const message = 'The API key of this subscription has been revoked.';
        if (member.connection) member.connection.drop('keyRevoked', message);
        member.end(new ForbiddenError(message));
      }
    }
  }

  /** Ends every subscription (server shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    const groups = [...this.#groups.values()];
    for (const group of groups) for (const member of group.members) member.end();
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
        for (const member of group.members) member.deliver(result);
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, 'a subscription group failed');
      for (const member of group.members) member.end(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (this.#groups.get(group.key) === group) this.#groups.delete(group.key);
    }
  }

  #join(group: Group, principal: Principal, connection: Connection | undefined): AsyncGenerator<ExecutionResult> {
    const { maxPendingPerMember } = this.options;
    return new Repeater<ExecutionResult>(async (push, stop) => {
      let pending = 0;
      const member: Member = {
        apiKeyId: principal.apiKeyId,
        connection,
        deliver: (result) => {
          if (pending >= maxPendingPerMember) {
            const message = `Subscriber too slow: ${pending} results waiting.`;
            if (connection) connection.drop('slowConsumer', message);
            stop(new Error(message));
            return;
          }
          pending += 1;
          push(result).then(
            () => (pending -= 1),
            () => {},
          );
        },
        end: (error) => stop(error),
      };
      group.members.add(member);
      this.#joined += 1;
      await stop;
      group.members.delete(member);
      if (group.members.size === 0 && this.#groups.get(group.key) === group) {
        this.#groups.delete(group.key);
        await group.source.return(undefined);
      }
    });
  }
}
