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
import { dialectFor } from '../../db/dialect.js';
import { Prisma } from '../../generated/prisma-sqlite/client.js';
import { periodOf, type CalendarUnit } from '../../shared/calendar.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { parseInput, text, z } from '../../shared/validation.js';
import { DEFAULT_CATEGORY } from '../automation/activity.js';
import { identifier } from '../automation/rules.js';
import { distinctGreaterSql, earnersSql, greaterThanSql } from './histogram.js';

export type LeaderboardMetric = 'POINTS' | 'AWARDS';
export type LeaderboardPeriod = 'ALL_TIME' | CalendarUnit | 'ROLLING_DAYS';
export type RankingRule = 'COMPETITION' | 'DENSE';

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

/** A board with its window fixed at the moment it was resolved. */
export interface Board {
  organizationId: string;
  metric: LeaderboardMetric;
  category: string | null;
  templateId: string | null;
  tag: string | null;
  period: LeaderboardPeriod;
  days: number | null;
  ranking: RankingRule;
  timeZone: string;
  /** The window, [from, to); null bounds are open (all time, or a rolling window's end). */
  from: Date | null;
  to: Date | null;
  now: Date;
}

export interface BoardEntry {
  earnerId: string;
  score: number;
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

/** Checks a board's input and fixes its window in the organization's time zone, now. */
export async function resolveBoard(deps: Deps, organizationId: string, input: BoardInput, field = 'board'): Promise<Board> {
  let parsed: z.output<typeof boardSchema>;
  try {
    parsed = parseInput(boardSchema, input);
  } catch (error) {
    throw error instanceof ValidationError ? error.withPrefix(field) : error;
  }
  const organization = await deps.reader.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { timeZone: true } });
  if (parsed.templateId) {
    const template = await deps.reader.badgeTemplate.findFirst({ where: { id: parsed.templateId, organizationId }, select: { id: true } });
    if (!template) throw new NotFoundError('badge template', `${field}.templateId`);
  }
  const now = deps.clock.now();
  const period = parsed.period ?? 'ALL_TIME';
  let from: Date | null = null;
  let to: Date | null = null;
  if (period === 'ROLLING_DAYS') from = new Date(now.getTime() - parsed.days! * DAY_MS);
  else if (period !== 'ALL_TIME') ({ start: from, end: to } = periodOf(now, period, organization.timeZone));
  return {
    organizationId,
    metric: parsed.metric,
    category: parsed.metric === 'POINTS' ? (parsed.category ?? DEFAULT_CATEGORY) : null,
    templateId: parsed.templateId ?? null,
    tag: parsed.tag ?? null,
    period,
    days: parsed.days ?? null,
    ranking: parsed.ranking ?? 'COMPETITION',
    timeZone: organization.timeZone,
    from,
    to,
    now,
  };
}

/** The board's scores as a relation ("earnerId", "score"). */
function scores(deps: Deps, board: Board): Prisma.Sql {
  const d = dialectFor(deps.provider);
  const org = d.text(board.organizationId);
  const window = (column: string) =>
    Prisma.sql`${board.from ? Prisma.sql` AND ${Prisma.raw(column)} >= ${d.timestamp(board.from)}` : Prisma.empty}${
      board.to ? Prisma.sql` AND ${Prisma.raw(column)} < ${d.timestamp(board.to)}` : Prisma.empty
    }`;
  if (board.metric === 'POINTS') {
    if (board.period === 'ALL_TIME') {
      return Prisma.sql`SELECT "earnerId", "balance" AS "score" FROM "PointsBalance" WHERE "organizationId" = ${org} AND "category" = ${d.text(board.category)}`;
    }
    return Prisma.sql`SELECT "earnerId", SUM("amount") AS "score" FROM "PointsEntry"
      WHERE "organizationId" = ${org} AND "category" = ${d.text(board.category)}${window('"at"')} GROUP BY "earnerId"`;
  }
  const template = board.templateId ? Prisma.sql` AND "templateId" = ${d.text(board.templateId)}` : Prisma.empty;
  const tag = board.tag
    ? Prisma.sql` AND "templateId" IN (SELECT "templateId" FROM "BadgeTemplateTag" WHERE "organizationId" = ${org} AND "nameLower" = ${d.text(board.tag.toLowerCase())})`
    : Prisma.empty;
  return Prisma.sql`SELECT "earnerId", COUNT(*) AS "score" FROM "Award"
    WHERE "organizationId" = ${org} AND "status" IN (${d.enumValue('AwardStatus', 'PENDING')}, ${d.enumValue('AwardStatus', 'ACCEPTED')})
      AND ("expiresAt" IS NULL OR "expiresAt" > ${d.timestamp(board.now)})${window('"issuedAt"')}${template}${tag}
    GROUP BY "earnerId"`;
}

