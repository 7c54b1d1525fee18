// Reconciliation: make a rule's automated awards match what its earners have earned, in
// set-based SQL. The same statements serve every path, so they cannot disagree:
// - the live path (a points change, a membership, an action), scoped to one earner, inside the
//   transaction of the change;
// - the scheduler (memberships that reached their end date), scoped to the earners concerned;
// - the backfill of a new or changed rule, scoped to a range of earner ids, batch after batch.
//
// A rule defines, per earner, the *slots* that should hold a live award:
//   points      p1..pN, N = floor(balance / threshold) (a ONCE template: p1 only, up to 1)
//   membership  m while any membership of a listed product is active (REPEATABLE: m:<id> per membership)
//   action      a once the earner has minCount actions of the type, within the window if any
//               (REPEATABLE: a:<id> for every minCount-th action, in the order they were recorded)
// Each automated award fills one slot for good (Award.automationKey, unique): a slot is awarded
// once however often a rule runs, is retried or raced. Then, per slot:
//   - no award yet: issue one (ACCEPTED; on a ONCE template only if the earner holds none);
//   - revoked by automation: restore it (crossing back restores; the history keeps both);
//   - live, but no longer earned: revoke it with the reason (points and memberships only: an
//     action, once done, stays done).
// Awards issued by people, and awards people revoked, are never touched.
import { Sql, empty, join, sql } from '../../db/sql.js';
import { dialectFor, type Dialect } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import type { AwardEvent } from '../../events/events.js';
import { addDays } from '../../shared/clock.js';
import { enqueueAwardEmails } from '../email/service.js';
import { earnerScopeSql, type EarnerScope } from '../earners/locks.js';
import { MAX_POINTS_LEVELS, type Rule } from './rules.js';

/** Which earners to reconcile: a list, or the ids in (after, upTo] of the organization. */
export type Scope = EarnerScope;

export interface Reconciled {
  issued: string[];
  restored: string[];
  revoked: string[];
  events: AwardEvent[];
}

type Touched = Array<{ id: string; earnerId: string }>;

const EMPTY: Reconciled = { issued: [], restored: [], revoked: [], events: [] };

/** The CTEs ending in `slots("earnerId", "key", "level")`: the slots that should hold a live award. */
function slotsSql(d: Dialect, rule: Rule, once: boolean, scope: Scope, now: Date): Sql {
  const prefix = sql`${d.text(rule.templateId)} || ':' || `;
  const org = d.text(rule.organizationId);
  switch (rule.kind) {
    case 'POINTS':
      return sql`levels(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM levels WHERE n < ${d.int(once ? 1 : MAX_POINTS_LEVELS)}),
        slots AS (
          SELECT b."earnerId" AS "earnerId", ${prefix}b."earnerId" || ':p' || CAST(l.n AS TEXT) AS "key", l.n AS "level"
          FROM "PointsBalance" b JOIN levels l ON l.n * ${d.int(rule.pointsThreshold)} <= b."balance"
          WHERE b."organizationId" = ${org} AND b."category" = ${d.text(rule.pointsCategory)} AND ${earnerScopeSql(scope, 'b."earnerId"')})`;
    case 'MEMBERSHIP':
      return sql`slots AS (
          SELECT ${once ? sql`DISTINCT m."earnerId" AS "earnerId", ${prefix}m."earnerId" || ':m'` : sql`m."earnerId" AS "earnerId", ${prefix}m."earnerId" || ':m:' || m."id"`} AS "key",
            CAST(NULL AS INTEGER) AS "level"
          FROM "Membership" m
          WHERE m."organizationId" = ${org} AND m."status" = 'ACTIVE' AND (m."endsAt" IS NULL OR m."endsAt" > ${d.timestamp(now)})
            AND m."productId" IN (${join(rule.productIds.map((id) => d.text(id)))}) AND ${earnerScopeSql(scope, 'm."earnerId"')})`;
    case 'ACTION': {
      const actions = sql`"Action" a WHERE a."organizationId" = ${org} AND a."type" = ${d.text(rule.actionType)} AND ${earnerScopeSql(scope, 'a."earnerId"')}`;
      if (once) {
        const since = rule.actionWindowDays ? sql` AND a."occurredAt" > ${d.timestamp(addDays(now, -rule.actionWindowDays))}` : empty;
        return sql`slots AS (
            SELECT a."earnerId" AS "earnerId", ${prefix}a."earnerId" || ':a' AS "key", CAST(NULL AS INTEGER) AS "level"
            FROM ${actions}${since}
            GROUP BY a."earnerId" HAVING COUNT(*) >= ${d.int(rule.actionMinCount)})`;
      }
      return sql`numbered AS (
          SELECT a."id", a."earnerId", ROW_NUMBER() OVER (PARTITION BY a."earnerId" ORDER BY a."createdAt", a."id") AS rn FROM ${actions}),
        slots AS (
          SELECT "earnerId", ${prefix}"earnerId" || ':a:' || "id" AS "key", CAST(NULL AS INTEGER) AS "level"
          FROM numbered WHERE rn % ${d.int(rule.actionMinCount)} = 0)`;
    }
  }
}

