import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.js';
import { validUntil, type Context } from '../../graphql/context.js';
import { decodeId, decodeOptionalId, decodeOwnedId } from '../../graphql/ids.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import type { AutomationJobEvent, Committed } from '../../events/events.js';
import { eventStream } from '../../events/stream.js';
import type { Prisma } from '../../generated/prisma-sqlite/client.js';
import { ValidationError, type FieldIssue } from '../../shared/errors.js';
import { RecipientInput } from '../awards/schema/index.js';
import {
  addPoints,
  awardForAction,
  DEFAULT_CATEGORY,
  endMembership,
  MAX_POINTS_BATCH,
  membershipStatus,
  recordAction,
  startMembership,
  type AddPointsInput,
  type PointsResult,
} from './activity.js';
import type { Reconciled } from './reconcile.js';
import { MAX_POINTS_LEVELS, removeAwardRule, setAwardRule, toRule, type Rule } from './rules.js';

// ---------------------------------------------------------------------------------------------
// Rules

const AwardRuleKindEnum = builder.enumType('AwardRuleKind', {
  description: 'What an award rule watches.',
  values: {
    POINTS: { description: 'An earner’s points balance in one category.' },
    MEMBERSHIP: { description: 'An earner’s active memberships of products.' },
    ACTION: { description: 'The actions an earner performed.' },
  },
});

const PointsRuleRef = builder.objectRef<Rule>('PointsRule').implement({
  description:
    `Awards when an earner’s balance in a category reaches the threshold and revokes when it falls below. On a REPEATABLE template, one award per multiple of the threshold (up to ${MAX_POINTS_LEVELS}).`,
  fields: (t) => ({
    category: t.string({ description: 'The points category.', resolve: (rule) => rule.pointsCategory! }),
    threshold: t.int({ description: 'The balance that earns the badge.', resolve: (rule) => rule.pointsThreshold! }),
  }),
});

const MembershipRuleRef = builder.objectRef<Rule>('MembershipRule').implement({
  description:
    'Awards while the earner has an active membership of any listed product and revokes when it ends. On a REPEATABLE template, one award per membership.',
  fields: (t) => ({
    productIds: t.stringList({ description: 'The products; a membership of any of them qualifies.', resolve: (rule) => rule.productIds }),
  }),
});

const ActionRuleRef = builder.objectRef<Rule>('ActionRule').implement({
  description:
    'Awards when the earner has performed the action minCount times (within windowDays when set). On a REPEATABLE template, one award for every minCount actions. Actions cannot be undone, so this rule never revokes.',
  fields: (t) => ({
    type: t.string({ description: 'The action type, e.g. `answer.accepted`.', resolve: (rule) => rule.actionType! }),
    minCount: t.int({ description: 'How many actions earn the badge.', resolve: (rule) => rule.actionMinCount }),
    windowDays: t.int({
      nullable: true,
      description: 'Only actions of the last this many days count (ONCE templates only); null: all of them.',
      resolve: (rule) => rule.actionWindowDays,
    }),
  }),
});

builder.prismaObject('AwardRule', {
  description: 'How a template awards by itself. A template has at most one rule, of exactly one kind.',
  fields: (t) => ({
    kind: t.expose('kind', { type: AwardRuleKindEnum, description: 'Which of points, membership and action is set.' }),
    points: t.field({
      type: PointsRuleRef,
      nullable: true,
      description: 'The points threshold, for a POINTS rule.',
      select: { kind: true, pointsCategory: true, pointsThreshold: true },
      resolve: (row) => (row.kind === 'POINTS' ? toRule(row as never) : null),
    }),
    membership: t.field({
      type: MembershipRuleRef,
      nullable: true,
      description: 'The qualifying products, for a MEMBERSHIP rule.',
      select: { kind: true, productIds: true },
      resolve: (row) => (row.kind === 'MEMBERSHIP' ? toRule(row as never) : null),
    }),
    action: t.field({
      type: ActionRuleRef,
      nullable: true,
      description: 'The action and how often, for an ACTION rule.',
      select: { kind: true, actionType: true, actionMinCount: true, actionWindowDays: true },
      resolve: (row) => (row.kind === 'ACTION' ? toRule(row as never) : null),
    }),
    revision: t.exposeInt('revision', { description: 'Increases with every change to the rule.' }),
    template: t.relation('template', { description: 'The template the rule awards.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the rule was first set.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the rule last changed.' }),
  }),
});

