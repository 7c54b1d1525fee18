// A cache of query results, scoped to the API key that asked and emptied for a whole organization
// whenever anything of that organization changes.
//
// Why our own and not @graphql-yoga/plugin-response-cache: that plugin forgets a cached result
// only when an entity inside it changes, so a list cached before an award was issued never learns
// of the new award; and it cannot refuse to store a result read before a change committed but
// finished after the invalidation. Here:
// - the key holds the API key id (so its organization and permissions), the document and the
//   variables: one organization, or one key, never sees another's results;
// - every change of an organization (a mutation on this instance, or a domain event from any
//   instance or from automation) bumps the organization's generation and drops its entries, and a
//   result is stored only if its generation did not move while it executed;
// - except that a result made only of pages from the top of all-time points boards is kept
//   through points changes that cannot reach those pages (src/modules/leaderboards/cache-scope.ts),
//   so a live screen polling the top of a board is not recomputed at every point entry;
// - engagement counted on public pages changes no cached value (counters are read live);
// - a result lives at most `ttlMs`, and never past the first moment a derived value in it
//   changes on its own (an award whose expiry passes: see Context.validUntil);
// - results with errors, mutations and subscriptions are never cached;
// - a cached result is serialized once: its JSON is kept with it (graphql-yoga's `stringify` on
//   an execution result), so a hit costs no re-serialization of the whole page.
import type { Plugin } from 'graphql-yoga';
import { BREAK, getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { DomainEvent } from '../events/events.js';
import { TOP_PAGE_FIELDS, topPageMovedBy, type TopPage } from '../modules/leaderboards/cache-scope.js';
import { stableStringify } from '../shared/stable-json.js';
import type { Context } from './context.js';
import { documentKey } from './document-key.js';

/** An execution result that graphql-yoga serializes with its own `stringify` (yoga's ExecutionResultWithSerializer). */
type SerializedOnce = ExecutionResult & { stringify: (result: ExecutionResult) => string };

/** `result` with a stringify that serializes it on the first answer and returns that JSON afterwards. */
function serializedOnce(result: ExecutionResult): SerializedOnce {
  let json: string | undefined;
  // Yoga passes the result itself, or a copy without its internal extensions: the same JSON each time.
  return { ...result, stringify: (value) => (json ??= JSON.stringify(value)) };
}

interface Entry {
  organizationId: string;
  result: ExecutionResult;
  /** Epoch ms by the application's clock; the LRU's own TTL only bounds memory. */
  expiresAt: number;
  /** Set when the result is made of these pages alone: points changes that miss them keep it. */
  topPages: TopPage[] | undefined;
}

export class ResponseCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #generations = new Map<string, number>();
  readonly #keysByOrganization = new Map<string, Set<string>>();

  constructor(
    readonly ttlMs: number,
    maxEntries = 10_000,
  ) {
    this.#entries = new LRUCache<string, Entry>({
      max: maxEntries,
      ttl: Math.max(ttlMs, 1),
      dispose: (entry, key) => this.#keysByOrganization.get(entry.organizationId)?.delete(key),
    });
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(key: string, now: number): ExecutionResult | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.result;
    this.#entries.delete(key);
    return undefined;
  }

  generation(organizationId: string): number {
    return this.#generations.get(organizationId) ?? 0;
  }

  /**
   * Stores `result` until `expiresAt` (at most `ttlMs` from `now`), unless the organization
   * changed since `generation` was read.
   */
  set(
    key: string,
    organizationId: string,
    generation: number,
    result: ExecutionResult,
    now: number,
    expiresAt: number,
    topPages?: TopPage[],
  ): void {
    const until = Math.min(expiresAt, now + this.ttlMs);
    if (until <= now || this.generation(organizationId) !== generation) return;
    this.#entries.set(key, { organizationId, result, expiresAt: until, topPages });
    let keys = this.#keysByOrganization.get(organizationId);
    if (!keys) this.#keysByOrganization.set(organizationId, (keys = new Set()));
    keys.add(key);
  }

  invalidateOrganization(organizationId: string): void {
    this.#invalidateWhere(organizationId, () => true);
  }

  /** Drops what a committed change may have made stale. */
  invalidateFor(event: DomainEvent): void {
    if (event.kind === 'engagement') return;
    if (event.kind !== 'points') return this.invalidateOrganization(event.organizationId);
    this.#invalidateWhere(event.organizationId, (entry) => !entry.topPages || entry.topPages.some((page) => topPageMovedBy(page, event)));
  }

  /**
   * A points mutation answered on this instance: everything but top pages goes now (as for any
   * mutation); the mutation's own points event, published before it answered, judges those.
   */
  invalidateAllButTopPages(organizationId: string): void {
    this.#invalidateWhere(organizationId, (entry) => !entry.topPages);
  }

  #invalidateWhere(organizationId: string, stale: (entry: Entry) => boolean): void {
    this.#generations.set(organizationId, this.generation(organizationId) + 1);
    const keys = this.#keysByOrganization.get(organizationId);
    if (!keys) return;
    for (const key of [...keys]) {
      const entry = this.#entries.peek(key);
      if (!entry || stale(entry)) this.#entries.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Requests with larger bodies are answered without the cache. */
const MAX_CACHED_BODY_BYTES = 16 * 1024;

/** Mutations whose every change is described by the points events they publish. */
const POINTS_MUTATIONS = new Set(['addPoints', 'addPointsBatch']);

const topPageDocuments = new WeakMap<DocumentNode, boolean>();

/** Whether every field the document selects is one of TOP_PAGE_FIELDS (checked once per parsed document). */
function selectsOnlyTopPageFields(schema: GraphQLSchema, document: DocumentNode): boolean {
  let only = topPageDocuments.get(document);
  if (only === undefined) {
    only = true;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (node.name.value === '__typename' || (parent && TOP_PAGE_FIELDS.has(`${parent.name}.${node.name.value}`))) return undefined;
          only = false;
          return BREAK;
        },
      }),
    );
    topPageDocuments.set(document, only);
  }
  return only;
}