/** The text an earner sees on an award automation revoked, and in the history. */
export function revocationReason(rule: Rule): string {
  switch (rule.kind) {
    case 'POINTS':
      return `Automation: fewer ${rule.pointsCategory} points than this badge requires.`;
    case 'MEMBERSHIP':
      return 'Automation: the membership that earned this badge has ended.';
    case 'ACTION':
      return 'Automation.';
  }
}

function issueReason(rule: Rule): string {
  switch (rule.kind) {
    case 'POINTS':
      return `Automation: ${rule.pointsCategory} points reached the threshold (${rule.pointsThreshold}).`;
    case 'MEMBERSHIP':
      return `Automation: active membership of ${rule.productIds.join(', ')}.`;
    case 'ACTION':
      return `Automation: ${rule.actionMinCount} × ${rule.actionType}.`;
  }
}

interface HistoryEntry {
  action: 'ISSUED' | 'RESTORED' | 'REVOKED';
  reason: string;
  /** MANUAL with the key as actor for an award asked for by name (awardForAction); else AUTOMATION. */
  origin: 'MANUAL' | 'AUTOMATION';
  actorApiKeyId: string | null;
  /** For AUTOMATION: the key whose request led the rule to act (null for backfills and schedules). */
  triggeredByApiKeyId: string | null;
  now: Date;
}

/**
 * Runs `change` (an INSERT or UPDATE of awards after the `slots` CTEs, returning "id" and
 * "earnerId") and records a history entry for every award it returned. On PostgreSQL this is one
 * statement, the entries written by a CTE over the changed rows: no second round trip, and no list
 * of a thousand ids, which a planner whose statistics lag behind a fast-growing Award table (a
 * backfill) answered with a sequential scan per batch. SQLite has no writing CTEs: the entries
 * follow in a second statement over the ids.
 */
async function changeWithHistory(tx: Tx, provider: Provider, slots: Sql, change: Sql, entry: HistoryEntry): Promise<Touched> {
  const d = dialectFor(provider);
  const values = sql`${d.enumValue('AwardAction', entry.action)}, ${d.text(entry.reason)}, ${d.enumValue('AwardChangeOrigin', entry.origin)},
    ${d.text(entry.actorApiKeyId)}, ${d.text(entry.triggeredByApiKeyId)}, ${d.timestamp(entry.now)}`;
  const columns = sql`("id", "organizationId", "awardId", "sequence", "action", "reason", "origin", "actorApiKeyId", "triggeredByApiKeyId", "at")`;
  // Each entry is numbered with the revision its change gave the award (see Award.revision).
  if (provider === 'postgresql') {
    return tx.$queryRaw<Touched>`WITH RECURSIVE ${slots},
      changed AS (${change} RETURNING "id", "earnerId", "organizationId", "revision"),
      entries AS (INSERT INTO "AwardHistoryEntry" ${columns} SELECT ${d.randomId}, c."organizationId", c."id", c."revision", ${values} FROM changed c)
      SELECT "id", "earnerId" FROM changed`;
  }
  const touched = await tx.$queryRaw<Touched>`WITH RECURSIVE ${slots} ${change} RETURNING "id", "earnerId"`;
  for (let start = 0; start < touched.length; start += 1000) {
    const ids = touched.slice(start, start + 1000).map((award) => award.id);
    await tx.$executeRaw`INSERT INTO "AwardHistoryEntry" ${columns}
      SELECT ${d.randomId}, a."organizationId", a."id", a."revision", ${values} FROM "Award" a WHERE a."id" IN (${join(ids)})`;
  }
  return touched;
}

/** What reconciliation needs of a rule's template (rulesFor reads it with the rule). */
export type TemplateForAutomation = {
  id: string;
  state: string;
  awardMode: 'ONCE' | 'REPEATABLE';
  version: number;
  validityDays: number | null;
  imageUrl: string | null;
  imageHighResolutionUrl: string | null;
  imageThumbnailUrl: string | null;
  emailOnIssue: boolean;
};

export const TEMPLATE_FOR_AUTOMATION = {
  id: true,
  state: true,
  awardMode: true,
  version: true,
  validityDays: true,
  imageUrl: true,
  imageHighResolutionUrl: true,
  imageThumbnailUrl: true,
  emailOnIssue: true,
} as const;

