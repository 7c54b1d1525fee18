// The few places where hand-written SQL must differ between SQLite and PostgreSQL. Set-based
// work (automation's reconciliation, backfills) is raw SQL because Prisma's per-row writes are
// too slow for it; everything else goes through Prisma's query API.
//
// PostgreSQL infers a parameter's type from its context and finds none in a SELECT list or a
// string concatenation, so parameters there carry casts; SQLite needs none (and its CAST to an
// unknown type name would change the value), and stores dates as the ISO text Prisma writes.
import { Sql, raw, sql } from './sql.js';
import type { Provider } from './provider.js';

export interface Dialect {
  text(value: string | null): Sql;
  int(value: number | null): Sql;
  bool(value: boolean): Sql;
  timestamp(value: Date | null): Sql;
  /** A literal of a Prisma enum. */
  enumValue(type: string, value: string): Sql;
  /** A bound value of a Prisma enum. */
  enumParam(type: string, value: string | null): Sql;
  /** A bound value of a Json column. */
  json(value: unknown): Sql;
  /** An expression typed as a Prisma enum (a CASE choosing between enum literals). */
  enumExpression(type: string, expression: Sql): Sql;
  /** A fresh, unguessable id, evaluated once per row. */
  randomId: Sql;
  /** A JSON array of one text expression, for a Json column. */
  jsonArrayOf(expression: Sql): Sql;
  /**
   * True when the database runs one write transaction at a time (SQLite): row and advisory locks
   * that order concurrent writers are then needed nowhere.
   */
  oneWriterAtATime: boolean;
  /**
   * A column for an upsert's RETURNING that is true for the rows it inserted (PostgreSQL: a new
   * row has no xmax); undefined where the database cannot say (then read before the upsert).
   */
  insertedByUpsert: Sql | undefined;
  /** True when an INSERT or UPDATE may be a CTE of a larger statement (PostgreSQL). */
  writingCtes: boolean;
  /**
   * A statement taking a lock on `key` until the transaction ends, shared or exclusive; undefined
   * where writers are serialised anyway.
   */
  transactionLock(key: string, mode: 'shared' | 'exclusive'): Sql | undefined;
  /** ` FOR NO KEY UPDATE [OF table]` for a SELECT that locks rows; empty where writers are serialised anyway. */
  lockRows(of?: string): Sql;
}

const postgres: Dialect = {
  text: (value) => sql`CAST(${value} AS TEXT)`,
  int: (value) => sql`CAST(${value} AS INTEGER)`,
  bool: (value) => sql`CAST(${value} AS BOOLEAN)`,
  timestamp: (value) => sql`CAST(${value} AS TIMESTAMP(3))`,
  enumValue: (type, value) => raw(`CAST('${value}' AS "${type}")`),
  enumParam: (type, value) => sql`CAST(${value} AS ${raw(`"${type}"`)})`,
  json: (value) => sql`CAST(${value === null || value === undefined ? null : JSON.stringify(value)} AS JSONB)`,
  enumExpression: (type, expression) => sql`CAST((${expression}) AS ${raw(`"${type}"`)})`,
  randomId: raw(`replace(gen_random_uuid()::text, '-', '')`),
  jsonArrayOf: (expression) => sql`jsonb_build_array(${expression})`,
  oneWriterAtATime: false,
  insertedByUpsert: raw('(xmax = 0)'),
  writingCtes: true,
  transactionLock: (key, mode) =>
    mode === 'shared' ? sql`SELECT pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))` : sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`,
  lockRows: (of) => raw(of ? ` FOR NO KEY UPDATE OF ${of}` : ' FOR NO KEY UPDATE'),
};

const sqlite: Dialect = {
  text: (value) => sql`CAST(${value} AS TEXT)`,
  int: (value) => sql`CAST(${value} AS INTEGER)`,
  bool: (value) => sql`${value}`,
  timestamp: (value) => sql`${value}`,
  enumValue: (_type, value) => raw(`'${value}'`),
  enumParam: (_type, value) => sql`${value}`,
  json: (value) => sql`${value === null || value === undefined ? null : JSON.stringify(value)}`,
  enumExpression: (_type, expression) => expression,
  randomId: raw('lower(hex(randomblob(16)))'),
  jsonArrayOf: (expression) => sql`json_array(${expression})`,
  oneWriterAtATime: true,
  insertedByUpsert: undefined,
  writingCtes: false,
  transactionLock: () => undefined,
  lockRows: () => raw(''),
};

export function dialectFor(provider: Provider): Dialect {
  return provider === 'postgresql' ? postgres : sqlite;
}
