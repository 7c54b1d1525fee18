// Award rules: how a template awards by itself, set and removed by mutations, and what an
// automated award says about the rule and slot that made it.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../../graphql/builder.js';
import { decodeId } from '../../../graphql/ids.js';
import { record } from '../../../graphql/nodes.js';
import { pageSize } from '../../../graphql/pagination.js';
import { MAX_POINTS_LEVELS, productIdsOf, removeAwardRule, setAwardRule } from '../rules.js';
import { AwardRuleKindEnum } from './enums.js';
import { AutomationJobConnection, AutomationJobRef } from './jobs.js';

const PointsRuleRef = builder.objectRef<{ pointsCategory: string | null; pointsThreshold: number | null }>('PointsRule').implement({
  description:
    `Awards when an earner’s balance in a category reaches the threshold and revokes when it falls below. On a REPEATABLE template, one award per multiple of the threshold (up to ${MAX_POINTS_LEVELS}).`,
  fields: (t) => ({
    category: t.string({ description: 'The points category.', resolve: (rule) => rule.pointsCategory! }),
    threshold: t.int({ description: 'The balance that earns the badge.', resolve: (rule) => rule.pointsThreshold! }),
  }),
});

const MembershipRuleRef = builder.objectRef<{ productIds: unknown }>('MembershipRule').implement({
  description:
    'Awards while the earner has an active membership of any listed product and revokes when it ends. On a REPEATABLE template, one award per membership.',
  fields: (t) => ({
    productIds: t.stringList({ description: 'The products; a membership of any of them qualifies.', resolve: (rule) => productIdsOf(rule.productIds) }),
  }),
});

const ActionRuleRef = builder.objectRef<{ actionType: string | null; actionMinCount: number | null; actionWindowDays: number | null }>('ActionRule').implement({
  description:
    'Awards when the earner has performed the action minCount times (within windowDays when set). On a REPEATABLE template, one award for every minCount actions. Actions cannot be undone, so this rule never revokes.',
  fields: (t) => ({
    type: t.string({ description: 'The action type, e.g. `answer.accepted`.', resolve: (rule) => rule.actionType! }),
    minCount: t.int({ description: 'How many actions earn the badge.', resolve: (rule) => rule.actionMinCount ?? 1 }),
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
      resolve: (row) => (row.kind === 'POINTS' ? row : null),
    }),
    membership: t.field({
      type: MembershipRuleRef,
      nullable: true,
      description: 'The qualifying products, for a MEMBERSHIP rule.',
      select: { kind: true, productIds: true },
      resolve: (row) => (row.kind === 'MEMBERSHIP' ? row : null),
    }),
    action: t.field({
      type: ActionRuleRef,
      nullable: true,
      description: 'The action and how often, for an ACTION rule.',
      select: { kind: true, actionType: true, actionMinCount: true, actionWindowDays: true },
      resolve: (row) => (row.kind === 'ACTION' ? row : null),
    }),
    revision: t.exposeInt('revision', { description: 'Increases with every change to the rule.' }),
    template: t.relation('template', { description: 'The template the rule awards.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the rule was first set.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the rule last changed.' }),
  }),
});

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
    badgeTemplate: record(t, 'BadgeTemplate', 'The template, with its rule.', (payload) => payload.templateId),
    job: t.field({
      type: AutomationJobRef,
      nullable: true,
      description: 'The backfill queued for the rule, as it is when the answer is read (a worker may already be running it); null when the template is not ACTIVE (activating it queues one).',
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
    badgeTemplate: record(t, 'BadgeTemplate', 'The template.', (payload) => payload.templateId),
  }),
});

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
}));

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
