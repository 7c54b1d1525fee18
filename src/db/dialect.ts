// The few places where hand-written SQL must differ between SQLite and PostgreSQL. Set-based
// work (automation's reconciliation, backfills) is raw SQL because Prisma's per-row writes are
// too slow for it; everything else goes through Prisma's query API.
//
// PostgreSQL infers a parameter's type from its context and finds none in a SELECT list or a
// string concatenation, so parameters there carry casts; SQLite needs none (and its CAST to an
// unknown type name would change the value), and stores dates as the ISO text Prisma writes.
import { Prisma } from '../generated/prisma-sqlite/client.js';
import type { Provider } from './provider.js';

export interface Dialect {
  text(value: string | null): Prisma.Sql;
  int(value: number | null): Prisma.Sql;
  bool(value: boolean): Prisma.Sql;
  timestamp(value: Date | null): Prisma.Sql;
  /** A literal of a Prisma enum. */
  enumValue(type: string, value: string): Prisma.Sql;
  /** An expression typed as a Prisma enum (a CASE choosing between enum literals). */
  enumExpression(type: string, expression: Prisma.Sql): Prisma.Sql;
  /** A fresh, unguessable id, evaluated once per row. */
  randomId: Prisma.Sql;
  /** A JSON array of one text expression, for a Json column. */
  jsonArrayOf(expression: Prisma.Sql): Prisma.Sql;
}

const postgres: Dialect = {
  text: (value) => Prisma.sql`CAST(${value} AS TEXT)`,
  int: (value) => Prisma.sql`CAST(${value} AS INTEGER)`,
  bool: (value) => Prisma.sql`CAST(${value} AS BOOLEAN)`,
  timestamp: (value) => Prisma.sql`CAST(${value} AS TIMESTAMP(3))`,
  enumValue: (type, value) => Prisma.raw(`CAST('${value}' AS "${type}")`),
  enumExpression: (type, expression) => Prisma.sql`CAST((${expression}) AS ${Prisma.raw(`"${type}"`)})`,
  randomId: Prisma.raw(`replace(gen_random_uuid()::text, '-', '')`),
  jsonArrayOf: (expression) => Prisma.sql`jsonb_build_array(${expression})`,
};

const sqlite: Dialect = {
  text: (value) => Prisma.sql`CAST(${value} AS TEXT)`,
  int: (value) => Prisma.sql`CAST(${value} AS INTEGER)`,
  bool: (value) => Prisma.sql`${value}`,
  timestamp: (value) => Prisma.sql`${value}`,
  enumValue: (_type, value) => Prisma.raw(`'${value}'`),
  enumExpression: (_type, expression) => expression,
  randomId: Prisma.raw('lower(hex(randomblob(16)))'),
  jsonArrayOf: (expression) => Prisma.sql`json_array(${expression})`,
};

export function dialectFor(provider: Provider): Dialect {
  return provider === 'postgresql' ? postgres : sqlite;
}
