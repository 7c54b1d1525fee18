import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../../graphql/builder.js';
import { decodeId, decodeOptionalId } from '../../graphql/ids.js';
import { selectedFields } from '../../graphql/selection.js';
import { EarnerRef } from '../earners/schema.js';
import { topPageOf } from './cache-scope.js';
import { boardUpdates, type BoardSnapshot } from './live.js';
import {
  boardAround,
  boardPage,
  boardRank,
  boardSize,
  earnerColumnsFor,
  encodeCursor,
  MAX_BOARD_PAGE,
  MAX_ROLLING_DAYS,
  organizationTimeZone,
  resolveBoard,
  type Board,
  type BoardEntry,
  type BoardInput,
  type ReadOptions,
} from './service.js';

const MetricEnum = builder.enumType('LeaderboardMetric', {
  description: 'What a leaderboard ranks earners by.',
  values: {
    POINTS: { description: 'Points of one category: the balance for all time, the sum of the entries dated in the window otherwise.' },
    AWARDS: { description: 'Awards issued in the window that are active now (pending or accepted, not expired).' },
  },
});

const PeriodEnum = builder.enumType('LeaderboardPeriod', {
  description: 'The window a leaderboard covers, in the organization’s time zone.',
  values: {
    ALL_TIME: { description: 'Everything.' },
    YEAR: { description: 'This calendar year.' },
    MONTH: { description: 'This calendar month.' },
    WEEK: { description: 'This week, Monday 00:00 to the next Monday.' },
    DAY: { description: 'Today, midnight to midnight.' },
    ROLLING_DAYS: { description: 'The last `days` × 24 hours up to now.' },
  },
});

const RankingEnum = builder.enumType('RankingRule', {
  description: 'How equal scores are ranked.',
  values: {
    COMPETITION: { description: 'Standard competition ranking, "1, 2, 2, 4": one plus the number of strictly greater scores.' },
    DENSE: { description: 'Dense ranking, "1, 2, 2, 3": one plus the number of distinct strictly greater scores.' },
  },
});

export const LeaderboardInput = builder.inputType('LeaderboardInput', {
  description: 'Which leaderboard. Entries are in board order: score descending, then earner id ascending (the earner known first).',
  fields: (t) => ({
    metric: t.field({ type: MetricEnum, required: true, description: 'What earners are ranked by.' }),
    category: t.string({ description: 'POINTS boards: the points category (default `lifetime`).' }),
    templateId: t.id({ description: 'AWARDS boards: only awards of this template.' }),
    tag: t.string({ description: 'AWARDS boards: only awards of templates with this tag (case-insensitive).' }),
    period: t.field({ type: PeriodEnum, description: 'The window (default ALL_TIME).' }),
    days: t.int({ description: `ROLLING_DAYS only, and required there: the window’s length in days (1 to ${MAX_ROLLING_DAYS}).` }),
    ranking: t.field({ type: RankingEnum, description: 'How ties are ranked (default COMPETITION).' }),
  }),
});

type BoardArg = typeof LeaderboardInput.$inferInput;

/** The earner columns the query's selection at `path` (an `earner` field) needs; none when it selects no earner. */
function readOptions(info: GraphQLResolveInfo, path: readonly string[]): ReadOptions {
  const fields = selectedFields(info, path);
  return { earnerColumns: fields ? earnerColumnsFor(fields) : [] };
}

export function boardInput(board: BoardArg): BoardInput {
  return { ...board, templateId: decodeOptionalId('BadgeTemplate', board.templateId, 'board.templateId') };
}

const EntryRef = builder.objectRef<BoardEntry>('LeaderboardEntry').implement({
  description: 'An earner’s place on a leaderboard.',
  fields: (t) => ({
    rank: t.exposeInt('rank', { description: 'Rank under the board’s ranking rule; tied scores share it.' }),
    position: t.exposeInt('position', { description: 'Place in board order, 1 for the first, never shared.' }),
    score: t.exposeInt('score', { description: 'Points, or number of awards.' }),
    cursor: t.string({ description: 'Pass as `after` to continue below this entry.', resolve: (entry) => encodeCursor(entry) }),
    earner: t.field({
      type: EarnerRef,
      description: 'The earner.',
      // Read with the score when the query selects it (readPage in ./service.ts), so this
      // lookup is only a fallback; the earner's own relations load on demand.
      resolve: (entry, _args, context) =>
        entry.earner ??
        context.deps.reader.earner.findUniqueOrThrow({ where: { id: entry.earnerId, organizationId: context.auth.current.organizationId } }),
    }),
  }),
});

const PageRef = builder.objectRef<{ board: Board; entries: BoardEntry[]; hasNextPage: boolean }>('LeaderboardPage').implement({
  description: 'Consecutive entries of a leaderboard.',
  fields: (t) => ({
    entries: t.field({ type: [EntryRef], description: 'The entries, in board order.', resolve: (page) => page.entries }),
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'True when entries follow this page.' }),
    endCursor: t.string({
      nullable: true,
      description: 'Cursor of the last entry; pass it as `after` for the next page.',
      resolve: (page) => (page.entries.length ? encodeCursor(page.entries.at(-1)!) : null),
    }),
  }),
});

