// Backfill jobs: their progress, queryable and pushed live.
import type { Prisma } from '../../../db/client.js';
import type { AutomationJobEvent, Committed } from '../../../events/events.js';
import { eventStream } from '../../../events/stream.js';
import { builder } from '../../../graphql/builder.js';
import { decodeId, decodeOwnedId } from '../../../graphql/ids.js';
import { tenantNode, record } from '../../../graphql/nodes.js';
import { connectionType, pageSize } from '../../../graphql/pagination.js';
import { AutomationJobStatusEnum } from './enums.js';

export const AutomationJobRef = builder.prismaNode('AutomationJob', {
  description:
    'A backfill: a new or changed award rule (or a template with a rule becoming active) applied to every earner of the organization, in batches.',
  ...tenantNode,
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

export const AutomationJobConnection = connectionType(AutomationJobRef, 'AutomationJob', 'automation jobs');

const AutomationJobFilterInput = builder.inputType('AutomationJobFilter', {
  description: 'Narrows the automation jobs list; conditions combine with AND.',
  fields: (t) => ({
    templateId: t.id({ description: 'Jobs of this template.' }),
    statuses: t.field({ type: [AutomationJobStatusEnum], description: 'Any of these statuses.' }),
  }),
});

function jobWhere(organizationId: string, filter: typeof AutomationJobFilterInput.$inferInput | null | undefined) {
  return {
    organizationId,
    ...(filter?.templateId ? { templateId: decodeId('BadgeTemplate', filter.templateId, 'filter.templateId') } : {}),
    ...(filter?.statuses?.length ? { status: { in: filter.statuses } } : {}),
  } satisfies Prisma.AutomationJobWhereInput;
}

builder.queryFields((t) => ({
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

const AutomationJobEventRef = builder.objectRef<Committed<AutomationJobEvent>>('AutomationJobEvent').implement({
  description: 'Progress of a backfill: sent when it is queued, starts, finishes each batch, and ends.',
  fields: (t) => ({
    status: t.field({ type: AutomationJobStatusEnum, description: 'The job’s status at the event.', resolve: (event) => event.status }),
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (event) => new Date(event.at) }),
    committedAt: t.field({ type: 'DateTime', description: 'When it was committed and announced.', resolve: (event) => new Date(event.committedAt) }),
    job: record(t, 'AutomationJob', 'The job as it is when the event is delivered.', (event) => event.jobId),
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
