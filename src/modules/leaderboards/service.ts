// Leaderboards: earners ordered by a score, over a window of the organization's calendar.
//
// A board's scores are one SQL relation (earnerId, score):
// - POINTS, all time: the maintained balances (PointsBalance), read in board order straight off
//   the (organizationId, category, balance DESC, earnerId) index;
// - POINTS over a window: the sum of PointsEntry.amount with `at` in the window;
// - AWARDS: the number of awards issued in the window (optionally of one template, or of
//   templates with a tag) that are active now (PENDING or ACCEPTED and not past their expiry).
//
// Board order is score descending, then earner id ascending (ids are UUIDv7, so the earlier
// created earner comes first): deterministic, and cursor-friendly. A rank is computed from
// counts, never by numbering the whole board: the competition rank ("1, 2, 2, 4") of a score is
// 1 + the number of scores strictly greater, the dense rank ("1, 2, 2, 3") 1 + the number of
// distinct scores strictly greater. A page is ranked from its first row, then row by row.
import type { Deps } from '../../deps.js';
import { isBalanceBoard, type Board, type LeaderboardMetric, type LeaderboardPeriod, type RankingRule, type ScoreRow } from './board.js';
import { dialectFor } from '../../db/dialect.js';
import type { Earner } from '../../generated/prisma-sqlite/client.js';
import type { Sql } from '../../db/sql.js';
import {
  ALL_EARNER_COLUMNS,
  BOARD_ORDER,
  boardSizeSql,
  earnerFromRow,
  isEarnerColumn,
  pageWithEarnersSql,
  rankCountsOfSql,
  REVERSE_ORDER,
  rowOfSql,
  rowsAfterSql,
  rowsBeforeSql,
  type EarnerColumn,
} from './leaderboards.sql.js';
import { periodOf } from '../../shared/calendar.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { parseInput, text, z } from '../../shared/validation.js';
import { DEFAULT_CATEGORY } from '../points/index.js';
import { identifier } from '../automation/index.js';

export { isBalanceBoard, type Board, type LeaderboardMetric, type LeaderboardPeriod, type RankingRule, type ScoreRow };

export const MAX_ROLLING_DAYS = 3660;
export const MAX_BOARD_PAGE = 100;
const DAY_MS = 86_400_000;

export interface BoardInput {
  metric: LeaderboardMetric;
  category?: string | null | undefined;
  templateId?: string | null | undefined;
  tag?: string | null | undefined;
  period?: LeaderboardPeriod | null | undefined;
  days?: number | null | undefined;
  ranking?: RankingRule | null | undefined;
}

export interface BoardEntry {
  earnerId: string;
  score: number;
  /**
   * Read in the same statement as the score, when asked for, with only the columns the query
   * needs (ReadOptions): the fields it does not select are absent.
   */
  earner: Earner | undefined;
  /** Per the board's ranking rule. */
  rank: number;
  /** 1-based place in board order (ties broken by earner id). */
  position: number;
}

const boardSchema = z
  .object({
    metric: z.enum(['POINTS', 'AWARDS']),
    category: identifier(64).nullish(),
    templateId: z.string().nullish(),
    tag: text(100).nullish(),
    period: z.enum(['ALL_TIME', 'YEAR', 'MONTH', 'WEEK', 'DAY', 'ROLLING_DAYS']).nullish(),
    days: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_ROLLING_DAYS, `must be at most ${MAX_ROLLING_DAYS}`).nullish(),
    ranking: z.enum(['COMPETITION', 'DENSE']).nullish(),
  })
  .superRefine((input, context) => {
    const issue = (path: string, rule: string, message: string) => context.addIssue({ code: 'custom', path: [path], message, params: { rule } });
    if (input.period === 'ROLLING_DAYS' && input.days == null) issue('days', 'requiredWith:ROLLING_DAYS', 'is required when period is ROLLING_DAYS');
    if (input.period !== 'ROLLING_DAYS' && input.days != null) issue('days', 'onlyWith:ROLLING_DAYS', 'is only allowed when period is ROLLING_DAYS');
    if (input.metric === 'AWARDS' && input.category != null) issue('category', 'onlyWith:POINTS', 'is only allowed on POINTS boards');
    if (input.metric === 'POINTS' && input.templateId != null) issue('templateId', 'onlyWith:AWARDS', 'is only allowed on AWARDS boards');
    if (input.metric === 'POINTS' && input.tag != null) issue('tag', 'onlyWith:AWARDS', 'is only allowed on AWARDS boards');
  });

export async function organizationTimeZone(deps: Deps, organizationId: string): Promise<string> {
  const organization = await deps.reader.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { timeZone: true } });
  return organization.timeZone;
}

