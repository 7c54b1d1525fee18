// The statements of reconciliation (./reconcile.ts): which slots a rule wants filled, per earner.
import type { Dialect } from '../../db/dialect.js';
import { empty, join, raw, sql, type Sql } from '../../db/sql.js';
import { liveSql, onceHoldKeySql } from '../awards/index.js';
import { addDays } from '../../shared/clock.js';
import { earnerScopeSql, type EarnerScope } from '../earners/index.js';
import { activeMembershipSql } from './membership-status.js';
import { MAX_POINTS_LEVELS, type Rule } from './rules.js';
import { slotKeySql } from './slots.js';

/**
 * The CTEs ending in `slots("earnerId", "key", "level")`: the slots that should hold a live award,
 * for the earners in `scope`:
 *   points      p1..pN, N = floor(balance / threshold) (a ONCE template: p1 only)
 *   membership  m while any membership of a listed product is active (REPEATABLE: m:<id> per membership)
 *   action      a once the earner has minCount actions of the type, within the window if any
 *               (REPEATABLE: a:<id> for every minCount-th action, in the order they were recorded)
 */
export function slotsSql(d: Dialect, rule: Rule, once: boolean, scope: EarnerScope, now: Date): Sql {
  const template = d.text(rule.templateId);
  const org = d.text(rule.organizationId);
  switch (rule.kind) {
    case 'POINTS':
      return sql`levels(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM levels WHERE n < ${d.int(once ? 1 : MAX_POINTS_LEVELS)}),
        slots AS (
          SELECT b."earnerId" AS "earnerId", ${slotKeySql(template, raw('b."earnerId"'), sql`'p' || CAST(l.n AS TEXT)`)} AS "key", l.n AS "level"
          FROM "PointsBalance" b JOIN levels l ON l.n * ${d.int(rule.pointsThreshold)} <= b."balance"
          WHERE b."organizationId" = ${org} AND b."category" = ${d.text(rule.pointsCategory)} AND ${earnerScopeSql(scope, raw('b."earnerId"'))})`;
    case 'MEMBERSHIP':
      return sql`slots AS (
          SELECT ${once ? sql`DISTINCT` : empty} m."earnerId" AS "earnerId",
            ${slotKeySql(template, raw('m."earnerId"'), once ? sql`'m'` : sql`'m:' || m."id"`)} AS "key", CAST(NULL AS INTEGER) AS "level"
          FROM "Membership" m
          WHERE m."organizationId" = ${org} AND ${activeMembershipSql(d, now, 'm')}
            AND m."productId" IN (${join(rule.productIds.map((id) => d.text(id)))}) AND ${earnerScopeSql(scope, raw('m."earnerId"'))})`;
    case 'ACTION': {
      const actions = sql`"Action" a WHERE a."organizationId" = ${org} AND a."type" = ${d.text(rule.actionType)} AND ${earnerScopeSql(scope, raw('a."earnerId"'))}`;
      if (once) {
        const since = rule.actionWindowDays ? sql` AND a."occurredAt" > ${d.timestamp(addDays(now, -rule.actionWindowDays))}` : empty;
        return sql`slots AS (
            SELECT a."earnerId" AS "earnerId", ${slotKeySql(template, raw('a."earnerId"'), sql`'a'`)} AS "key", CAST(NULL AS INTEGER) AS "level"
            FROM ${actions}${since}
            GROUP BY a."earnerId" HAVING COUNT(*) >= ${d.int(rule.actionMinCount)})`;
      }
      return sql`numbered AS (
          SELECT a."id", a."earnerId", ROW_NUMBER() OVER (PARTITION BY a."earnerId" ORDER BY a."createdAt", a."id") AS rn FROM ${actions}),
        slots AS (
          SELECT "earnerId", ${slotKeySql(template, raw('"earnerId"'), sql`'a:' || "id"`)} AS "key", CAST(NULL AS INTEGER) AS "level"
          FROM numbered WHERE rn % ${d.int(rule.actionMinCount)} = 0)`;
    }
  }
}

/** A slot no award fills yet, with what an award for its earner copies. */
export interface EmptySlot {
  earnerId: string;
  key: string;
  level: number | bigint | null;
  name: string;
  nameLower: string;
  firstName: string | null;
  lastName: string | null;
  email: string;
  emailLower: string;
}

/** The slots of `slots` that no award fills yet, with their earners. */
export function emptySlotsSql(slots: Sql): Sql {
  return sql`WITH RECURSIVE ${slots}
    SELECT s."earnerId", s."key", s."level", e."name", e."nameLower", e."firstName", e."lastName", e."email", e."emailLower"
    FROM slots s JOIN "Earner" e ON e."id" = s."earnerId"
    WHERE NOT EXISTS (SELECT 1 FROM "Award" x WHERE x."automationKey" = s."key")`;
}

/** One slot, for an award asked for by name (awardForAction). */
export function oneSlotSql(d: Dialect, earnerId: string, key: string): Sql {
  return sql`slots AS (SELECT ${d.text(earnerId)} AS "earnerId", ${d.text(key)} AS "key", CAST(NULL AS INTEGER) AS "level")`;
}

/** The automated awards of the rule, in scope, that are live but whose slot is no longer earned. */
export function unearnedSql(d: Dialect, rule: Rule, scope: EarnerScope, now: Date): Sql {
  return sql`"templateId" = ${d.text(rule.templateId)} AND ${earnerScopeSql(scope, raw('"earnerId"'))}
    AND "automationKind" = ${d.enumValue('AwardRuleKind', rule.kind)} AND ${liveSql(d, now)}
    AND "automationKey" NOT IN (SELECT "key" FROM slots)`;
}

/** The hold key of the award being updated, for a ONCE template. */
export const HOLD_KEY_OF_ROW = onceHoldKeySql(raw('"Award"."templateId"'), raw('"Award"."earnerId"'));

/**
 * The awards of the rule, in scope, that automation revoked and whose slot is earned again (on a
 * ONCE template, unless another live award holds the badge for the earner).
 */
export function earnedAgainSql(d: Dialect, rule: Rule, scope: EarnerScope, once: boolean): Sql {
  return sql`"templateId" = ${d.text(rule.templateId)} AND ${earnerScopeSql(scope, raw('"earnerId"'))}
    AND "automationRevoked" = ${d.bool(true)} AND "status" = ${d.enumValue('AwardStatus', 'REVOKED')}
    AND "automationKey" IN (SELECT "key" FROM slots)
    ${once ? sql`AND NOT EXISTS (SELECT 1 FROM "Award" h WHERE h."onceHoldKey" = ${HOLD_KEY_OF_ROW})` : empty}`;
}
