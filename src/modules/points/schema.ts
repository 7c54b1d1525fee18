// Points: entries, balances, and recording them.
import { builder } from '../../graphql/builder.js';
import { record, tenantNode } from '../../graphql/nodes.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import { ValidationError } from '../../shared/errors.js';
import type { Reconciled } from '../automation/index.js';
import { AutomationEffectsRef } from '../automation/schema/index.js';
import { decodeEarnerRefs, earnerRefFields, RecipientInput } from '../earners/schema.js';
import { addPoints, DEFAULT_CATEGORY, MAX_POINTS_BATCH, type AddPointsInput, type PointsResult } from './add-points.js';

export const PointsEntryRef = builder.prismaNode('PointsEntry', {
  description: 'One change to an earner’s points in one category.',
  ...tenantNode,
  fields: (t) => ({
    earner: t.relation('earner', { description: 'Whose points changed.' }),
    category: t.exposeString('category', { description: 'The category (e.g. `lifetime`).' }),
    amount: t.exposeInt('amount', { description: 'Points added; negative when taken away.' }),
    balanceAfter: t.exposeInt('balanceAfter', { description: 'The category’s balance right after this entry.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why, in words.' }),
    source: t.exposeString('source', { nullable: true, description: 'What produced the points.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The key it was recorded with.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When the points were earned, as reported.' }),
  }),
});

const PointsEntryConnection = connectionType(PointsEntryRef, 'PointsEntry', 'points entries');

builder.prismaObject('PointsBalance', {
  description: 'An earner’s balance in one category, maintained as entries arrive.',
  fields: (t) => ({
    category: t.exposeString('category', { description: 'The category.' }),
    balance: t.exposeInt('balance', { description: 'The sum of the category’s entries.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

builder.prismaObjectFields('Earner', (t) => ({
  points: t.int({
    description: 'The earner’s balance in one category (0 when they have none).',
    args: { category: t.arg.string({ defaultValue: DEFAULT_CATEGORY, description: `The category (default \`${DEFAULT_CATEGORY}\`).` }) },
    select: (args) => ({ pointsBalances: { where: { category: args.category ?? DEFAULT_CATEGORY }, select: { balance: true } } }),
    resolve: (earner) => earner.pointsBalances[0]?.balance ?? 0,
  }),
  pointsBalances: t.relation('pointsBalances', {
    description: 'The earner’s balance in every category they have points in, by category name.',
    query: { orderBy: { category: 'asc' } },
  }),
  pointsEntries: t.relatedConnection(
    'pointsEntries',
    {
      description: 'The earner’s points entries, newest first.',
      cursor: 'id',
      args: { category: t.arg.string({ description: 'Only this category.' }) },
      query: (args) => ({
        where: args.category ? { category: args.category } : {},
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
      }),
      totalCount: true,
      ...pageSize,
    },
    PointsEntryConnection,
  ),
}));

const AddPointsInput = builder.inputType('AddPointsInput', {
  description: 'Points for one earner in one category.',
  fields: (t) => ({
    earnerId: t.id({ description: earnerRefFields.earnerId }),
    earner: t.field({ type: RecipientInput, description: earnerRefFields.earner }),
    category: t.string({ description: `The category (default \`${DEFAULT_CATEGORY}\`; 1 to 64 of A-Z a-z 0-9 _ . : -).` }),
    amount: t.int({ required: true, description: 'Points to add; negative takes points away; not zero.' }),
    reason: t.string({ description: 'Why, in words (at most 500 characters).' }),
    source: t.string({ description: 'What produced the points (at most 200 characters).' }),
    at: t.field({ type: 'DateTime', description: 'When they were earned; now when omitted; not in the future.' }),
    idempotencyKey: t.string({
      description: 'Retrying with the same key returns the first entry instead of adding again; reusing a key for a different request is a CONFLICT.',
    }),
  }),
});

const AddPointsBatchInput = builder.inputType('AddPointsBatchInput', {
  description: `Up to ${MAX_POINTS_BATCH} points entries, recorded all or nothing.`,
  fields: (t) => ({
    entries: t.field({ type: [AddPointsInput], required: true, description: `The entries (1 to ${MAX_POINTS_BATCH}), applied in order.` }),
  }),
});

const PointsResultRef = builder.objectRef<PointsResult>('AddPointsResult').implement({
  description: 'One recorded points entry.',
  fields: (t) => ({
    entry: record(t, 'PointsEntry', 'The entry (for a replay, the one recorded the first time).', (result) => result.entryId),
    balance: t.int({ description: 'The category’s balance after this request.', resolve: (result) => result.balance }),
    replayed: t.boolean({ description: 'True when the idempotency key was used before and nothing was added.', resolve: (result) => result.replayed }),
  }),
});

const AddPointsPayload = builder
  .objectRef<{ result: PointsResult; effects: Reconciled }>('AddPointsPayload')
  .implement({
    description: 'The recorded entry and what award rules did.',
    fields: (t) => ({
      entry: record(t, 'PointsEntry', 'The entry (for a replay, the one recorded the first time).', (payload) => payload.result.entryId),
      balance: t.int({ description: 'The category’s balance now.', resolve: (payload) => payload.result.balance }),
      replayed: t.boolean({
        description: 'True when the idempotency key was used before and nothing was added.',
        resolve: (payload) => payload.result.replayed,
      }),
      effects: t.field({ type: AutomationEffectsRef, description: 'Awards issued, restored or revoked by rules.', resolve: (payload) => payload.effects }),
    }),
  });

const AddPointsBatchPayload = builder
  .objectRef<{ results: PointsResult[]; effects: Reconciled }>('AddPointsBatchPayload')
  .implement({
    description: 'The recorded entries, in input order, and what award rules did.',
    fields: (t) => ({
      results: t.field({ type: [PointsResultRef], description: 'One result per entry, in order.', resolve: (payload) => payload.results }),
      effects: t.field({ type: AutomationEffectsRef, description: 'Awards issued, restored or revoked by rules.', resolve: (payload) => payload.effects }),
    }),
  });

builder.mutationFields((t) => ({
  addPoints: t.field({
    type: AddPointsPayload,
    description:
      'Adds (or with a negative amount, takes away) points, and applies the points rules of the category in the same transaction. Needs `activity:write`.',
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: AddPointsInput, required: true, description: 'The points.' }) },
    resolve: async (_root, { input }, context) => {
      const [row] = decodeEarnerRefs([input], () => 'earnerId');
      const outcome = await addPoints(context.deps, context.auth.current, [row as AddPointsInput], (_index, name) => name);
      return { result: outcome.results[0]!, effects: outcome.reconciled };
    },
  }),
  addPointsBatch: t.field({
    type: AddPointsBatchPayload,
    description: `Records up to ${MAX_POINTS_BATCH} points entries all or nothing, applying points rules in the same transaction. Needs \`activity:write\`.`,
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: AddPointsBatchInput, required: true, description: 'The entries.' }) },
    resolve: async (_root, { input }, context) => {
      if (input.entries.length === 0) throw ValidationError.single('entries', 'minItems', 'must have at least 1 entry');
      const rows = decodeEarnerRefs(input.entries, (index) => `entries[${index}].earnerId`);
      const outcome = await addPoints(context.deps, context.auth.current, rows as AddPointsInput[]);
      return { results: outcome.results, effects: outcome.reconciled };
    },
  }),
}));
