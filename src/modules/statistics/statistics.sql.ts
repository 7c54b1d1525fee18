// The statements of ./service.ts. Buckets are a relation (column1: index, column2: start,
// column3: end), joined once per measure: one query each, whatever the number of buckets.
import type { Dialect } from '../../db/dialect.js';
import { empty, join, sql, type Sql } from '../../db/sql.js';

export interface BucketRange {
  start: Date;
  end: Date;
}

function bucketsSql(d: Dialect, buckets: readonly BucketRange[]): Sql {
  return join(buckets.map((bucket, index) => sql`(${d.int(index)}, ${d.timestamp(bucket.start)}, ${d.timestamp(bucket.end)})`));
}

/** Awards issued per bucket, of the organization (and template). */
export function issuedPerBucketSql(d: Dialect, organizationId: string, templateId: string | null | undefined, buckets: readonly BucketRange[]): Sql {
  const template = templateId ? sql` AND a."templateId" = ${d.text(templateId)}` : empty;
  return sql`SELECT b.column1 AS "bucket", COUNT(*) AS n FROM (VALUES ${bucketsSql(d, buckets)}) b
    JOIN "Award" a ON a."organizationId" = ${d.text(organizationId)}${template} AND a."issuedAt" >= b.column2 AND a."issuedAt" < b.column3
    GROUP BY b.column1`;
}

/** Revocations per bucket (history entries, so a revoke, restore and revoke again counts twice). */
export function revokedPerBucketSql(d: Dialect, organizationId: string, templateId: string | null | undefined, buckets: readonly BucketRange[]): Sql {
  return sql`SELECT b.column1 AS "bucket", COUNT(*) AS n FROM (VALUES ${bucketsSql(d, buckets)}) b
    JOIN "AwardHistoryEntry" h ON h."organizationId" = ${d.text(organizationId)} AND h."action" = ${d.enumValue('AwardAction', 'REVOKED')}
      AND h."at" >= b.column2 AND h."at" < b.column3
    ${templateId ? sql`JOIN "Award" a ON a."id" = h."awardId" AND a."templateId" = ${d.text(templateId)}` : empty}
    GROUP BY b.column1`;
}