export function useResponseCache(cache: ResponseCache): Plugin<Context> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      if (!cache.enabled) return;
      const context = args.contextValue;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription') return;
      const principal = await context.auth.principal();
      if (!principal) return;
      const { organizationId } = principal;

      if (operation.operation === 'mutation') {
        const points = operation.selectionSet.selections.every((selection) => selection.kind === 'Field' && POINTS_MUTATIONS.has(selection.name.value));
        return {
          onExecuteDone: () => (points ? cache.invalidateAllButTopPages(organizationId) : cache.invalidateOrganization(organizationId)),
        };
      }
      // A query with large variables is rarely asked twice, and its key would cost as much as them.
      const bodyBytes = Number((context as { request?: Request }).request?.headers.get('content-length') ?? 0);
      if (bodyBytes > MAX_CACHED_BODY_BYTES) return;
      const key = `${principal.apiKeyId}\n${args.operationName ?? ''}\n${stableStringify(args.variableValues ?? {})}\n${documentKey(args.document)}`;
      const hit = cache.get(key, context.deps.clock.now().getTime());
      if (hit) {
        setResultAndStopExecution(hit);
        return;
      }
      const generation = cache.generation(organizationId);
      return {
        onExecuteDone: ({ result }) => {
          if (!('data' in result) || result.errors?.length) return;
          const now = context.deps.clock.now().getTime();
          const topPages =
            context.topPages && !context.readOtherPages && selectsOnlyTopPageFields(args.schema, args.document) ? context.topPages : undefined;
          cache.set(key, organizationId, generation, serializedOnce(result), now, context.validUntil ?? Number.POSITIVE_INFINITY, topPages);
        },
      };
    },
  };
}
