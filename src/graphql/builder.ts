// The schema builder, and nothing else: types are added by each module's schema.ts, and the
// schema is assembled in ./schema.ts.
import SchemaBuilder from '@pothos/core';
import { getNullableType, isListType } from 'graphql';
import ComplexityPlugin from '@pothos/plugin-complexity';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { encodeNodeId } from './ids.js';
import type { Permission } from './permissions.js';
import type { Context } from './context.js';

export const DEFAULT_PAGE_SIZE = 50;
const LIST_MULTIPLIER = 10;
export const MAX_PAGE_SIZE = 100;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { authenticated: boolean; permission: Permission };
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: unknown };
  };
}>({
  // Relay first, so auth checks see decoded global ids; scope-auth before the plugins that wrap
  // resolvers, so nothing runs for a caller who may not see the field.
  plugins: [RelayPlugin, ScopeAuthPlugin, PrismaPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: async (context) => {
      const principal = await context.auth.principal();
      return {
        authenticated: principal !== undefined,
        permission: (permission) => principal?.permissions.has(permission) ?? false,
      };
    },
    unauthorizedError: (_parent, context, _info, result) => context.auth.errorFor(result.failure),
  },
  prisma: {
    client: (context) => context.deps.reader,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
    // A resolver that ignores the planned query would load relations one row at a time.
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'error',
  },
  relay: {
    clientMutationId: 'omit',
    encodeGlobalID: encodeNodeId,
    cursorType: 'String',
    idFieldOptions: { description: 'Opaque global id; pass it to `node` or to any field that takes an id.' },
    nodeTypeOptions: { description: 'A record with a global id, loadable with `node` and `nodes`.' },
    nodeQueryOptions: {
      authScopes: { permission: 'read' },
      description: 'The record with this global id, or null when it does not exist in the organization.',
      args: { id: { description: 'A global id.' } },
    },
    nodesQueryOptions: {
      authScopes: { permission: 'read' },
      description: 'The records with these global ids, in order; null for each that does not exist in the organization.',
      args: { ids: { description: 'Global ids.' } },
    },
    pageInfoTypeOptions: { description: 'Where a page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page; pass it as `before`.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page; pass it as `after`.' },
    cursorFieldOptions: { description: 'Opaque position of this item, for `after` and `before`.' },
    nodeFieldOptions: { description: 'The item.' },
    edgesFieldOptions: { description: 'The items of this page, with their cursors.' },
    pageInfoFieldOptions: { description: 'Whether there are more pages, and their cursors.' },
    firstArgOptions: { description: `Page size counting forward from \`after\` (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).` },
    afterArgOptions: { description: 'Start after the item with this cursor.' },
    lastArgOptions: { description: `Page size counting back from \`before\` (at most ${MAX_PAGE_SIZE}).` },
    beforeArgOptions: { description: 'End before the item with this cursor.' },
  },
  // The estimate only: its limits are checked once per request before execution
  // (src/graphql/limits.ts), not by each root field's resolver.
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: LIST_MULTIPLIER,
    // A connection costs its page size times its items (its `edges` list counts LIST_MULTIPLIER
    // already, hence the division); any other list ten times its items.
    fieldComplexity: (args, _context, field) => {
      if (field.args.some((arg) => arg.name === 'first')) {
        const { first, last } = args as { first?: number | null; last?: number | null };
        return { field: 1, multiplier: Math.max(first ?? last ?? DEFAULT_PAGE_SIZE, 0) / LIST_MULTIPLIER };
      }
      return isListType(getNullableType(field.type)) ? { field: 1, multiplier: LIST_MULTIPLIER } : 1;
    },
  },
});

export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;
/** The field builder of input types, for helpers that add the same fields to several inputs. */
export type InputFieldBuilder = PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>;
