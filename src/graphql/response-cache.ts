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
// - except that a result may be kept through changes its resolvers can tell it survives (the
//   policy's narrow events: the leaderboards module keeps the top of a points board through points
//   changes that cannot reach it, so a live screen polling it is not recomputed at every entry);
// - events the policy ignores change no cached value (engagement counters are read live);
// - a result lives at most `ttlMs`, and never past the first moment a derived value in it
//   changes on its own (an award whose expiry passes: see Context.validUntil);
// - results with errors, mutations and subscriptions are never cached;
// - a cached result is serialized once: its JSON is kept with it (graphql-yoga's `stringify` on
//   an execution result), so a hit costs no re-serialization of the whole page.
import type { Plugin } from 'graphql-yoga';
import { BREAK, getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { DomainEvent } from '../events/events.js';
import { stableStringify } from '../shared/stable-json.js';
import type { CacheDependency, Context } from './context.js';
import { documentKey } from './document-key.js';

/** An execution result that graphql-yoga serializes with its own `stringify` (yoga's ExecutionResultWithSerializer). */
type SerializedOnce = ExecutionResult & { stringify: (result: ExecutionResult) => string };

/** `result` with a stringify that serializes it on the first answer and returns that JSON afterwards. */
function serializedOnce(result: ExecutionResult): SerializedOnce {
  let json: string | undefined;
  // Yoga passes the result itself, or a copy without its internal extensions: the same JSON each time.
  return { ...result, stringify: (value) => (json ??= JSON.stringify(value)) };
}

// Declared with the context that carries it, so the two files do not import each other.
export type { CacheDependency } from './context.js';

/**
 * What the modules tell the cache (assembled where the application is built):
 * - ignoredEvents: kinds of change that alter no cached result;
 * - narrowEvents: kinds of change a result may be kept through, when every field its document
 *   selects is in narrowFields and every resolver that read it declared a CacheDependency;
 * - describedByEvents: mutations whose every change is one of the narrow events they publish.
 */
export interface CachePolicy {
  ignoredEvents: ReadonlySet<DomainEvent['kind']>;
  narrowEvents: ReadonlySet<DomainEvent['kind']>;
  narrowFields: ReadonlySet<string>;
  describedByEvents: ReadonlySet<string>;
}

export const NO_CACHE_POLICY: CachePolicy = { ignoredEvents: new Set(), narrowEvents: new Set(), narrowFields: new Set(), describedByEvents: new Set() };

interface Entry {
  organizationId: string;
  result: ExecutionResult;
  /** Epoch ms by the application's clock; the LRU's own TTL only bounds memory. */
  expiresAt: number;
  /** Set when the result may be kept through narrow events that all of these survive. */
  dependencies: CacheDependency[] | undefined;
}

export class ResponseCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #generations = new Map<string, number>();
  readonly #keysByOrganization = new Map<string, Set<string>>();

  constructor(
    readonly ttlMs: number,
    readonly policy: CachePolicy = NO_CACHE_POLICY,
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
    dependencies?: CacheDependency[],
  ): void {
    const until = Math.min(expiresAt, now + this.ttlMs);
    if (until <= now || this.generation(organizationId) !== generation) return;
    this.#entries.set(key, { organizationId, result, expiresAt: until, dependencies });
    let keys = this.#keysByOrganization.get(organizationId);
    if (!keys) this.#keysByOrganization.set(organizationId, (keys = new Set()));
    keys.add(key);
  }

  invalidateOrganization(organizationId: string): void {
    this.#invalidateWhere(organizationId, () => true);
  }

  /** Drops what a committed change may have made stale. */
  invalidateFor(event: DomainEvent): void {
    if (this.policy.ignoredEvents.has(event.kind)) return;
    if (!this.policy.narrowEvents.has(event.kind)) return this.invalidateOrganization(event.organizationId);
    this.#invalidateWhere(event.organizationId, (entry) => !entry.dependencies || entry.dependencies.some((dependency) => !dependency.survives(event)));
  }

  /**
   * A mutation described by narrow events answered on this instance: everything but results kept
   * through such events goes now (as for any mutation); its own events, published before it
   * answered, judge those.
   */
  invalidateAllButNarrow(organizationId: string): void {
    this.#invalidateWhere(organizationId, (entry) => !entry.dependencies);
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

const narrowDocuments = new WeakMap<DocumentNode, boolean>();

/** Whether every field the document selects is one of `fields` (checked once per parsed document). */
function selectsOnly(fields: ReadonlySet<string>, schema: GraphQLSchema, document: DocumentNode): boolean {
  let only = narrowDocuments.get(document);
  if (only === undefined) {
    only = true;
    const typeInfo = new TypeInfo(schema);
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (node.name.value === '__typename' || (parent && fields.has(`${parent.name}.${node.name.value}`))) return undefined;
          only = false;
          return BREAK;
        },
      }),
    );
    narrowDocuments.set(document, only);
  }
  return only;
}

type OnExecute = NonNullable<Plugin<Context>['onExecute']>;

export function useResponseCache(cache: ResponseCache): Plugin<Context> {
  return {
    // Not async itself: with the cache off, execution stays synchronous (no promise per request).
    onExecute(payload) {
      if (cache.enabled) return cachedExecute(payload);
    },
  };

  async function cachedExecute({ args, setResultAndStopExecution }: Parameters<OnExecute>[0]): Promise<Awaited<ReturnType<OnExecute>>> {
    const context = args.contextValue;
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation || operation.operation === 'subscription') return;
    const principal = await context.auth.principal();
    if (!principal) return;
    const { organizationId } = principal;

    if (operation.operation === 'mutation') {
      const narrow = operation.selectionSet.selections.every(
        (selection) => selection.kind === 'Field' && cache.policy.describedByEvents.has(selection.name.value),
      );
      return {
        onExecuteDone: () => (narrow ? cache.invalidateAllButNarrow(organizationId) : cache.invalidateOrganization(organizationId)),
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
        const dependencies =
          context.cacheDependencies && !context.cacheDependsOnAll && selectsOnly(cache.policy.narrowFields, args.schema, args.document)
            ? context.cacheDependencies
            : undefined;
        cache.set(key, organizationId, generation, serializedOnce(result), now, context.validUntil ?? Number.POSITIVE_INFINITY, dependencies);
      },
    };
  }
}
