import { builder } from '../../../graphql/builder.js';
import type { Context } from '../../../graphql/context.js';
import { decodeOwnedId } from '../../../graphql/ids.js';
import type { AwardChange, AwardEvent, Committed } from '../../../events/events.js';
import { eventStream } from '../../../events/stream.js';

const CHANGES = ['ISSUED', 'ACCEPTED', 'REJECTED', 'REVOKED', 'RESTORED', 'EXPIRED', 'UPDATED', 'DELETED'] as const satisfies readonly AwardChange[];

const AwardChangeEnum = builder.enumType('AwardChange', {
  description: 'What happened to an award.',
  values: {
    ISSUED: { description: 'It was issued.' },
    ACCEPTED: { description: 'The earner accepted it.' },
    REJECTED: { description: 'The earner declined it.' },
    REVOKED: { description: 'It was revoked (also when replaced by a new award).' },
    RESTORED: { description: 'Its revocation was undone.' },
    EXPIRED: { description: 'Its expiry was recorded.' },
    UPDATED: { description: 'Its notes, details, activity or expiry changed.' },
    DELETED: { description: 'It was deleted for good; `award` is null.' },
  } satisfies Record<(typeof CHANGES)[number], { description: string }>,
});

const AwardEventRef = builder.objectRef<Committed<AwardEvent>>('AwardEvent').implement({
  description: 'A committed change to one award.',
  fields: (t) => ({
    change: t.field({ type: AwardChangeEnum, description: 'What happened.', resolve: (event) => event.change }),
    at: t.field({ type: 'DateTime', description: 'When the change happened.', resolve: (event) => new Date(event.at) }),
    committedAt: t.field({
      type: 'DateTime',
      description: 'When the change was committed and announced (a few ms after `at`).',
      resolve: (event) => new Date(event.committedAt),
    }),
    awardId: t.globalID({
      description: 'The award’s id (still given after a deletion).',
      resolve: (event) => ({ type: 'Award', id: event.awardId }),
    }),
    award: t.prismaField({
      type: 'Award',
      nullable: true,
      description: 'The award as it is when the event is delivered, with any nested fields; null once deleted.',
      resolve: (query, event, _args, context) =>
        context.deps.reader.award.findFirst({ ...query, where: { id: event.awardId, organizationId: event.organizationId } }),
    }),
  }),
});

interface AwardsIssuedBatch {
  organizationId: string;
  awardIds: string[];
  at: string;
  committedAt: string;
}

const AwardsIssuedRef = builder.objectRef<AwardsIssuedBatch>('AwardsIssuedEvent').implement({
  description: 'The awards issued by one committed change: up to 1,000 for issueAwards; one or more for issueAward (concurrent calls of one key are committed together).',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', description: 'When they were issued.', resolve: (batch) => new Date(batch.at) }),
    committedAt: t.field({
      type: 'DateTime',
      description: 'When the change was committed and announced.',
      resolve: (batch) => new Date(batch.committedAt),
    }),
    count: t.int({ description: 'How many awards the batch holds.', resolve: (batch) => batch.awardIds.length }),
    awards: t.prismaField({
      type: ['Award'],
      description: 'The awards, in the order they were issued (one query for the whole batch).',
      resolve: async (query, batch, _args, context) => {
        const awards = await context.deps.reader.award.findMany({
          ...query,
          where: { id: { in: batch.awardIds }, organizationId: batch.organizationId },
        });
        const position = new Map(batch.awardIds.map((id, index) => [id, index]));
        return awards.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
      },
    }),
  }),
});

const AwardEventFilter = builder.inputType('AwardEventFilter', {
  description: 'Narrows award events; conditions combine with AND.',
  fields: (t) => ({
    templateId: t.id({ description: 'Only awards of this template.' }),
    earnerId: t.id({ description: 'Only awards of this earner.' }),
  }),
});

type Filter = typeof AwardEventFilter.$inferInput | null | undefined;

/** The award events of the subscriber's organization that pass the filter. */
async function matcher(context: Context, filter: Filter, changes: readonly AwardChange[]) {
  const { organizationId } = context.auth.current;
  const templateId = await decodeOwnedId(context, 'BadgeTemplate', filter?.templateId, 'filter.templateId');
  const earnerId = await decodeOwnedId(context, 'Earner', filter?.earnerId, 'filter.earnerId');
  return (event: Committed): event is Committed<AwardEvent> =>
    event.kind === 'award' &&
    event.organizationId === organizationId &&
    changes.includes(event.change) &&
    (!templateId || event.templateId === templateId) &&
    (!earnerId || event.earnerId === earnerId);
}

async function awardEvents(context: Context, filter: Filter, changes: readonly AwardChange[]) {
  const matches = await matcher(context, filter, changes);
  return eventStream(context.deps.events, (batch) => batch.filter(matches));
}

builder.subscriptionFields((t) => ({
  awardIssued: t.field({
    type: AwardEventRef,
    description: 'Each award issued, one event per award (a bulk issue sends one per award: see awardsIssued). Needs `read`.',
    authScopes: { permission: 'read' },
    args: { filter: t.arg({ type: AwardEventFilter, description: 'Only these awards.' }) },
    subscribe: (_root, { filter }, context) => awardEvents(context, filter, ['ISSUED']),
    resolve: (event) => event,
  }),
  awardsIssued: t.field({
    type: AwardsIssuedRef,
    description: 'Awards issued, one event per committed change however many awards it issued. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { filter: t.arg({ type: AwardEventFilter, description: 'Only these awards.' }) },
    subscribe: async (_root, { filter }, context) => {
      const matches = await matcher(context, filter, ['ISSUED']);
      return eventStream(context.deps.events, (batch) => {
        const issued = batch.filter(matches);
        return issued.length
          ? [
              {
                organizationId: issued[0]!.organizationId,
                awardIds: issued.map((event) => event.awardId),
                at: issued[0]!.at,
                committedAt: issued[0]!.committedAt,
              },
            ]
          : [];
      });
    },
    resolve: (batch) => batch,
  }),
  awardRevoked: t.field({
    type: AwardEventRef,
    description: 'Each award revoked. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { filter: t.arg({ type: AwardEventFilter, description: 'Only these awards.' }) },
    subscribe: (_root, { filter }, context) => awardEvents(context, filter, ['REVOKED']),
    resolve: (event) => event,
  }),
  awardChanged: t.field({
    type: AwardEventRef,
    description:
      'Every change to an existing award: accepted, rejected, revoked, restored, expired, updated or deleted. Needs `read`.',
    authScopes: { permission: 'read' },
    args: {
      filter: t.arg({ type: AwardEventFilter, description: 'Only these awards.' }),
      changes: t.arg({ type: [AwardChangeEnum], description: 'Only these kinds of change (all but ISSUED when omitted).' }),
    },
    subscribe: (_root, { filter, changes }, context) =>
      awardEvents(context, filter, changes?.length ? changes : CHANGES.filter((change) => change !== 'ISSUED')),
    resolve: (event) => event,
  }),
}));
