// The statements of engagement (./recorder.ts, ./service.ts).
import type { Dialect } from '../../db/dialect.js';
import { join, sql, type Sql } from '../../db/sql.js';
import type { EngagementKind } from '../../generated/prisma-sqlite/client.js';

interface EngagementRow {
  publicId: string;
  kind: EngagementKind;
  network: string;
  addressHash: string;
}

/** A counter to raise by `count`. */
export interface Increment {
  organizationId: string;
  awardId: string;
  kind: string;
  network: string;
  count: number;
}

/**
 * A batch in one statement (databases with writing CTEs): finds each event's award, marks its
 * address seen unless it was counted within `windowMs`, raises the counters of those counted, and
 * returns each event's award and whether it counted, by position ("ord").
 */
export function countInOneStatementSql(d: Dialect, events: readonly EngagementRow[], now: Date, windowMs: number): Sql {
  return sql`
      WITH input AS (
        SELECT i."ord", i."publicId", CAST(i."kind" AS "EngagementKind") AS "kind", i."network", i."addressHash"
        FROM unnest(CAST(${events.map((_, index) => index)} AS INTEGER[]), CAST(${events.map((event) => event.publicId)} AS TEXT[]),
          CAST(${events.map((event) => event.kind)} AS TEXT[]), CAST(${events.map((event) => event.network)} AS TEXT[]),
          CAST(${events.map((event) => event.addressHash)} AS TEXT[])) AS i("ord", "publicId", "kind", "network", "addressHash")
      ), found AS (
        SELECT i.*, a."id" AS "awardId", a."organizationId", a."status" FROM input i JOIN "Award" a ON a."publicId" = i."publicId"
      ), seen AS (
        INSERT INTO "EngagementSeen" ("awardId", "kind", "network", "addressHash", "lastCountedAt")
        SELECT "awardId", "kind", "network", "addressHash", ${d.timestamp(now)} FROM found WHERE "status" <> ${d.enumValue('AwardStatus', 'REVOKED')}
        -- Rows are locked in one order, so batches of several instances cannot deadlock.
        ORDER BY "awardId", "kind", "network", "addressHash"
        ON CONFLICT ("awardId", "kind", "network", "addressHash") DO UPDATE SET "lastCountedAt" = excluded."lastCountedAt"
          WHERE "EngagementSeen"."lastCountedAt" <= ${d.timestamp(new Date(now.getTime() - windowMs))}
        RETURNING "awardId", "kind", "network", "addressHash"
      ), counted AS (
        SELECT f.* FROM found f JOIN seen s
          ON s."awardId" = f."awardId" AND s."kind" = f."kind" AND s."network" = f."network" AND s."addressHash" = f."addressHash"
      ), bumped AS (
        INSERT INTO "EngagementCount" ("organizationId", "awardId", "kind", "network", "count", "updatedAt")
        SELECT "organizationId", "awardId", "kind", "network", COUNT(*), ${d.timestamp(now)} FROM counted
        GROUP BY "organizationId", "awardId", "kind", "network" ORDER BY "awardId", "kind", "network"
        ON CONFLICT ("awardId", "kind", "network") DO UPDATE SET "count" = "EngagementCount"."count" + excluded."count", "updatedAt" = excluded."updatedAt"
      )
      SELECT i."ord", f."awardId", f."organizationId", f."status", c."ord" IS NOT NULL AS "counted"
      FROM input i LEFT JOIN found f ON f."ord" = i."ord" LEFT JOIN counted c ON c."ord" = i."ord"`;
}

export function awardsByPublicIdSql(publicIds: readonly string[]): Sql {
  return sql`SELECT "id", "organizationId", "status", "publicId" FROM "Award" WHERE "publicId" IN (${join(publicIds)})`;
}

/** Marks addresses seen unless counted within `windowMs`; returns those it marked (they count). */
export function markSeenSql(d: Dialect, rows: ReadonlyArray<EngagementRow & { awardId: string }>, now: Date, windowMs: number): Sql {
  const values = rows.map((row) => sql`(${row.awardId}, ${row.kind}, ${row.network}, ${row.addressHash}, ${d.timestamp(now)})`);
  return sql`INSERT INTO "EngagementSeen" ("awardId", "kind", "network", "addressHash", "lastCountedAt") VALUES ${join(values)}
    ON CONFLICT ("awardId", "kind", "network", "addressHash") DO UPDATE SET "lastCountedAt" = excluded."lastCountedAt"
      WHERE "EngagementSeen"."lastCountedAt" <= ${d.timestamp(new Date(now.getTime() - windowMs))}
    RETURNING "awardId", "kind", "network", "addressHash"`;
}

export function bumpCountsSql(d: Dialect, increments: readonly Increment[], now: Date): Sql {
  const values = increments.map(
    (entry) => sql`(${entry.organizationId}, ${entry.awardId}, ${entry.kind}, ${entry.network}, ${entry.count}, ${d.timestamp(now)})`,
  );
  return sql`INSERT INTO "EngagementCount" ("organizationId", "awardId", "kind", "network", "count", "updatedAt") VALUES ${join(values)}
    ON CONFLICT ("awardId", "kind", "network") DO UPDATE SET "count" = "EngagementCount"."count" + excluded."count", "updatedAt" = excluded."updatedAt"`;
}

/** Keeps `value` as the setting `key` unless one is already kept. */
export function keepSettingSql(d: Dialect, key: string, value: string, now: Date): Sql {
  return sql`INSERT INTO "SystemSetting" ("key", "value", "createdAt") VALUES (${key}, ${value}, ${d.timestamp(now)}) ON CONFLICT ("key") DO NOTHING`;
}
