// Actions: queries, an earner's actions, recording one, and awarding a template for one.
import type { Prisma } from '../../../db/client.js';
import { builder } from '../../../graphql/builder.js';
import { decodeId } from '../../../graphql/ids.js';
import { record, tenantNode } from '../../../graphql/nodes.js';
import { connectionType, pageSize } from '../../../graphql/pagination.js';
import { decodeEarnerRefs, earnerRefFields, RecipientInput } from '../../earners/schema.js';
import { awardForAction, recordAction } from '../actions.js';
import type { Reconciled } from '../reconcile.js';
import { AutomationEffectsRef } from './effects.js';

export const ActionRef = builder.prismaNode('Action', {
  description: 'Something an earner did, as the integrator reported it (an answer accepted, an applause received).',
  ...tenantNode,
  fields: (t) => ({
    earner: t.relation('earner', { description: 'Who did it.' }),
    type: t.exposeString('type', { description: 'What kind of action, e.g. `answer.accepted`.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened, as reported.' }),
    metadata: t.expose('metadata', { type: 'JSONObject', nullable: true, description: 'What the integrator attached.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The key it was recorded with.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

export const ActionConnection = connectionType(ActionRef, 'Action', 'actions');

builder.prismaObjectFields('Earner', (t) => ({
  actions: t.relatedConnection(
    'actions',
    {
      description: 'The earner’s actions, most recent first.',
      cursor: 'id',
      args: { type: t.arg.string({ description: 'Only actions of this type.' }) },
      query: (args) => ({ where: args.type ? { type: args.type } : {}, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] }),
      totalCount: true,
      ...pageSize,
    },
    ActionConnection,
  ),
}));

const ActionFilterInput = builder.inputType('ActionFilter', {
  description: 'Narrows the actions list; conditions combine with AND.',
  fields: (t) => ({
    type: t.string({ description: 'Of this type.' }),
    earnerId: t.id({ description: 'By this earner.' }),
    occurredAfter: t.field({ type: 'DateTime', description: 'Happened at or after this instant.' }),
    occurredBefore: t.field({ type: 'DateTime', description: 'Happened before this instant.' }),
  }),
});

function actionWhere(organizationId: string, filter: typeof ActionFilterInput.$inferInput | null | undefined) {
  return {
    organizationId,
    ...(filter?.type ? { type: filter.type } : {}),
    ...(filter?.earnerId ? { earnerId: decodeId('Earner', filter.earnerId, 'filter.earnerId') } : {}),
    ...(filter?.occurredAfter || filter?.occurredBefore
      ? {
          occurredAt: {
            ...(filter.occurredAfter ? { gte: filter.occurredAfter } : {}),
            ...(filter.occurredBefore ? { lt: filter.occurredBefore } : {}),
          },
        }
      : {}),
  } satisfies Prisma.ActionWhereInput;
}

builder.queryFields((t) => ({
  actions: t.prismaConnection(
    {
      type: 'Action',
      cursor: 'id',
      description: 'The organization’s recorded actions, most recent first.',
      authScopes: { permission: 'read' },
      args: { filter: t.arg({ type: ActionFilterInput, description: 'Conditions the actions must meet.' }) },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.action.count({ where: actionWhere(context.auth.current.organizationId, filter) }),
      resolve: (query, _parent, { filter }, context) =>
        context.deps.reader.action.findMany({
          ...query,
          where: actionWhere(context.auth.current.organizationId, filter),
          orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
        }),
    },
    ActionConnection,
  ),
}));

const RecordActionInput = builder.inputType('RecordActionInput', {
  description: 'An action an earner performed.',
  fields: (t) => ({
    earnerId: t.id({ description: earnerRefFields.earnerId }),
    earner: t.field({ type: RecipientInput, description: earnerRefFields.earner }),
    type: t.string({ required: true, description: 'What kind of action (1 to 100 of A-Z a-z 0-9 _ . : -), e.g. `answer.accepted`.' }),
    occurredAt: t.field({ type: 'DateTime', description: 'When it happened; now when omitted; not in the future.' }),
    metadata: t.field({ type: 'JSONObject', description: 'Anything to keep with it, as a JSON object of at most 16 KiB.' }),
    idempotencyKey: t.string({
      description: 'Retrying with the same key returns the first action instead of recording another; reusing a key for a different request is a CONFLICT.',
    }),
  }),
});

const RecordActionPayload = builder
  .objectRef<{ actionId: string; replayed: boolean; effects: Reconciled }>('RecordActionPayload')
  .implement({
    description: 'The recorded action and what award rules did.',
    fields: (t) => ({
      action: record(t, 'Action', 'The action (for a replay, the one recorded the first time).', (payload) => payload.actionId),
      replayed: t.boolean({
        description: 'True when the idempotency key was used before and nothing was recorded.',
        resolve: (payload) => payload.replayed,
      }),
      effects: t.field({ type: AutomationEffectsRef, description: 'Awards issued by rules.', resolve: (payload) => payload.effects }),
    }),
  });

const AwardForActionInput = builder.inputType('AwardForActionInput', {
  description: 'A template to award for one recorded action.',
  fields: (t) => ({
    templateId: t.id({ required: true, description: 'An ACTIVE template whose action rule is of the action’s type.' }),
    actionId: t.id({ required: true, description: 'The action.' }),
  }),
});

const AwardForActionOutcomeEnum = builder.enumType('AwardForActionOutcome', {
  description: 'What awardForAction did.',
  values: {
    ISSUED: { description: 'A new award was issued for the action.' },
    ALREADY_HELD: { description: 'Nothing was issued: the template is ONCE and the earner already holds it.' },
    ALREADY_AWARDED: { description: 'Nothing was issued: this action has already been awarded (REPEATABLE template).' },
  },
});

const AwardForActionPayload = builder
  .objectRef<{ outcome: 'ISSUED' | 'ALREADY_HELD' | 'ALREADY_AWARDED'; awardId: string }>('AwardForActionPayload')
  .implement({
    description: 'What awarding for an action did.',
    fields: (t) => ({
      outcome: t.field({ type: AwardForActionOutcomeEnum, description: 'What happened.', resolve: (payload) => payload.outcome }),
      award: record(t, 'Award', 'The new award, or the one already held or already given for the action.', (payload) => payload.awardId),
    }),
  });

builder.mutationFields((t) => ({
  recordAction: t.field({
    type: RecordActionPayload,
    description: 'Records an action an earner performed, and applies the action rules of its type in the same transaction. Needs `activity:write`.',
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: RecordActionInput, required: true, description: 'The action.' }) },
    resolve: async (_root, { input }, context) => {
      const [row] = decodeEarnerRefs([input], () => 'earnerId');
      const result = await recordAction(context.deps, context.auth.current, row!);
      return { actionId: result.action.id, replayed: result.replayed, effects: result.reconciled };
    },
  }),
  awardForAction: t.field({
    type: AwardForActionPayload,
    description:
      'Awards a template for one recorded action. ONCE template already held: a no-op that says so. REPEATABLE: one award per action, never two for the same action however often retried or raced. Needs `awards:issue`.',
    authScopes: { permission: 'awards:issue' },
    args: { input: t.arg({ type: AwardForActionInput, required: true, description: 'The template and the action.' }) },
    resolve: (_root, { input }, context) => {
      const actor = context.auth.current;
      return awardForAction(
        context.deps,
        { organizationId: actor.organizationId, apiKeyId: actor.apiKeyId },
        decodeId('BadgeTemplate', input.templateId, 'templateId'),
        decodeId('Action', input.actionId, 'actionId'),
      );
    },
  }),
}));
