import { builder } from '../../graphql/builder.js';
import { record } from '../../graphql/nodes.js';
import { decodeOwnedId } from '../../graphql/ids.js';
import type { Committed, TemplateEvent } from '../../events/events.js';
import { eventStream } from '../../events/stream.js';

const BadgeTemplateChangeEnum = builder.enumType('BadgeTemplateChange', {
  description: 'What happened to a badge template.',
  values: {
    CREATED: { description: 'It was created.' },
    UPDATED: { description: 'It was changed (possibly creating a new version).' },
    ACTIVATED: { description: 'It became ACTIVE.' },
    ARCHIVED: { description: 'It was archived.' },
  } satisfies Record<TemplateEvent['change'], { description: string }>,
});

const BadgeTemplateEventRef = builder.objectRef<Committed<TemplateEvent>>('BadgeTemplateEvent').implement({
  description: 'A committed change to one badge template.',
  fields: (t) => ({
    change: t.field({ type: BadgeTemplateChangeEnum, description: 'What happened.', resolve: (event) => event.change }),
    at: t.field({ type: 'DateTime', description: 'When it happened.', resolve: (event) => new Date(event.at) }),
    committedAt: t.field({
      type: 'DateTime',
      description: 'When the change was committed and announced.',
      resolve: (event) => new Date(event.committedAt),
    }),
    version: t.int({ description: 'The template’s version after the change.', resolve: (event) => event.version }),
    badgeTemplate: record(t, 'BadgeTemplate', 'The template as it is when the event is delivered.', (event) => event.templateId),
  }),
});

builder.subscriptionField('badgeTemplateChanged', (t) =>
  t.field({
    type: BadgeTemplateEventRef,
    description: 'Every change to the organization’s badge templates. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { templateId: t.arg.id({ description: 'Only this template.' }) },
    subscribe: async (_root, args, context) => {
      const { organizationId } = context.auth.current;
      const templateId = await decodeOwnedId(context, 'BadgeTemplate', args.templateId, 'templateId');
      return eventStream(context.deps.events, (batch) =>
        batch.filter(
          (event): event is Committed<TemplateEvent> =>
            event.kind === 'template' &&
            event.organizationId === organizationId &&
            (!templateId || event.templateId === templateId),
        ),
      );
    },
    resolve: (event) => event,
  }),
);
