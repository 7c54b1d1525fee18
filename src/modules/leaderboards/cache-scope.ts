// When a cached answer built from the top page of a points board must be forgotten.
//
// Live screens ask for the top of a board again and again while points flow to earners far below
// it. The response cache (src/graphql/response-cache.ts) empties an organization's results on
// every change, which would recompute the top page at every point entry; this module's cache
// policy (./index.ts) lets it keep a query made only of TOP_PAGE_FIELDS through points changes
// that cannot reach the page. From the
// top, a page of an all-time points board is decided by its rows and the row after them (which
// decides hasNextPage): a new balance changes it only when its earner is one of those rows, or
// when it is at least the score of the row after the page (equal scores are ordered by earner id
// in the database's collation, which this does not try to reproduce). Ranks from the top depend
// on nothing else. Every other change (an earner's name, awards, rules, windowed boards, pages
// after a cursor) empties the cache as before. The live stream of a board (./live.ts) uses the
// same rule to skip recomputing its top N.
import type { PointsEvent } from '../../events/events.js';
import type { CacheDependency } from '../../graphql/response-cache.js';
import { isBalanceBoard, type Board, type BoardEntry, type ScoreRow } from './service.js';

/**
 * Every field a query may select to be kept through points changes: a board's own settings, its
 * page from the top, and earner fields that only an earner update changes (which empties the
 * cache). Not `externalId` (addPoints may link one), `updatedAt`, points or relations.
 */
export const TOP_PAGE_FIELDS: ReadonlySet<string> = new Set([
  'Query.leaderboard',
  'Leaderboard.metric',
  'Leaderboard.category',
  'Leaderboard.period',
  'Leaderboard.ranking',
  'Leaderboard.timeZone',
  'Leaderboard.from',
  'Leaderboard.to',
  'Leaderboard.top',
  'LeaderboardPage.entries',
  'LeaderboardPage.hasNextPage',
  'LeaderboardPage.endCursor',
  'LeaderboardEntry.rank',
  'LeaderboardEntry.position',
  'LeaderboardEntry.score',
  'LeaderboardEntry.cursor',
  'LeaderboardEntry.earner',
  'Earner.id',
  'Earner.name',
  'Earner.email',
  'Earner.firstName',
  'Earner.lastName',
  'Earner.createdAt',
]);

/** What a page from the top of an all-time points board was read from; it survives points changes that miss it. */
export interface TopPage extends CacheDependency {
  category: string;
  /** The page's earners and the earner of the row after it. */
  earnerIds: ReadonlySet<string>;
  /** The row after the page; null when the board ended within it. */
  next: ScoreRow | null;
}

/** What a page of `board` read from the top depends on; undefined unless the board is all-time points. */
export function topPageOf(board: Board, page: { entries: BoardEntry[]; next: ScoreRow | null }): TopPage | undefined {
  if (!isBalanceBoard(board)) return undefined;
  const earnerIds = new Set(page.entries.map((entry) => entry.earnerId));
  if (page.next) earnerIds.add(page.next.earnerId);
  const topPage: TopPage = {
    category: board.category!,
    earnerIds,
    next: page.next,
    survives: (event) => event.kind === 'points' && !topPageMovedBy(topPage, event),
  };
  return topPage;
}

/** Whether the points change may have altered the page (always, when it does not list its balances). */
export function topPageMovedBy(page: TopPage, event: PointsEvent): boolean {
  if (!event.balances) return event.categories.includes(page.category);
  return event.balances.some(
    (change) =>
      change.category === page.category &&
      (page.earnerIds.has(change.earnerId) || page.next === null || change.balance >= page.next.score),
  );
}