/** Checks a board's input and fixes its window (in the organization's time zone), now. */
export async function resolveBoard(deps: Deps, organizationId: string, input: BoardInput, field = 'board'): Promise<Board> {
  let parsed: z.output<typeof boardSchema>;
  try {
    parsed = parseInput(boardSchema, input);
  } catch (error) {
    throw error instanceof ValidationError ? error.withPrefix(field) : error;
  }
  if (parsed.templateId) {
    const template = await deps.reader.badgeTemplate.findFirst({ where: { id: parsed.templateId, organizationId }, select: { id: true } });
    if (!template) throw new NotFoundError('badge template', `${field}.templateId`);
  }
  const now = deps.clock.now();
  const period = parsed.period ?? 'ALL_TIME';
  let from: Date | null = null;
  let to: Date | null = null;
  let timeZone: string | null = null;
  if (period === 'ROLLING_DAYS') from = new Date(now.getTime() - parsed.days! * DAY_MS);
  else if (period !== 'ALL_TIME') {
    timeZone = await organizationTimeZone(deps, organizationId);
    ({ start: from, end: to } = periodOf(now, period, timeZone));
  }
  return {
    organizationId,
    metric: parsed.metric,
    category: parsed.metric === 'POINTS' ? (parsed.category ?? DEFAULT_CATEGORY) : null,
    templateId: parsed.templateId ?? null,
    tag: parsed.tag ?? null,
    period,
    days: parsed.days ?? null,
    ranking: parsed.ranking ?? 'COMPETITION',
    timeZone,
    from,
    to,
    now,
  };
}

/** A place in board order: what a cursor holds. */
interface BoardRow extends ScoreRow {
  earner: Earner | undefined;
}

type CountValue = number | bigint | string;

interface RankCounts {
  /** Scores strictly greater. */
  greater: number;
  /** Equal scores earlier in board order (smaller earner id). */
  before: number;
  /** Distinct scores strictly greater (dense ranking only; 0 otherwise). */
  distinctGreater: number;
}

type PageRow = Record<string, unknown> & { earnerId: string; score: CountValue; greater?: CountValue; before?: CountValue; distinctGreater?: CountValue };

/**
 * The Earner columns to read for a query that selects these fields of an earner: the columns of
 * the scalar fields it selects (EARNER_COLUMNS, by field name), and the id and organization every
 * earner resolver may need. Anything else (a relation, a computed field such as `points`) gets
 * every column, as an earner read by Prisma would have; those fields load what they need themselves.
 */
export function earnerColumnsFor(fields: ReadonlySet<string>): EarnerColumn[] {
  const columns = new Set<EarnerColumn>(['id', 'organizationId']);
  for (const field of fields) {
    if (isEarnerColumn(field)) columns.add(field);
    else if (field !== '__typename') return [...ALL_EARNER_COLUMNS];
  }
  return [...columns];
}

/** What to read besides scores and ranks. */
export interface ReadOptions {
  /**
   * The Earner columns to read with the scores, in the same statement (earnerColumnsFor); none
   * when the query selects no earner. A page of 50 with `earner { id name }` reads three columns
   * instead of every one: less for PostgreSQL to send and for the server to decode.
   */
  earnerColumns: readonly EarnerColumn[];
}

/**
 * The rows of `page` (a statement of "earnerId", "score" and optionally rank counts, at most a
 * page long) in `order`, with their earners' columns when asked: one statement rather than a
 * second query for the earners.
 */
async function readPage(deps: Deps, board: Board, page: Sql, order: Sql, options: ReadOptions): Promise<Array<BoardRow & { counts?: RankCounts }>> {
  const d = dialectFor(deps.provider);
  const earners = options.earnerColumns.length > 0;
  const found = await deps.reader.$queryRaw<PageRow[]>(pageWithEarnersSql(d, board.organizationId, page, order, options.earnerColumns));
  return found.map(({ earnerId, score, greater, before, distinctGreater, ...earner }) => ({
    earnerId,
    score: Number(score),
    earner: earners ? earnerFromRow(earner) : undefined,
    counts: greater === undefined ? undefined : toCounts({ greater, before: before!, distinctGreater: distinctGreater! }),
  }));
}

async function count(deps: Deps, sql: Sql): Promise<number> {
  const [row] = await deps.reader.$queryRaw<Array<{ n: CountValue }>>(sql);
  return Number(row?.n ?? 0);
}



/** Rows after `cursor` in board order (all rows from the top without one). */
function rowsAfter(deps: Deps, board: Board, cursor: ScoreRow | undefined, limit: number, options: ReadOptions) {
  return readPage(deps, board, rowsAfterSql(dialectFor(deps.provider), board, cursor, limit), BOARD_ORDER, options);
}

/** Rows before `cursor` in board order, nearest first. */
function rowsBefore(deps: Deps, board: Board, cursor: ScoreRow, limit: number, options: ReadOptions) {
  return readPage(deps, board, rowsBeforeSql(dialectFor(deps.provider), board, cursor, limit), REVERSE_ORDER, options);
}

function toCounts(row: { greater: CountValue; before: CountValue; distinctGreater: CountValue }): RankCounts {
  return { greater: Number(row.greater), before: Number(row.before), distinctGreater: Number(row.distinctGreater) };
}

