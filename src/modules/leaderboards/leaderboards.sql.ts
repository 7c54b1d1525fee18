// The statements of leaderboards that read scores and earners.
import type { Dialect } from '../../db/dialect.js';
import { empty, join, raw, sql, type Sql } from '../../db/sql.js';
import type { Earner } from '../../generated/prisma-sqlite/client.js';
import { liveSql } from '../awards/index.js';
import { distinctGreaterSql, earnersSql, greaterThanSql } from '../points/index.js';
import { isBalanceBoard, type Board, type ScoreRow } from './board.js';

/** The board's scores as a relation ("earnerId", "score"). */
export function scoresSql(d: Dialect, board: Board): Sql {
  const org = d.text(board.organizationId);
  const window = (column: Sql) =>
    sql`${board.from ? sql` AND ${column} >= ${d.timestamp(board.from)}` : empty}${board.to ? sql` AND ${column} < ${d.timestamp(board.to)}` : empty}`;
  if (board.metric === 'POINTS') {
    if (board.period === 'ALL_TIME') {
      return sql`SELECT "earnerId", "balance" AS "score" FROM "PointsBalance" WHERE "organizationId" = ${org} AND "category" = ${d.text(board.category)}`;
    }
    return sql`SELECT "earnerId", SUM("amount") AS "score" FROM "PointsEntry"
      WHERE "organizationId" = ${org} AND "category" = ${d.text(board.category)}${window(sql`"at"`)} GROUP BY "earnerId"`;
  }
  const template = board.templateId ? sql` AND "templateId" = ${d.text(board.templateId)}` : empty;
  const tag = board.tag
    ? sql` AND "templateId" IN (SELECT "templateId" FROM "BadgeTemplateTag" WHERE "organizationId" = ${org} AND "nameLower" = ${d.text(board.tag.toLowerCase())})`
    : empty;
  return sql`SELECT "earnerId", COUNT(*) AS "score" FROM "Award"
    WHERE "organizationId" = ${org} AND ${liveSql(d, board.now)}${window(sql`"issuedAt"`)}${template}${tag}
    GROUP BY "earnerId"`;
}

/**
 * The Earner columns a board page may read with its scores, by the GraphQL field that shows
 * them (the same names), with their types: nothing but these names ever becomes a column in SQL.
 */
const EARNER_COLUMNS = {
  id: 'text',
  organizationId: 'text',
  email: 'text',
  emailLower: 'text',
  name: 'text',
  nameLower: 'text',
  firstName: 'text',
  lastName: 'text',
  externalId: 'text',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
} as const satisfies Record<keyof Earner, 'text' | 'timestamp'>;

export type EarnerColumn = keyof typeof EARNER_COLUMNS;

export const ALL_EARNER_COLUMNS = Object.keys(EARNER_COLUMNS) as EarnerColumn[];

export function isEarnerColumn(field: string): field is EarnerColumn {
  return Object.hasOwn(EARNER_COLUMNS, field);
}

/** An earner as read by pageWithEarnersSql, each column as its type (dates as Date on every database). */
export function earnerFromRow(row: Record<string, unknown>): Earner {
  const earner: Record<string, unknown> = {};
  for (const column of ALL_EARNER_COLUMNS) {
    if (!(column in row)) continue;
    const value = row[column];
    earner[column] = EARNER_COLUMNS[column] === 'timestamp' && value !== null && !(value instanceof Date) ? new Date(value as string) : value;
  }
  return earner as Earner;
}

/**
 * The rows of `page` (a statement of "earnerId", "score" and optionally rank counts, at most a
 * page long) in `order`, with their earners' columns when asked: one statement rather than a
 * second query for the earners.
 */
