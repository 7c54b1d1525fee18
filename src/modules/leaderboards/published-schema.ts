// Published leaderboards in the API: publish and unpublish (organization:write), the list (read),
// and the public `leaderboardScreen` stream a screen shows, which needs no key: the board's public
// id is the secret, and it carries names (or initials) and scores only.
import { builder } from '../../graphql/builder.js';
import { validUntil } from '../../graphql/context.js';
import { boardInput, LeaderboardInput } from './schema.js';
import { publishBoard, publishedBoards, screenUpdates, unpublishBoard, type PublishedBoard, type ScreenEntry, type ScreenState } from './published.js';

/** Where a published board's screen is served, on the organization's white-label host when it has one. */
function screenUrl(publicUrl: string, publicId: string): string {
  return `${publicUrl}/boards/${publicId}`;
}

const PublishedRef = builder.objectRef<PublishedBoard>('PublishedLeaderboard').implement({
  description: 'A leaderboard published for display on a screen, public and read-only.',
  fields: (t) => ({
    publicId: t.exposeString('publicId', { description: 'The unguessable id in the screen’s address.' }),
    url: t.string({ description: 'The screen’s address (GET, no key).', resolve: (board, _args, context) => screenUrl(context.deps.config.publicUrl, board.publicId) }),
    title: t.exposeString('title', { description: 'The title the screen shows.' }),
    first: t.exposeInt('first', { description: 'How many entries the screen shows.' }),
    initialsOnly: t.exposeBoolean('initialsOnly', { description: 'Whether earners are shown by their initials only.' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', description: 'When it was published.' }),
    unpublishedAt: t.expose('unpublishedAt', { type: 'DateTime', nullable: true, description: 'When it was unpublished; null while it is published.' }),
  }),
});

const PublishInput = builder.inputType('PublishLeaderboardInput', {
  description: 'A board to publish on a screen.',
  fields: (t) => ({
    board: t.field({ type: LeaderboardInput, required: true, description: 'Which board.' }),
    title: t.string({ required: true, description: 'The title the screen shows (at most 200 characters, one line).' }),
    first: t.int({ defaultValue: 10, description: 'How many entries the screen shows (1 to 100, default 10).' }),
    initialsOnly: t.boolean({ defaultValue: false, description: 'Show earners by their initials only (default false).' }),
  }),
});

builder.mutationField('publishLeaderboard', (t) =>
  t.field({
    type: PublishedRef,
    description: 'Publishes a board for display on a screen at an unguessable public address. Needs `organization:write`.',
    authScopes: { permission: 'organization:write' },
    args: { input: t.arg({ type: PublishInput, required: true, description: 'The board, its title and what to show.' }) },
    resolve: (_root, { input }, context) =>
      publishBoard(context.deps, context.auth.current.organizationId, {
        board: boardInput(input.board),
        title: input.title,
        first: input.first ?? 10,
        initialsOnly: input.initialsOnly ?? false,
      }),
  }),
);

builder.mutationField('unpublishLeaderboard', (t) =>
  t.field({
    type: PublishedRef,
    description: 'Stops a published board at once: its address answers 404 and open screens say it is no longer published. Needs `organization:write`.',
    authScopes: { permission: 'organization:write' },
    args: { publicId: t.arg.string({ required: true, description: 'The published board’s public id.' }) },
    resolve: (_root, { publicId }, context) => unpublishBoard(context.deps, context.auth.current.organizationId, publicId),
  }),
);

builder.queryField('publishedLeaderboards', (t) =>
  t.field({
    type: [PublishedRef],
    description: 'The organization’s published boards, current and unpublished, newest first (at most 100). Needs `read`.',
    authScopes: { permission: 'read' },
    resolve: (_root, _args, context) => publishedBoards(context.deps, context.auth.current.organizationId),
  }),
);

const ScreenEntryRef = builder.objectRef<ScreenEntry>('LeaderboardScreenEntry').implement({
  description: 'One place on a published board, as a screen shows it.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable for one earner on this board (to animate moves); reveals no id.' }),
    position: t.exposeInt('position', { description: 'Place in board order, 1 for the first.' }),
    rank: t.exposeInt('rank', { description: 'Rank under the board’s ranking rule; tied scores share it.' }),
    name: t.exposeString('name', { description: 'The earner’s name, or initials when the board shows initials only.' }),
    score: t.exposeInt('score', { description: 'Points, or number of awards.' }),
  }),
});

const ScreenRef = builder.objectRef<ScreenState>('LeaderboardScreen').implement({
  description: 'What a published board’s screen shows.',
  fields: (t) => ({
    title: t.exposeString('title', { description: 'The board’s title.' }),
    published: t.exposeBoolean('published', { description: 'False in the last event, when the board was unpublished.' }),
    entries: t.field({ type: [ScreenEntryRef], description: 'The top entries, in board order.', resolve: (state) => state.entries }),
    at: t.expose('at', { type: 'DateTime', description: 'When this state was computed.' }),
  }),
});

builder.subscriptionField('leaderboardScreen', (t) =>
  t.field({
    type: ScreenRef,
    description:
      'A published board’s top entries at once, then at every change, and a last event with `published: false` when it is unpublished. No API key needed: the public id is the secret.',
    args: { publicId: t.arg.string({ required: true, description: 'The published board’s public id.' }) },
    subscribe: (_root, { publicId }, context) => {
      validUntil(context, context.deps.clock.now());
      return screenUpdates(context.deps, publicId);
    },
    resolve: (state) => state,
  }),
);
