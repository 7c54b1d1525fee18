// The statements of ./service.ts.
import type { Dialect } from '../../db/dialect.js';
import { join, sql, type Sql } from '../../db/sql.js';

export interface NewDelivery {
  id: string;
  organizationId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  payload: string;
}

/**
 * Queued deliveries, due at `now`, in one statement: Prisma's createMany spent about 300 ms on
 * 1,000 rows on SQLite here, most of what webhooks added to a bulk issue (bench/webhooks.ts).
 */
export function insertDeliveriesSql(d: Dialect, rows: readonly NewDelivery[], now: Date): Sql {
  const values = rows.map(
    (row) => sql`(${d.text(row.id)}, ${d.text(row.organizationId)}, ${d.text(row.endpointId)}, ${d.text(row.eventId)}, ${d.text(row.eventType)},
      ${d.text(row.payload)}, ${d.enumValue('WebhookDeliveryStatus', 'QUEUED')}, 0, ${d.timestamp(now)}, ${d.timestamp(now)}, ${d.timestamp(now)})`,
  );
  return sql`INSERT INTO "WebhookDelivery" ("id", "organizationId", "endpointId", "eventId", "eventType", "payload", "status",
    "attempts", "nextAttemptAt", "createdAt", "updatedAt") VALUES ${join(values)}`;
}