function loadTemplate(tx: Tx, templateId: string): Promise<TemplateForAutomation | null> {
  return tx.badgeTemplate.findUnique({ where: { id: templateId }, select: TEMPLATE_FOR_AUTOMATION });
}

/**
 * Issues an award into each slot of `slots` that none holds yet (and, on a ONCE template, whose
 * earner holds none), with its ISSUED history entry.
 */
function insertSlots(tx: Tx, provider: Provider, rule: Rule, template: TemplateForAutomation, slots: Sql, entry: HistoryEntry) {
  const d = dialectFor(provider);
  const { now } = entry;
  const t = d.text(template.id);
  const holdKey = template.awardMode === 'ONCE' ? sql`${t} || ':' || e."id"` : sql`CAST(NULL AS TEXT)`;
  return changeWithHistory(
    tx,
    provider,
    slots,
    sql`INSERT INTO "Award" ("id", "organizationId", "templateId", "templateVersionNumber", "earnerId", "recipientName",
      "recipientNameLower", "recipientFirstName", "recipientLastName", "recipientEmail", "recipientEmailLower", "status",
      "imported", "imageUrl", "imageHighResolutionUrl", "imageThumbnailUrl", "publicId", "issuedAt", "expiresAt",
      "acceptedAt", "source", "automationKey", "automationLevel", "automationKind", "automationRevoked", "onceHoldKey",
      "createdAt", "updatedAt")
    SELECT ${d.randomId}, ${d.text(rule.organizationId)}, ${t}, ${d.int(template.version)}, e."id", e."name",
      e."nameLower", e."firstName", e."lastName", e."email", e."emailLower", ${d.enumValue('AwardStatus', 'ACCEPTED')},
      ${d.bool(false)}, ${d.text(template.imageUrl)}, ${d.text(template.imageHighResolutionUrl)}, ${d.text(template.imageThumbnailUrl)},
      ${d.randomId}, ${d.timestamp(now)}, ${d.timestamp(template.validityDays ? addDays(now, template.validityDays) : null)},
      ${d.timestamp(now)}, ${d.enumValue('AwardSource', 'AUTOMATION')}, s."key", s."level", ${d.enumValue('AwardRuleKind', rule.kind)},
      ${d.bool(false)}, ${holdKey}, ${d.timestamp(now)}, ${d.timestamp(now)}
    FROM slots s JOIN "Earner" e ON e."id" = s."earnerId"
    WHERE NOT EXISTS (SELECT 1 FROM "Award" x WHERE x."automationKey" = s."key")
    ON CONFLICT DO NOTHING`,
    entry,
  );
}

function awardEvents(rule: Rule, now: Date, change: AwardEvent['change'], touched: Touched): AwardEvent[] {
  const at = now.toISOString();
  return touched.map((award) => ({
    kind: 'award',
    change,
    organizationId: rule.organizationId,
    awardId: award.id,
    templateId: rule.templateId,
    earnerId: award.earnerId,
    at,
  }));
}

/** The slot an explicit award for one action fills (see awardForAction). */
export function actionSlotKey(templateId: string, earnerId: string, actionId: string, once: boolean): string {
  return once ? `${templateId}:${earnerId}:a` : `${templateId}:${earnerId}:a:${actionId}`;
}

/**
 * Issues the award of one action's slot, as reconciliation would. Returns the award's id when it
 * issued one, undefined when the slot was taken (or, on a ONCE template, the earner holds one).
 */
export async function issueForAction(
  tx: Tx,
  provider: Provider,
  rule: Rule,
  earnerId: string,
  key: string,
  now: Date,
  actorApiKeyId: string,
): Promise<{ awardId: string; events: AwardEvent[] } | undefined> {
  const template = await loadTemplate(tx, rule.templateId);
  if (!template) return undefined;
  const d = dialectFor(provider);
  const slots = sql`slots AS (SELECT ${d.text(earnerId)} AS "earnerId", ${d.text(key)} AS "key", CAST(NULL AS INTEGER) AS "level")`;
  const issued = await insertSlots(tx, provider, rule, template, slots, {
    action: 'ISSUED',
    reason: 'Awarded for an action.',
    origin: 'MANUAL',
    actorApiKeyId,
    triggeredByApiKeyId: null,
    now,
  });
  if (issued.length === 0) return undefined;
  if (template.emailOnIssue) await enqueueAwardEmails(tx, provider, issued.map((award) => award.id), now);
  return { awardId: issued[0]!.id, events: awardEvents(rule, now, 'ISSUED', issued) };
}