export function pageWithEarnersSql(d: Dialect, organizationId: string, page: Sql, order: Sql, columns: readonly EarnerColumn[]): Sql {
  if (columns.length === 0) return sql`SELECT p.* FROM (${page}) p ORDER BY ${order}`;
  const selected = join(columns.filter(isEarnerColumn).map((column) => raw(`e."${column}"`)), ', ');
  return sql`SELECT p.*, ${selected} FROM (${page}) p
    JOIN "Earner" e ON e."id" = p."earnerId" AND e."organizationId" = ${d.text(organizationId)} ORDER BY ${order}`;
}

export const BOARD_ORDER = sql`p."score" DESC, p."earnerId" ASC`;
export const REVERSE_ORDER = sql`p."score" ASC, p."earnerId" DESC`;

/** Rows after `cursor` in board order (all rows from the top without one). */
export function rowsAfterSql(d: Dialect, board: Board, cursor: ScoreRow | undefined, limit: number): Sql {
  // `score <= s AND (...)` gives the database a range to start from, not a scan from the top.
  const after = cursor
    ? sql`WHERE s."score" <= ${d.int(cursor.score)} AND (s."score" < ${d.int(cursor.score)} OR s."earnerId" > ${d.text(cursor.earnerId)})`
    : empty;
  return sql`SELECT s."earnerId", s."score" FROM (${scoresSql(d, board)}) s ${after}
    ORDER BY s."score" DESC, s."earnerId" ASC LIMIT ${d.int(limit)}`;
}

/** Rows before `cursor` in board order, nearest first. */
export function rowsBeforeSql(d: Dialect, board: Board, cursor: ScoreRow, limit: number): Sql {
  return sql`SELECT s."earnerId", s."score" FROM (${scoresSql(d, board)}) s
    WHERE s."score" >= ${d.int(cursor.score)} AND (s."score" > ${d.int(cursor.score)} OR s."earnerId" < ${d.text(cursor.earnerId)})
    ORDER BY s."score" ASC, s."earnerId" DESC LIMIT ${d.int(limit)}`;
}

/**
 * The select list of the counts that place a row with `score` and `earnerId` (parameters, or
 * columns of the statement it is part of). All-time points read the maintained histogram
 * (./histogram.ts); other boards count their scores.
 */
export function rankCountsSql(d: Dialect, board: Board, score: Sql, earnerId: Sql): Sql {
  const source = scoresSql(d, board);
  const histogram = isBalanceBoard(board);
  const greater = histogram
    ? greaterThanSql(d, board.organizationId, board.category!, score)
    : sql`(SELECT COUNT(*) FROM (${source}) x WHERE x."score" > ${score})`;
  const distinctGreater =
    board.ranking !== 'DENSE'
      ? sql`0`
      : histogram
        ? distinctGreaterSql(d, board.organizationId, board.category!, score)
        : sql`(SELECT COUNT(DISTINCT x."score") FROM (${source}) x WHERE x."score" > ${score})`;
  return sql`${greater} AS "greater",
    (SELECT COUNT(*) FROM (${source}) x WHERE x."score" = ${score} AND x."earnerId" < ${earnerId}) AS "before",
    ${distinctGreater} AS "distinctGreater"`;
}


/** The earner's row with the counts that rank it. */
export function rowOfSql(d: Dialect, board: Board, earnerId: string): Sql {
  return sql`SELECT me."earnerId", me."score", ${rankCountsSql(d, board, sql`me."score"`, sql`me."earnerId"`)}
    FROM (${scoresSql(d, board)}) me WHERE me."earnerId" = ${d.text(earnerId)}`;
}

/** How many earners the board holds ("n"). */
export function boardSizeSql(d: Dialect, board: Board): Sql {
  if (isBalanceBoard(board)) return earnersSql(d, board.organizationId, board.category!);
  return sql`SELECT COUNT(*) AS n FROM (${scoresSql(d, board)}) s`;
}

/** The counts that rank a row of the board (see rankCountsSql). */
export function rankCountsOfSql(d: Dialect, board: Board, row: ScoreRow): Sql {
  return sql`SELECT ${rankCountsSql(d, board, d.int(row.score), d.text(row.earnerId))}`;
}