/** Ranks consecutive rows of board order, the first placed by `counts`. */
function rankFrom(board: Board, slice: BoardRow[], counts: RankCounts): BoardEntry[] {
  const entries: BoardEntry[] = [];
  let competition = counts.greater + 1;
  let dense = counts.distinctGreater + 1;
  for (const [index, row] of slice.entries()) {
    const position = counts.greater + counts.before + index + 1;
    if (index > 0 && row.score !== slice[index - 1]!.score) {
      competition = position;
      dense += 1;
    }
    entries.push({ earnerId: row.earnerId, score: row.score, earner: row.earner, position, rank: board.ranking === 'DENSE' ? dense : competition });
  }
  return entries;
}

/** Ranks consecutive rows of board order from counts about the first one (one statement). */
async function rankRows(deps: Deps, board: Board, slice: BoardRow[], fromTop: boolean): Promise<BoardEntry[]> {
  const [first] = slice;
  if (!first) return [];
  if (fromTop) return rankFrom(board, slice, { greater: 0, before: 0, distinctGreater: 0 });
  const d = dialectFor(deps.provider);
  const [counts] = await deps.reader.$queryRaw<Array<{ greater: CountValue; before: CountValue; distinctGreater: CountValue }>>(
    rankCountsOfSql(d, board, first),
  );
  return rankFrom(board, slice, toCounts(counts!));
}

export function encodeCursor(entry: ScoreRow): string {
  return Buffer.from(JSON.stringify([entry.score, entry.earnerId])).toString('base64url');
}

export function decodeCursor(cursor: string, field: string): ScoreRow {
  try {
    const [score, earnerId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isInteger(score) && typeof earnerId === 'string') return { score: score as number, earnerId };
  } catch {
    // fall through
  }
  throw ValidationError.single(field, 'cursor', 'must be a cursor from this leaderboard');
}

export function checkPageSize(value: number, field: string) {
  if (!Number.isInteger(value) || value < 1 || value > MAX_BOARD_PAGE) {
    throw ValidationError.single(field, 'range', `must be a whole number from 1 to ${MAX_BOARD_PAGE}`);
  }
}

/** A page of the board in board order, from the top or after a cursor; `next` is the row that follows it. */
export async function boardPage(deps: Deps, board: Board, first: number, after: string | null | undefined, options: ReadOptions) {
  checkPageSize(first, 'first');
  const cursor = after ? decodeCursor(after, 'after') : undefined;
  const found = await rowsAfter(deps, board, cursor, first + 1, options);
  const entries = await rankRows(deps, board, found.slice(0, first), !cursor);
  const next = found[first];
  return { entries, hasNextPage: next !== undefined, next: next ? { earnerId: next.earnerId, score: next.score } : null };
}

export async function boardSize(deps: Deps, board: Board): Promise<number> {
  return count(deps, boardSizeSql(dialectFor(deps.provider), board));
}

/** NOT_FOUND unless the earner is one of the organization's (they may have no score on a board). */
async function checkEarner(deps: Deps, board: Board, earnerId: string, field: string): Promise<void> {
  const earner = await deps.reader.earner.findFirst({ where: { id: earnerId, organizationId: board.organizationId }, select: { id: true } });
  if (!earner) throw new NotFoundError('earner', field);
}

/**
 * The earner's row on the board with the counts that rank it, in one statement; null when they
 * have no score on it (a second statement then tells an unranked earner from an unknown one:
 * NOT_FOUND).
 */
async function rowOf(deps: Deps, board: Board, earnerId: string, field: string, options: ReadOptions): Promise<(BoardRow & { counts: RankCounts }) | null> {
  const [row] = await readPage(deps, board, rowOfSql(dialectFor(deps.provider), board, earnerId), BOARD_ORDER, options);
  if (row) return { ...row, counts: row.counts! };
  await checkEarner(deps, board, earnerId, field);
  return null;
}

/** The earner's entry, or null when they have no score on the board. */
export async function boardRank(deps: Deps, board: Board, earnerId: string, options: ReadOptions, field = 'earnerId'): Promise<BoardEntry | null> {
  const row = await rowOf(deps, board, earnerId, field, options);
  return row && rankFrom(board, [row], row.counts)[0]!;
}

/** Up to `count` entries above the earner, the earner, and up to `count` below; null when unranked. */
export async function boardAround(
  deps: Deps,
  board: Board,
  earnerId: string,
  count: number,
  options: ReadOptions,
  field = 'earnerId',
): Promise<BoardEntry[] | null> {
  if (!Number.isInteger(count) || count < 0 || count > 50) throw ValidationError.single('count', 'range', 'must be a whole number from 0 to 50');
  const row = await rowOf(deps, board, earnerId, field, options);
  if (!row) return null;
  const [above, below] = await Promise.all([
    count ? rowsBefore(deps, board, row, count, options) : Promise.resolve([]),
    count ? rowsAfter(deps, board, row, count, options) : Promise.resolve([]),
  ]);
  // With nothing above the earner in the slice, their own counts place it.
  return above.length ? rankRows(deps, board, [...above.reverse(), row, ...below], false) : rankFrom(board, [row, ...below], row.counts);
}