interface ScoreRow {
  earnerId: string;
  score: number;
}

async function rows(deps: Deps, sql: Prisma.Sql): Promise<ScoreRow[]> {
  const found = await deps.reader.$queryRaw<Array<{ earnerId: string; score: number | bigint | string }>>(sql);
  return found.map((row) => ({ earnerId: row.earnerId, score: Number(row.score) }));
}

async function count(deps: Deps, sql: Prisma.Sql): Promise<number> {
  const [row] = await deps.reader.$queryRaw<Array<{ n: number | bigint | string }>>(sql);
  return Number(row?.n ?? 0);
}

/** Rows after `cursor` in board order (all rows from the top without one). */
function rowsAfter(deps: Deps, board: Board, cursor: ScoreRow | undefined, limit: number) {
  const d = dialectFor(deps.provider);
  // `score <= s AND (...)` gives the database a range to start from, not a scan from the top.
  const after = cursor
    ? Prisma.sql`WHERE s."score" <= ${d.int(cursor.score)} AND (s."score" < ${d.int(cursor.score)} OR s."earnerId" > ${d.text(cursor.earnerId)})`
    : Prisma.empty;
  return rows(deps, Prisma.sql`SELECT s."earnerId", s."score" FROM (${scores(deps, board)}) s ${after}
    ORDER BY s."score" DESC, s."earnerId" ASC LIMIT ${d.int(limit)}`);
}

/** Rows before `cursor` in board order, nearest first. */
function rowsBefore(deps: Deps, board: Board, cursor: ScoreRow, limit: number) {
  const d = dialectFor(deps.provider);
  return rows(deps, Prisma.sql`SELECT s."earnerId", s."score" FROM (${scores(deps, board)}) s
    WHERE s."score" >= ${d.int(cursor.score)} AND (s."score" > ${d.int(cursor.score)} OR s."earnerId" < ${d.text(cursor.earnerId)})
    ORDER BY s."score" ASC, s."earnerId" DESC LIMIT ${d.int(limit)}`);
}

/** Ranks consecutive rows of board order from counts about the first one (one statement). */
async function rankRows(deps: Deps, board: Board, slice: ScoreRow[], fromTop: boolean): Promise<BoardEntry[]> {
  const [first] = slice;
  if (!first) return [];
  let greater = 0;
  let before = 0;
  let distinctGreater = 0;
  if (!fromTop) {
    const d = dialectFor(deps.provider);
    const source = scores(deps, board);
    const score = d.int(first.score);
    // All-time points read the maintained histogram (./histogram.ts); other boards count.
    const histogram = isBalanceBoard(board);
    const greaterSql = histogram
      ? greaterThanSql(deps.provider, board.organizationId, board.category!, first.score)
      : Prisma.sql`(SELECT COUNT(*) FROM (${source}) s WHERE s."score" > ${score})`;
    const distinctSql =
      board.ranking !== 'DENSE'
        ? Prisma.sql`0`
        : histogram
          ? distinctGreaterSql(deps.provider, board.organizationId, board.category!, first.score)
          : Prisma.sql`(SELECT COUNT(DISTINCT s."score") FROM (${source}) s WHERE s."score" > ${score})`;
    const [counts] = await deps.reader.$queryRaw<Array<{ greater: number | bigint | string; before: number | bigint; distinctGreater: number | bigint }>>`
      SELECT ${greaterSql} AS "greater",
        (SELECT COUNT(*) FROM (${source}) s WHERE s."score" = ${score} AND s."earnerId" < ${d.text(first.earnerId)}) AS "before",
        ${distinctSql} AS "distinctGreater"`;
    greater = Number(counts!.greater);
    before = Number(counts!.before);
    distinctGreater = Number(counts!.distinctGreater);
  }
  const entries: BoardEntry[] = [];
  let competition = greater + 1;
  let dense = distinctGreater + 1;
  for (const [index, row] of slice.entries()) {
    const position = greater + before + index + 1;
    if (index > 0 && row.score !== slice[index - 1]!.score) {
      competition = position;
      dense += 1;
    }
    entries.push({ earnerId: row.earnerId, score: row.score, position, rank: board.ranking === 'DENSE' ? dense : competition });
  }
  return entries;
}