/**
 * Reconciles one rule for the earners in `scope`, in the caller's transaction, which holds their
 * locks (lockEarners) and took `now` after it had them. Returns what changed and the events to
 * publish once the transaction commits. A template that is not active is left alone.
 */
export async function reconcile(
  tx: Tx,
  provider: Provider,
  rule: Rule & { template?: TemplateForAutomation },
  scope: Scope,
  now: Date,
  options: { triggeredByApiKeyId?: string | null; direction?: 'up' | 'down' } = {},
): Promise<Reconciled> {
  if ('earnerIds' in scope && scope.earnerIds.length === 0) return EMPTY;
  const template = rule.template ?? (await loadTemplate(tx, rule.templateId));
  if (!template || template.state !== 'ACTIVE') return EMPTY;
  const by = { origin: 'AUTOMATION' as const, actorApiKeyId: null, triggeredByApiKeyId: options.triggeredByApiKeyId ?? null };
  const d = dialectFor(provider);
  const once = template.awardMode === 'ONCE';
  const slots = slotsSql(d, rule, once, scope, now);
  const t = d.text(rule.templateId);
  // A balance that only rose can only fill slots, one that only fell only empty them: the live
  // path skips the statements that cannot match (a third of a crossing's cost).
  const fills = options.direction !== 'down';
  const empties = options.direction !== 'up' && rule.kind !== 'ACTION';
  // Empty first: a ONCE template's hold is freed before a slot is filled.
  const reason = revocationReason(rule);
  const revoked = !empties
    ? []
    : await changeWithHistory(
        tx,
        provider,
        slots,
        sql`UPDATE "Award" SET
          "status" = ${d.enumValue('AwardStatus', 'REVOKED')}, "revokedAt" = ${d.timestamp(now)}, "revokedReason" = ${d.text(reason)},
          "automationRevoked" = ${d.bool(true)}, "onceHoldKey" = NULL, "revision" = "revision" + 1, "updatedAt" = ${d.timestamp(now)}
        WHERE "templateId" = ${t} AND "automationKind" = ${d.enumValue('AwardRuleKind', rule.kind)}
          AND "status" IN ('PENDING', 'ACCEPTED') AND ("expiresAt" IS NULL OR "expiresAt" > ${d.timestamp(now)})
          AND ${earnerScopeSql(scope, '"earnerId"')} AND "automationKey" NOT IN (SELECT "key" FROM slots)`,
        { action: 'REVOKED', reason, ...by, now },
      );

  const filled = { action: 'ISSUED' as const, reason: issueReason(rule), ...by, now };
  const issued = fills ? await insertSlots(tx, provider, rule, template, slots, filled) : [];

  // Restoring a ONCE award takes the hold back, unless another live award has it.
  const holdFree = once
    ? sql`AND NOT EXISTS (SELECT 1 FROM "Award" h WHERE h."onceHoldKey" = "Award"."templateId" || ':' || "Award"."earnerId")`
    : empty;
  const restored = !fills
    ? []
    : await changeWithHistory(
        tx,
        provider,
        slots,
        sql`UPDATE "Award" SET
          "status" = ${d.enumExpression('AwardStatus', sql`CASE WHEN "acceptedAt" IS NULL THEN 'PENDING' ELSE 'ACCEPTED' END`)},
          "revokedAt" = NULL, "revokedReason" = NULL, "automationRevoked" = ${d.bool(false)},
          "onceHoldKey" = ${once ? sql`"templateId" || ':' || "earnerId"` : sql`NULL`},
          "revision" = "revision" + 1, "updatedAt" = ${d.timestamp(now)}
        WHERE "templateId" = ${t} AND "automationRevoked" = ${d.bool(true)} AND "status" = 'REVOKED'
          AND ${earnerScopeSql(scope, '"earnerId"')} AND "automationKey" IN (SELECT "key" FROM slots) ${holdFree}`,
        { ...filled, action: 'RESTORED' },
      );

  // Checked here too (enqueueAwardEmails checks per award) to spare a backfill its statements.
  if (template.emailOnIssue) await enqueueAwardEmails(tx, provider, issued.map((award) => award.id), now);

  return {
    issued: issued.map((award) => award.id),
    restored: restored.map((award) => award.id),
    revoked: revoked.map((award) => award.id),
    events: [
      ...awardEvents(rule, now, 'REVOKED', revoked),
      ...awardEvents(rule, now, 'ISSUED', issued),
      ...awardEvents(rule, now, 'RESTORED', restored),
    ],
  };
}

export function mergeReconciled(results: readonly Reconciled[]): Reconciled {
  return {
    issued: results.flatMap((result) => result.issued),
    restored: results.flatMap((result) => result.restored),
    revoked: results.flatMap((result) => result.revoked),
    events: results.flatMap((result) => result.events),
  };
}