const LeaderboardRef = builder.objectRef<Board>('Leaderboard').implement({
  description: 'Earners ranked by a score over a window, fixed at the moment of the query.',
  fields: (t) => ({
    metric: t.field({ type: MetricEnum, description: 'What earners are ranked by.', resolve: (board) => board.metric }),
    category: t.exposeString('category', { nullable: true, description: 'The points category (POINTS boards).' }),
    period: t.field({ type: PeriodEnum, description: 'The window.', resolve: (board) => board.period }),
    ranking: t.field({ type: RankingEnum, description: 'How ties are ranked.', resolve: (board) => board.ranking }),
    timeZone: t.string({
      description: 'The organization’s time zone, in which calendar windows are cut.',
      resolve: (board, _args, context) => board.timeZone ?? organizationTimeZone(context.deps, board.organizationId),
    }),
    from: t.field({ type: 'DateTime', nullable: true, description: 'Start of the window (inclusive); null for all time.', resolve: (board) => board.from }),
    to: t.field({ type: 'DateTime', nullable: true, description: 'End of the window (exclusive); null when open.', resolve: (board) => board.to }),
    size: t.int({ description: 'How many earners have a score on the board.', resolve: (board, _args, context) => boardSize(context.deps, board) }),
    top: t.field({
      type: PageRef,
      description: 'The first entries, or the entries after a cursor.',
      args: {
        first: t.arg.int({ defaultValue: 10, description: `How many entries (1 to ${MAX_BOARD_PAGE}, default 10).` }),
        after: t.arg.string({ description: 'Continue after the entry with this cursor.' }),
      },
      resolve: async (board, { first, after }, context, info) => {
        const page = await boardPage(context.deps, board, first ?? 10, after, readOptions(info, ['entries', 'earner']));
        // What the response cache needs to know to keep this page through points changes.
        const topPage = after ? undefined : topPageOf(board, page);
        if (topPage) (context.cacheDependencies ??= []).push(topPage);
        else context.cacheDependsOnAll = true;
        return { board, ...page };
      },
    }),
    rank: t.field({
      type: EntryRef,
      nullable: true,
      description: 'The earner’s entry; null when they have no score on this board; NOT_FOUND for an unknown earner.',
      args: { earnerId: t.arg.id({ required: true, description: 'The earner.' }) },
      resolve: (board, { earnerId }, context, info) =>
        boardRank(context.deps, board, decodeId('Earner', earnerId, 'earnerId'), readOptions(info, ['earner'])),
    }),
    around: t.field({
      type: [EntryRef],
      nullable: true,
      description:
        'Up to `count` entries above the earner, the earner, and up to `count` below, in board order (fewer at the ends); null when the earner has no score; NOT_FOUND for an unknown earner.',
      args: {
        earnerId: t.arg.id({ required: true, description: 'The earner.' }),
        count: t.arg.int({ defaultValue: 5, description: 'Entries on each side (0 to 50, default 5).' }),
      },
      resolve: (board, { earnerId, count }, context, info) =>
        boardAround(context.deps, board, decodeId('Earner', earnerId, 'earnerId'), count ?? 5, readOptions(info, ['earner'])),
    }),
  }),
});

builder.queryField('leaderboard', (t) =>
  t.field({
    type: LeaderboardRef,
    description: 'A leaderboard of the organization: its top entries, an earner’s rank, the entries around an earner. Needs `read`.',
    authScopes: { permission: 'read' },
    args: { board: t.arg({ type: LeaderboardInput, required: true, description: 'Which board.' }) },
    resolve: (_root, { board }, context) => resolveBoard(context.deps, context.auth.current.organizationId, boardInput(board)),
  }),
);

const UpdateRef = builder.objectRef<BoardSnapshot>('LeaderboardUpdate').implement({
  description: 'The top of a leaderboard as it is now.',
  fields: (t) => ({
    leaderboard: t.field({ type: LeaderboardRef, description: 'The board, with its window as of this update.', resolve: (update) => update.board }),
    entries: t.field({ type: [EntryRef], description: 'The top entries, in board order.', resolve: (update) => update.entries }),
  }),
});

builder.subscriptionField('leaderboardChanged', (t) =>
  t.field({
    type: UpdateRef,
    description:
      'The top `first` entries of a board at once, then again each time they change, at most a few times a second (LEADERBOARD_UPDATE_SECONDS). Needs `read`.',
    authScopes: { permission: 'read' },
    args: {
      board: t.arg({ type: LeaderboardInput, required: true, description: 'Which board.' }),
      first: t.arg.int({ defaultValue: 10, description: `How many entries (1 to ${MAX_BOARD_PAGE}, default 10).` }),
    },
    subscribe: (_root, { board, first }, context, info) =>
      boardUpdates(context.deps, context.auth.current.organizationId, boardInput(board), first ?? 10, readOptions(info, ['entries', 'earner'])),
    resolve: (update) => update,
  }),
);