export function encodeCursor(entry: ScoreRow): string {
  return Buffer.from(JSON.stringify([entry.score, entry.earnerId])).toString('base64url');
}

function decodeCursor(cursor: string, field: string): ScoreRow {
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

/** A page of the board in board order, from the top or after a cursor. */
export async function boardPage(deps: Deps, board: Board, first: number, after?: string | null) {
  checkPageSize(first, 'first');
  const cursor = after ? decodeCursor(after, 'after') : undefined;
  const found = await rowsAfter(deps, board, cursor, first + 1);
  const entries = await rankRows(deps, board, found.slice(0, first), !cursor);
  return { entries, hasNextPage: found.length > first };
}

export async function boardSize(deps: Deps, board: Board): Promise<number> {
  if (isBalanceBoard(board)) return count(deps, earnersSql(deps.provider, board.organizationId, board.category!));
  return count(deps, Prisma.sql`SELECT COUNT(*) AS n FROM (${scores(deps, board)}) s`);
}

/** All-time points boards are the balances themselves, which the histogram follows. */
function isBalanceBoard(board: Board): boolean {
  return board.metric === 'POINTS' && board.period === 'ALL_TIME';
}

/** The earner's score row, or null when they have none on this board; NOT_FOUND for an unknown earner. */
async function scoreOf(deps: Deps, board: Board, earnerId: string, field: string): Promise<ScoreRow | null> {
  const d = dialectFor(deps.provider);
  const [row] = await rows(deps, Prisma.sql`SELECT s."earnerId", s."score" FROM (${scores(deps, board)}) s WHERE s."earnerId" = ${d.text(earnerId)}`);
  if (row) return row;
  const earner = await deps.reader.earner.findFirst({ where: { id: earnerId, organizationId: board.organizationId }, select: { id: true } });
  if (!earner) throw new NotFoundError('earner', field);
  return null;
}

/** The earner's entry, or null when they have no score on the board. */
export async function boardRank(deps: Deps, board: Board, earnerId: string, field = 'earnerId'): Promise<BoardEntry | null> {
  const row = await scoreOf(deps, board, earnerId, field);
  if (!row) return null;
  const [entry] = await rankRows(deps, board, [row], false);
  return entry!;
}

/** Up to `count` entries above the earner, the earner, and up to `count` below; null when unranked. */
export async function boardAround(deps: Deps, board: Board, earnerId: string, count: number, field = 'earnerId'): Promise<BoardEntry[] | null> {
  if (!Number.isInteger(count) || count < 0 || count > 50) throw ValidationError.single('count', 'range', 'must be a whole number from 0 to 50');
  const row = await scoreOf(deps, board, earnerId, field);
  if (!row) return null;
  const [above, below] = await Promise.all([
    count ? rowsBefore(deps, board, row, count) : Promise.resolve([]),
    count ? rowsAfter(deps, board, row, count) : Promise.resolve([]),
  ]);
  return rankRows(deps, board, [...above.reverse(), row, ...below], false);
}