const AutomationJobStatusEnum = builder.enumType('AutomationJobStatus', {
  description: 'Where a backfill job is.',
  values: {
    QUEUED: { description: 'Waiting for a server to run it (within seconds).' },
    RUNNING: { description: 'Applying the rule, a batch of earners at a time.' },
    COMPLETED: { description: 'Every earner was reconciled with the rule.' },
    FAILED: { description: 'Stopped by an error (see `error`); batches already done stay done. Setting the rule again retries.' },
    SUPERSEDED: { description: 'Stopped because the rule changed, was removed, or its template was archived; a newer job (if any) does the work.' },
  },
});

export const AutomationJobRef = builder.prismaNode('AutomationJob', {
  description:
    'A backfill: a new or changed award rule (or a template with a rule becoming active) applied to every earner of the organization, in batches.',
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  findUnique: (id, context) => ({ id, organizationId: context.auth.current.organizationId }),
  fields: (t) => ({
    template: t.relation('template', { description: 'The template whose rule is applied.' }),
    ruleRevision: t.exposeInt('ruleRevision', { description: 'The revision of the rule the job applies.' }),
    status: t.expose('status', { type: AutomationJobStatusEnum, description: 'Where the job is.' }),
    totalEarners: t.exposeInt('totalEarners', { description: 'Earners of the organization when the job started (0 until it starts).' }),
    processed: t.exposeInt('processed', { description: 'Earners reconciled so far.' }),
    progress: t.float({
      description: 'processed / totalEarners, from 0 to 1 (1 once COMPLETED).',
      select: { status: true, processed: true, totalEarners: true },
      resolve: (job) =>
        job.status === 'COMPLETED' ? 1 : job.totalEarners === 0 ? 0 : Math.min(1, job.processed / job.totalEarners),
    }),
    awarded: t.exposeInt('awarded', { description: 'Awards the job issued.' }),
    restored: t.exposeInt('restored', { description: 'Awards the job restored (revoked earlier by automation, earned again).' }),
    revoked: t.exposeInt('revoked', { description: 'Awards the job revoked (no longer earned under the rule).' }),
    error: t.exposeString('error', { nullable: true, description: 'Why a FAILED job stopped.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was queued.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'When a server started it.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it completed, failed or was superseded.' }),
  }),
});

const AutomationJobConnection = connectionType(AutomationJobRef, 'AutomationJob', 'automation jobs');

builder.prismaObjectFields('BadgeTemplate', (t) => ({
  rule: t.relation('rule', { nullable: true, description: 'How the template awards by itself; null when only people issue it.' }),
  automationJobs: t.relatedConnection(
    'jobs',
    {
      description: 'Backfills of the template’s rule, newest first.',
      cursor: 'id',
      query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
      totalCount: true,
      ...pageSize,
    },
    AutomationJobConnection,
  ),
}));

// ---------------------------------------------------------------------------------------------
// Points, memberships, actions

export const PointsEntryRef = builder.prismaNode('PointsEntry', {
  description: 'One change to an earner’s points in one category.',
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  findUnique: (id, context) => ({ id, organizationId: context.auth.current.organizationId }),
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

const MembershipStatusEnum = builder.enumType('MembershipStatus', {
  description: 'Whether a membership is running.',
  values: {
    ACTIVE: { description: 'Running: started, and neither ended nor past its end date.' },
    ENDED: { description: 'Cancelled, removed, or past its end date.' },
  },
});

const MembershipEndReasonEnum = builder.enumType('MembershipEndReason', {
  description: 'Why a membership ended.',
  values: {
    CANCELLED: { description: 'The earner cancelled it.' },
    REMOVED: { description: 'The organization removed the earner.' },
    EXPIRED: { description: 'It reached its end date.' },
  },
});

const EndMembershipReasonEnum = builder.enumType('EndMembershipReason', {
  description: 'Why a membership is being ended now.',
  values: {
    CANCELLED: { description: 'The earner cancelled it.' },
    REMOVED: { description: 'The organization removed the earner.' },
  },
});

export const MembershipRef = builder.prismaNode('Membership', {
  description: 'An earner’s membership of one of the organization’s products (a subscription, a course, a club).',
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  findUnique: (id, context) => ({ id, organizationId: context.auth.current.organizationId }),
  fields: (t) => ({
    earner: t.relation('earner', { description: 'The member.' }),
    productId: t.exposeString('productId', { description: 'The product, in the integrator’s own ids.' }),
    status: t.field({
      type: MembershipStatusEnum,
      description: 'ACTIVE or ENDED; a membership past its end date reads ENDED at once.',
      select: { status: true, endsAt: true },
      resolve: (membership, _args, context) => {
        const status = membershipStatus(membership, context.deps.clock.now());
        if (status === 'ACTIVE' && membership.endsAt) validUntil(context, membership.endsAt);
        return status;
      },
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'When it ends by itself; null: until ended.' }),
    endedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it ended.',
      select: { status: true, endsAt: true, endedAt: true },
      resolve: (membership, _args, context) =>
        membership.endedAt ?? (membershipStatus(membership, context.deps.clock.now()) === 'ENDED' ? membership.endsAt : null),
    }),
    endReason: t.field({
      type: MembershipEndReasonEnum,
      nullable: true,
      description: 'Why it ended.',
      select: { status: true, endsAt: true, endReason: true },
      resolve: (membership, _args, context) =>
        membership.endReason ?? (membershipStatus(membership, context.deps.clock.now()) === 'ENDED' ? 'EXPIRED' : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

const MembershipConnection = connectionType(MembershipRef, 'Membership', 'memberships');

export const ActionRef = builder.prismaNode('Action', {
  description: 'Something an earner did, as the integrator reported it (an answer accepted, an applause received).',
  id: { field: 'id' },
  nullable: true,
  select: { id: true },
  findUnique: (id, context) => ({ id, organizationId: context.auth.current.organizationId }),
  fields: (t) => ({
    earner: t.relation('earner', { description: 'Who did it.' }),
    type: t.exposeString('type', { description: 'What kind of action, e.g. `answer.accepted`.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened, as reported.' }),
    metadata: t.expose('metadata', { type: 'JSONObject', nullable: true, description: 'What the integrator attached.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The key it was recorded with.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

const ActionConnection = connectionType(ActionRef, 'Action', 'actions');

function membershipStatusWhere(status: 'ACTIVE' | 'ENDED' | null | undefined, now: Date): Prisma.MembershipWhereInput {
  if (status === 'ACTIVE') return { status: 'ACTIVE', OR: [{ endsAt: null }, { endsAt: { gt: now } }] };
  if (status === 'ENDED') return { OR: [{ status: 'ENDED' }, { endsAt: { lte: now } }] };
  return {};
}

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
  memberships: t.relation('memberships', {
    description: 'The earner’s memberships, newest first.',
    args: { status: t.arg({ type: MembershipStatusEnum, description: 'Only memberships with this status.' }) },
    query: (args, context) => ({
      where: membershipStatusWhere(args.status, context.deps.clock.now()),
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    }),
  }),
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

// ---------------------------------------------------------------------------------------------
// Queries

const MembershipFilterInput = builder.inputType('MembershipFilter', {
  description: 'Narrows the memberships list; conditions combine with AND.',
  fields: (t) => ({
    productId: t.string({ description: 'Of this product.' }),
    earnerId: t.id({ description: 'Of this earner.' }),
    status: t.field({ type: MembershipStatusEnum, description: 'With this status.' }),
  }),
});

const ActionFilterInput = builder.inputType('ActionFilter', {
  description: 'Narrows the actions list; conditions combine with AND.',
  fields: (t) => ({
    type: t.string({ description: 'Of this type.' }),
    earnerId: t.id({ description: 'By this earner.' }),
    occurredAfter: t.field({ type: 'DateTime', description: 'Happened at or after this instant.' }),
    occurredBefore: t.field({ type: 'DateTime', description: 'Happened before this instant.' }),
  }),
});

const AutomationJobFilterInput = builder.inputType('AutomationJobFilter', {
  description: 'Narrows the automation jobs list; conditions combine with AND.',
  fields: (t) => ({
    templateId: t.id({ description: 'Jobs of this template.' }),
    statuses: t.field({ type: [AutomationJobStatusEnum], description: 'Any of these statuses.' }),
  }),
});

function membershipWhere(organizationId: string, filter: typeof MembershipFilterInput.$inferInput | null | undefined, now: Date) {
  return {
    organizationId,
    ...(filter?.productId ? { productId: filter.productId } : {}),
    ...(filter?.earnerId ? { earnerId: decodeId('Earner', filter.earnerId, 'filter.earnerId') } : {}),
    ...membershipStatusWhere(filter?.status, now),
  } satisfies Prisma.MembershipWhereInput;
}

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

function jobWhere(organizationId: string, filter: typeof AutomationJobFilterInput.$inferInput | null | undefined) {
  return {
    organizationId,
    ...(filter?.templateId ? { templateId: decodeId('BadgeTemplate', filter.templateId, 'filter.templateId') } : {}),
    ...(filter?.statuses?.length ? { status: { in: filter.statuses } } : {}),
  } satisfies Prisma.AutomationJobWhereInput;
}

builder.queryFields((t) => ({
  memberships: t.prismaConnection(
    {
      type: 'Membership',
      cursor: 'id',
      description: 'The organization’s memberships, newest first.',
      authScopes: { permission: 'read' },
      args: { filter: t.arg({ type: MembershipFilterInput, description: 'Conditions the memberships must meet.' }) },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.membership.count({ where: membershipWhere(context.auth.current.organizationId, filter, context.deps.clock.now()) }),
      resolve: (query, _parent, { filter }, context) =>
        context.deps.reader.membership.findMany({
          ...query,
          where: membershipWhere(context.auth.current.organizationId, filter, context.deps.clock.now()),
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        }),
    },
    MembershipConnection,
  ),
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
  automationJobs: t.prismaConnection(
    {
      type: 'AutomationJob',
      cursor: 'id',
      description: 'Backfills of the organization’s award rules, newest first.',
      authScopes: { permission: 'read' },
      args: { filter: t.arg({ type: AutomationJobFilterInput, description: 'Conditions the jobs must meet.' }) },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.automationJob.count({ where: jobWhere(context.auth.current.organizationId, filter) }),
      resolve: (query, _parent, { filter }, context) =>
        context.deps.reader.automationJob.findMany({
          ...query,
          where: jobWhere(context.auth.current.organizationId, filter),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    AutomationJobConnection,
  ),
}));

// ---------------------------------------------------------------------------------------------
// Mutations

/** How many awards of each kind AutomationEffects lists; the counts are always complete. */
const EFFECTS_LISTED = 1000;

/** Awards by id in the given order, a few hundred per query (databases cap a query's parameters). */
async function awardsById<Query extends object>(context: Context, query: Query, ids: readonly string[]) {
  const listed = ids.slice(0, EFFECTS_LISTED);
  if (listed.length === 0) {
    // Nothing to read (Prisma would still send the award query and one per included relation).
    // Reading the planned query marks it used for Pothos' unused-query check (tests, development).
    void { ...query };
    return [];
  }
  const chunks: Array<Promise<Array<{ id: string }>>> = [];
  for (let start = 0; start < listed.length; start += 500) {
    chunks.push(context.deps.reader.award.findMany({ ...query, where: { id: { in: listed.slice(start, start + 500) } } }) as Promise<Array<{ id: string }>>);
  }
  const byId = new Map((await Promise.all(chunks)).flat().map((award) => [award.id, award]));
  return listed.flatMap((id) => byId.get(id) ?? []);
}

const AutomationEffectsRef = builder.objectRef<Reconciled>('AutomationEffects').implement({
  description: 'What award rules did in the same transaction as a change: already visible to any query that follows.',
  fields: (t) => ({
    issued: t.prismaField({
      type: ['Award'],
      description: `Awards issued (the first ${EFFECTS_LISTED}; see issuedCount).`,
      resolve: (query, effects, _args, context) => awardsById(context, query, effects.issued) as never,
    }),
    restored: t.prismaField({
      type: ['Award'],
      description: `Awards restored: automation had revoked them, and they are earned again (the first ${EFFECTS_LISTED}).`,
      resolve: (query, effects, _args, context) => awardsById(context, query, effects.restored) as never,
    }),
    revoked: t.prismaField({
      type: ['Award'],
      description: `Awards revoked because they are no longer earned; \`revokedReason\` says why (the first ${EFFECTS_LISTED}).`,
      resolve: (query, effects, _args, context) => awardsById(context, query, effects.revoked) as never,
    }),
    issuedCount: t.int({ description: 'How many awards were issued.', resolve: (effects) => effects.issued.length }),
    restoredCount: t.int({ description: 'How many awards were restored.', resolve: (effects) => effects.restored.length }),
    revokedCount: t.int({ description: 'How many awards were revoked.', resolve: (effects) => effects.revoked.length }),
  }),
});

const PointsRuleInput = builder.inputType('PointsRuleInput', {
  description: 'Award at a points balance.',
  fields: (t) => ({
    category: t.string({ required: true, description: 'The points category (1 to 64 of A-Z a-z 0-9 _ . : -).' }),
    threshold: t.int({ required: true, description: 'The balance that earns the badge (at least 1).' }),
  }),
});

const MembershipRuleInput = builder.inputType('MembershipRuleInput', {
  description: 'Award while a membership of a product is active.',
  fields: (t) => ({
    productIds: t.stringList({ required: true, description: 'The products (1 to 100); any of them qualifies.' }),
  }),
});

const ActionRuleInput = builder.inputType('ActionRuleInput', {
  description: 'Award for performing an action.',
  fields: (t) => ({
    type: t.string({ required: true, description: 'The action type (1 to 100 of A-Z a-z 0-9 _ . : -).' }),
    minCount: t.int({ description: 'How many actions earn the badge (default 1).' }),
    windowDays: t.int({ description: 'Only actions of the last N days count (ONCE templates only).' }),
  }),
});

const SetAwardRuleInput = builder.inputType('SetAwardRuleInput', {
  description: 'A template’s award rule: exactly one of points, membership and action.',
  fields: (t) => ({
    templateId: t.id({ required: true, description: 'The template.' }),
    points: t.field({ type: PointsRuleInput, description: 'Award at a points balance.' }),
    membership: t.field({ type: MembershipRuleInput, description: 'Award during a membership.' }),
    action: t.field({ type: ActionRuleInput, description: 'Award for actions.' }),
  }),
});

const SetAwardRulePayload = builder.objectRef<{ templateId: string; jobId: string | null }>('SetAwardRulePayload').implement({
  description: 'The rule as set, and the job applying it to existing earners.',
  fields: (t) => ({
    badgeTemplate: t.prismaField({
      type: 'BadgeTemplate',
      description: 'The template, with its rule.',
      resolve: (query, payload, _args, context) =>
        context.deps.reader.badgeTemplate.findUniqueOrThrow({ ...query, where: { id: payload.templateId } }),
    }),
    job: t.field({
      type: AutomationJobRef,
      nullable: true,
      description: 'The backfill queued for the rule; null when the template is not ACTIVE (activating it queues one).',
      // The node's fields are loaded by id, in one query, when selected.
      resolve: (payload) => (payload.jobId ? { id: payload.jobId } : null),
    }),
  }),
});

const TemplateIdInput = builder.inputType('RemoveAwardRuleInput', {
  description: 'The template whose rule to remove.',
  fields: (t) => ({ templateId: t.id({ required: true, description: 'The template.' }) }),
});

const RemoveAwardRulePayload = builder.objectRef<{ templateId: string }>('RemoveAwardRulePayload').implement({
  description: 'The template, without a rule.',
  fields: (t) => ({
    badgeTemplate: t.prismaField({
      type: 'BadgeTemplate',
      description: 'The template.',
      resolve: (query, payload, _args, context) =>
        context.deps.reader.badgeTemplate.findUniqueOrThrow({ ...query, where: { id: payload.templateId } }),
    }),
  }),
});

const earnerRefFields = {
  earnerId: 'An existing earner. Give exactly one of earnerId and earner.',
  earner: 'The earner by email or externalId, created when unknown. Give exactly one of earnerId and earner.',
};

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
    entry: t.prismaField({
      type: 'PointsEntry',
      description: 'The entry (for a replay, the one recorded the first time).',
      resolve: (query, result, _args, context) =>
        context.deps.reader.pointsEntry.findUniqueOrThrow({ ...query, where: { id: result.entryId } }),
    }),
    balance: t.int({ description: 'The category’s balance after this request.', resolve: (result) => result.balance }),
    replayed: t.boolean({ description: 'True when the idempotency key was used before and nothing was added.', resolve: (result) => result.replayed }),
  }),
});

const AddPointsPayload = builder
  .objectRef<{ result: PointsResult; effects: Reconciled }>('AddPointsPayload')
  .implement({
    description: 'The recorded entry and what award rules did.',
    fields: (t) => ({
      entry: t.prismaField({
        type: 'PointsEntry',
        description: 'The entry (for a replay, the one recorded the first time).',
        resolve: (query, payload, _args, context) =>
          context.deps.reader.pointsEntry.findUniqueOrThrow({ ...query, where: { id: payload.result.entryId } }),
      }),
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

const StartMembershipInput = builder.inputType('StartMembershipInput', {
  description: 'A membership to start, or to renew when the earner already has an active one of the product.',
  fields: (t) => ({
    earnerId: t.id({ description: earnerRefFields.earnerId }),
    earner: t.field({ type: RecipientInput, description: earnerRefFields.earner }),
    productId: t.string({ required: true, description: 'The product (your own id, at most 200 characters).' }),
    startedAt: t.field({ type: 'DateTime', description: 'When it started; now when omitted; not in the future.' }),
    endsAt: t.field({
      type: 'DateTime',
      description: 'When it ends by itself (in the future, after startedAt); null or omitted: until ended. Renewing replaces it.',
    }),
  }),
});

const EndMembershipInput = builder.inputType('EndMembershipInput', {
  description: 'A membership to end now.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The membership.' }),
    reason: t.field({ type: EndMembershipReasonEnum, defaultValue: 'CANCELLED', description: 'CANCELLED (default) or REMOVED.' }),
  }),
});

const MembershipPayload = builder
  .objectRef<{ membershipId: string; renewed: boolean; effects: Reconciled }>('MembershipPayload')
  .implement({
    description: 'The membership and what award rules did.',
    fields: (t) => ({
      membership: t.prismaField({
        type: 'Membership',
        description: 'The membership, as it is now.',
        resolve: (query, payload, _args, context) =>
          context.deps.reader.membership.findUniqueOrThrow({ ...query, where: { id: payload.membershipId } }),
      }),
      renewed: t.boolean({
        description: 'For startMembership: true when an active membership was renewed rather than a new one started.',
        resolve: (payload) => payload.renewed,
      }),
      effects: t.field({ type: AutomationEffectsRef, description: 'Awards issued, restored or revoked by rules.', resolve: (payload) => payload.effects }),
    }),
  });

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
      action: t.prismaField({
        type: 'Action',
        description: 'The action (for a replay, the one recorded the first time).',
        resolve: (query, payload, _args, context) =>
          context.deps.reader.action.findUniqueOrThrow({ ...query, where: { id: payload.actionId } }),
      }),
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
      award: t.prismaField({
        type: 'Award',
        description: 'The new award, or the one already held or already given for the action.',
        resolve: (query, payload, _args, context) =>
          context.deps.reader.award.findUniqueOrThrow({ ...query, where: { id: payload.awardId } }),
      }),
    }),
  });

/** GraphQL earner references to service ones, reporting every malformed id at once. */
function decodeEarnerRefs<Row extends { earnerId?: string | null }>(rows: Row[], field: (index: number) => string): Row[] {
  const issues: FieldIssue[] = [];
  const decoded = rows.map((row, index) => {
    if (row.earnerId == null) return row;
    try {
      return { ...row, earnerId: decodeId('Earner', row.earnerId, field(index)) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
      return row;
    }
  });
  if (issues.length) throw new ValidationError(issues);
  return decoded;
}

builder.mutationFields((t) => ({
  setAwardRule: t.field({
    type: SetAwardRulePayload,
    description:
      'Sets how a template awards by itself: exactly one of points, membership and action. Changing a rule keeps its kind; to switch kinds, remove the rule first. The rule then applies to every existing earner through a backfill job. Needs `automation:write`.',
    authScopes: { permission: 'automation:write' },
    args: { input: t.arg({ type: SetAwardRuleInput, required: true, description: 'The template and its rule.' }) },
    resolve: async (_root, { input: { templateId, ...rule } }, context) => {
      const id = decodeId('BadgeTemplate', templateId, 'templateId');
      const result = await setAwardRule(context.deps, context.auth.current, id, rule);
      return { templateId: id, jobId: result.job?.id ?? null };
    },
  }),
  removeAwardRule: t.field({
    type: RemoveAwardRulePayload,
    description: 'Removes a template’s rule. Awards it made stay as they are; automation no longer changes them. Needs `automation:write`.',
    authScopes: { permission: 'automation:write' },
    args: { input: t.arg({ type: TemplateIdInput, required: true, description: 'The template.' }) },
    resolve: async (_root, { input }, context) => {
      const id = decodeId('BadgeTemplate', input.templateId, 'templateId');
      await removeAwardRule(context.deps, context.auth.current, id);
      return { templateId: id };
    },
  }),
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
  startMembership: t.field({
    type: MembershipPayload,
    description:
      'Starts an earner’s membership of a product (or renews the active one), and applies membership rules in the same transaction. Needs `activity:write`.',
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: StartMembershipInput, required: true, description: 'The membership.' }) },
    resolve: async (_root, { input }, context) => {
      const [row] = decodeEarnerRefs([input], () => 'earnerId');
      const result = await startMembership(context.deps, context.auth.current, row!);
      return { membershipId: result.membership.id, renewed: result.renewed, effects: result.reconciled };
    },
  }),
  endMembership: t.field({
    type: MembershipPayload,
    description: 'Ends an active membership now, and applies membership rules in the same transaction. Needs `activity:write`.',
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: EndMembershipInput, required: true, description: 'The membership and why it ends.' }) },
    resolve: async (_root, { input }, context) => {
      const result = await endMembership(
        context.deps,
        context.auth.current,
        decodeId('Membership', input.id, 'id'),
        input.reason ?? 'CANCELLED',
      );
      return { membershipId: result.membership.id, renewed: false, effects: result.reconciled };
    },
  }),
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

// ---------------------------------------------------------------------------------------------
// Subscriptions

const AutomationJobEventRef = builder.objectRef<Committed<AutomationJobEvent>>('AutomationJobEvent').implement({
  description: 'Progress of a backfill: sent when it is queued, starts, finishes each batch, and ends.',
  fields: (t) => ({
    status: t.field({ type: AutomationJobStatusEnum, description: 'The job’s status at the event.', resolve: (event) => event.status }),
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (event) => new Date(event.at) }),
    committedAt: t.field({ type: 'DateTime', description: 'When it was committed and announced.', resolve: (event) => new Date(event.committedAt) }),
    job: t.prismaField({
      type: 'AutomationJob',
      description: 'The job as it is when the event is delivered.',
      resolve: (query, event, _args, context) => context.deps.reader.automationJob.findUniqueOrThrow({ ...query, where: { id: event.jobId } }),
    }),
  }),
});

builder.subscriptionField('automationJobChanged', (t) =>
  t.field({
    type: AutomationJobEventRef,
    description: 'Progress of the organization’s backfill jobs. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { templateId: t.arg.id({ description: 'Only jobs of this template.' }) },
    subscribe: async (_root, args, context) => {
      const { organizationId } = context.auth.current;
      const templateId = await decodeOwnedId(context, 'BadgeTemplate', args.templateId, 'templateId');
      return eventStream(context.deps.events, (batch) =>
        batch.filter(
          (event): event is Committed<AutomationJobEvent> =>
            event.kind === 'automationJob' &&
            event.organizationId === organizationId &&
            (!templateId || event.templateId === templateId),
        ),
      );
    },
    resolve: (event) => event,
  }),
);

/** What automation made an award for: which kind of rule, and which of its slots. */
interface AwardAutomation {
  kind: 'POINTS' | 'MEMBERSHIP' | 'ACTION';
  key: string;
  level: number | null;
}

const AwardAutomationRef = builder.objectRef<AwardAutomation>('AwardAutomation').implement({
  description: 'What made an automated award: the kind of rule, and the slot it fills (each slot is awarded once, however often the rule runs).',
  fields: (t) => ({
    kind: t.field({
      type: AwardRuleKindEnum,
      description: 'POINTS, MEMBERSHIP or ACTION: the kind of rule that made it.',
      resolve: (automation) => automation.kind,
    }),
    level: t.int({
      nullable: true,
      description:
        'For points: the multiple of the threshold the award stands for (a REPEATABLE template awards level 1 at the threshold, level 2 at twice it, and so on; a ONCE template only level 1). Null for other kinds.',
      resolve: (automation) => automation.level,
    }),
    slot: t.string({
      description:
        'The slot, stable for the award’s life: `p<level>` for points, `m` (ONCE) or `m:<membership id>` (REPEATABLE) for memberships, `a` (ONCE) or `a:<action id>` (REPEATABLE) for actions; ids are global ids.',
      resolve: (automation) => {
        const slot = automation.key.split(':').slice(2);
        if (slot.length === 2 && slot[0] === 'm') return `m:${encodeGlobalID('Membership', slot[1]!)}`;
        if (slot.length === 2 && slot[0] === 'a') return `a:${encodeGlobalID('Action', slot[1]!)}`;
        return slot.join(':');
      },
    }),
  }),
});

builder.prismaObjectField('Award', 'automation', (t) =>
  t.field({
    type: AwardAutomationRef,
    nullable: true,
    description: 'For an automated award: the kind of rule and the slot it fills. Null for manual awards.',
    select: { automationKey: true, automationKind: true, automationLevel: true },
    resolve: (award) =>
      award.automationKey && award.automationKind
        ? { kind: award.automationKind, key: award.automationKey, level: award.automationLevel }
        : null,
  })
);
