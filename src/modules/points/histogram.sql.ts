// The statements of the points histogram (./histogram.ts), and the rank counts read from it.
import type { Dialect } from '../../db/dialect.js';
import { join, raw, sql, type Sql } from '../../db/sql.js';

export const HISTOGRAM_WIDTH = 1024;

/** Adds each row's delta to its bucket's count of earners. */
export function moveHistogramSql(d: Dialect, organizationId: string, rows: ReadonlyArray<{ category: string; level: number; bucket: number; delta: number }>): Sql {
  const values = rows.map((row) => sql`(${d.text(organizationId)}, ${d.text(row.category)}, ${d.int(row.level)}, ${d.int(row.bucket)}, ${d.int(row.delta)})`);
  return sql`INSERT INTO "PointsHistogram" ("organizationId", "category", "level", "bucket", "earners")
    VALUES ${join(values)}
    ON CONFLICT ("organizationId", "category", "level", "bucket") DO UPDATE SET "earners" = "PointsHistogram"."earners" + excluded."earners"`;
}

const WIDTH_SQL = raw(String(HISTOGRAM_WIDTH));

/** SQL of bucketOf(balance): both databases' integer division truncates toward zero, so negatives are rounded down by hand. */
function bucketSql(balance: Sql): Sql {
  return sql`((${balance} - ((${balance} % ${WIDTH_SQL}) + ${WIDTH_SQL}) % ${WIDTH_SQL}) / ${WIDTH_SQL})`;
}

/**
 * SQL counting the earners of a category whose balance is greater than `balance`, an integer
 * expression: a parameter, or a column of the statement it is part of.
 */
export function greaterThanSql(d: Dialect, organizationId: string, category: string, balance: Sql): Sql {
  const where = sql`"organizationId" = ${d.text(organizationId)} AND "category" = ${d.text(category)}`;
  const bucket = bucketSql(balance);
  return sql`((SELECT COALESCE(SUM("earners"), 0) FROM "PointsHistogram" WHERE ${where} AND "level" = 1 AND "bucket" > ${bucket})
    + (SELECT COALESCE(SUM("earners"), 0) FROM "PointsHistogram" WHERE ${where} AND "level" = 0
        AND "bucket" > ${balance} AND "bucket" < (${bucket} + 1) * ${WIDTH_SQL}))`;
}

/** SQL counting the distinct balances of a category greater than `balance` (dense ranking). */
export function distinctGreaterSql(d: Dialect, organizationId: string, category: string, balance: Sql): Sql {
  return sql`(SELECT COUNT(*) FROM "PointsHistogram" WHERE "organizationId" = ${d.text(organizationId)} AND "category" = ${d.text(category)}
    AND "level" = 0 AND "bucket" > ${balance} AND "earners" > 0)`;
}

/** SQL counting the earners with a balance in a category. */
export function earnersSql(d: Dialect, organizationId: string, category: string): Sql {
  return sql`SELECT COALESCE(SUM("earners"), 0) AS n FROM "PointsHistogram"
    WHERE "organizationId" = ${d.text(organizationId)} AND "category" = ${d.text(category)} AND "level" = 1`;
}
