// The statements of the award writer (./writer.ts). Every column it writes is listed here with
// its type, so each value is bound with the cast its provider needs, and nothing but these
// names ever becomes a column in SQL.
import type { Dialect } from '../../db/dialect.js';
import { join, raw, sql, type Sql } from '../../db/sql.js';

type ColumnType = 'text' | 'int' | 'bool' | 'timestamp' | 'json' | { enum: string };

/** The columns of Award that writes set, and their types. */
export const AWARD_COLUMNS = {
  id: 'text',
  organizationId: 'text',
  templateId: 'text',
  templateVersionNumber: 'int',
  earnerId: 'text',
  recipientName: 'text',
  recipientNameLower: 'text',
  recipientFirstName: 'text',
  recipientLastName: 'text',
  recipientEmail: 'text',
  recipientEmailLower: 'text',
  status: { enum: 'AwardStatus' },
  imported: 'bool',
  imageUrl: 'text',
  imageHighResolutionUrl: 'text',
  imageThumbnailUrl: 'text',
  activityTitle: 'text',
  activityStartedAt: 'timestamp',
  activityEndedAt: 'timestamp',
  notes: 'text',
  additionalDetails: 'json',
  evidence: 'json',
  publicId: 'text',
  issuedAt: 'timestamp',
  expiresAt: 'timestamp',
  acceptedAt: 'timestamp',
  rejectedAt: 'timestamp',
  revokedAt: 'timestamp',
  revokedReason: 'text',
  legacyId: 'text',
  idempotencyKey: 'text',
  idempotencyHash: 'text',
  onceHoldKey: 'text',
  source: { enum: 'AwardSource' },
  automationKey: 'text',
  automationLevel: 'int',
  automationKind: { enum: 'AwardRuleKind' },
  automationRevoked: 'bool',
  createdAt: 'timestamp',
  updatedAt: 'timestamp',
} as const satisfies Record<string, ColumnType>;

export type AwardColumn = keyof typeof AWARD_COLUMNS;

/** A value for a column, or SQL computing it from the row (an assignment's right-hand side). */
export type ColumnValue = string | number | boolean | Date | null | Record<string, unknown> | readonly unknown[] | Sql;

function isSql(value: ColumnValue): value is Sql {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && 'strings' in value && 'values' in value;
}

/** A bound value of a column, cast as its type needs. */
export function valueSql(d: Dialect, column: AwardColumn, value: ColumnValue): Sql {
  if (isSql(value)) return value;
  const type: ColumnType = AWARD_COLUMNS[column];
  if (typeof type === 'object') return d.enumParam(type.enum, value as string | null);
  switch (type) {
    case 'text':
      return d.text(value as string | null);
    case 'int':
      return d.int(value as number | null);
    case 'bool':
      return d.bool(value as boolean);
    case 'timestamp':
      return d.timestamp(value as Date | null);
    case 'json':
      return d.json(value as Record<string, unknown> | readonly unknown[] | null);
  }
}

const quoted = (column: string) => raw(`"${column}"`);

/** `"column" = value, …` for the columns given. */
export function assignmentsSql(d: Dialect, changes: Partial<Record<AwardColumn, ColumnValue>>): Sql {
  return join(
    Object.entries(changes).map(([column, value]) => sql`${quoted(column)} = ${valueSql(d, column as AwardColumn, value as ColumnValue)}`),
    ', ',
  );
}

/** A multi-row INSERT of awards; with `skipTaken`, rows that would break a unique key are left out. */
export function insertAwardsSql(d: Dialect, rows: ReadonlyArray<Record<AwardColumn, ColumnValue>>, skipTaken: boolean): Sql {
  const columns = Object.keys(AWARD_COLUMNS) as AwardColumn[];
  const values = rows.map((row) => sql`(${join(columns.map((column) => valueSql(d, column, row[column])))})`);
  return sql`INSERT INTO "Award" (${join(columns.map(quoted))}) VALUES ${join(values)}
    ${skipTaken ? sql`ON CONFLICT DO NOTHING` : sql``}
    RETURNING "id", "organizationId", "templateId", "earnerId", "revision"`;
}

/** An UPDATE of the awards matching `where`, after the CTEs `ctes` when given, bumping their revision. */
export function updateAwardsSql(d: Dialect, change: { ctes?: Sql; where: Sql; set: Sql }, at: Date): Sql {
  return sql`${change.ctes ? sql`WITH RECURSIVE ${change.ctes} ` : sql``}UPDATE "Award"
    SET ${change.set}, "revision" = "revision" + 1, "updatedAt" = ${d.timestamp(at)}
    WHERE ${change.where}
    RETURNING "id", "organizationId", "templateId", "earnerId", "revision"`;
}

export interface HistoryRow {
  id: string;
  organizationId: string;
  awardId: string;
  sequence: number;
}

/** The history entries of one write: each row's id, award and place, and what they share. */
export function insertHistorySql(
  d: Dialect,
  rows: readonly HistoryRow[],
  shared: { action: string; reason: string | null; origin: string; actorApiKeyId: string | null; triggeredByApiKeyId: string | null; at: Date },
): Sql {
  const common = sql`${d.enumParam('AwardAction', shared.action)}, ${d.text(shared.reason)}, ${d.enumParam('AwardChangeOrigin', shared.origin)},
    ${d.text(shared.actorApiKeyId)}, ${d.text(shared.triggeredByApiKeyId)}, ${d.timestamp(shared.at)}`;
  const values = rows.map((row) => sql`(${d.text(row.id)}, ${d.text(row.organizationId)}, ${d.text(row.awardId)}, ${d.int(row.sequence)}, ${common})`);
  return sql`INSERT INTO "AwardHistoryEntry" ("id", "organizationId", "awardId", "sequence", "action", "reason", "origin", "actorApiKeyId",
    "triggeredByApiKeyId", "at") VALUES ${join(values)}`;
}

/** The awards with these ids. */
export function awardIdsSql(ids: readonly string[]): Sql {
  return sql`"id" IN (${join(ids)})`;
}

/** Deletes the awards with these ids, returning what their events and tombstones need. */
export function deleteAwardsSql(ids: readonly string[]): Sql {
  return sql`DELETE FROM "Award" WHERE ${awardIdsSql(ids)}
    RETURNING "id", "organizationId", "templateId", "earnerId", "publicId", "statusListIndex"`;
}
