// The statements of ./queue.ts.
import type { Dialect } from '../../db/dialect.js';
import { join, sql, type Sql } from '../../db/sql.js';

/** Of these awards, those whose template sends the award email, with their earner's address. */
export function awardsToEmailSql(d: Dialect, awardIds: readonly string[]): Sql {
  return sql`SELECT a."id" AS "awardId", a."organizationId", e."email"
    FROM "Award" a JOIN "BadgeTemplate" t ON t."id" = a."templateId" JOIN "Earner" e ON e."id" = a."earnerId"
    WHERE a."id" IN (${join(awardIds)}) AND t."emailOnIssue" = ${d.bool(true)}`;
}

/** Award notifications, due at once. */
export function insertNotificationsSql(d: Dialect, rows: ReadonlyArray<{ id: string; awardId: string; organizationId: string; email: string }>, now: Date): Sql {
  const values = rows.map(
    (row) => sql`(${d.text(row.id)}, ${d.text(row.organizationId)}, ${d.text(row.awardId)}, ${d.enumValue('EmailKind', 'AWARD_NOTIFICATION')},
      ${d.json([row.email])}, ${d.enumValue('EmailStatus', 'QUEUED')}, 0, ${d.timestamp(now)}, ${d.timestamp(now)}, ${d.timestamp(now)})`,
  );
  return sql`INSERT INTO "EmailMessage" ("id", "organizationId", "awardId", "kind", "recipients", "status",
    "attempts", "nextAttemptAt", "createdAt", "updatedAt") VALUES ${join(values)}`;
}
