// Reconciliation: make a rule's automated awards match what its earners have earned. The same
// statements serve every path, so they cannot disagree:
// - the live path (a points change, a membership, an action), scoped to one earner, inside the
//   transaction of the change;
// - the scheduler (memberships that reached their end date), scoped to the earners concerned;
// - the backfill of a new or changed rule, scoped to a range of earner ids, batch after batch.
// Each caller holds the locks of the earners in scope (../earners/locks.ts), so what is decided
// here is decided from what was committed.
//
// A rule defines, per earner, the slots that should hold a live award (./reconcile.sql.ts). Each
// automated award fills one slot for good (./slots.ts). Then, per slot:
//   - no award yet: issue one (ACCEPTED; on a ONCE template only if the earner holds none);
//   - revoked by automation: restore it (crossing back restores; the history keeps both);
//   - live, but no longer earned: revoke it with the reason (points and memberships only: an
//     action, once done, stays done).
// Awards issued by people, and awards people revoked, are never touched. Every write goes through
// the award writer (../awards), as people's do.
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Sql } from '../../db/sql.js';
import type { Tx } from '../../db/transaction.js';
import type { AwardEvent } from '../../events/events.js';
import { addDays } from '../../shared/clock.js';
import { changeAwards, insertAwards, liveStatusSql, onceHoldKey, type HistoryNote, type NewAward, type Written } from '../awards/index.js';
import type { EarnerScope } from '../earners/index.js';
import { earnedAgainSql, emptySlotsSql, HOLD_KEY_OF_ROW, oneSlotSql, slotsSql, unearnedSql, type EmptySlot } from './reconcile.sql.js';
import { TEMPLATE_FOR_AUTOMATION, type Rule, type TemplateForAutomation } from './rules.js';

/** Which earners to reconcile: a list, or the ids in (after, upTo] of the organization. */
export type Scope = EarnerScope;

export interface Reconciled {
  issued: string[];
  restored: string[];
  revoked: string[];
  events: AwardEvent[];
}

const NOTHING: Written = { awards: [], events: [] };

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

function loadTemplate(tx: Tx, templateId: string): Promise<TemplateForAutomation | null> {
  return tx.badgeTemplate.findUnique({ where: { id: templateId }, select: TEMPLATE_FOR_AUTOMATION });
}

/** The award a slot gets: accepted at once (the earner earned it), with the template's content. */
function slotAward(rule: Rule, template: TemplateForAutomation, slot: EmptySlot, now: Date): NewAward {
  return {
    organizationId: rule.organizationId,
    templateId: template.id,
    templateVersionNumber: template.version,
    earnerId: slot.earnerId,
    recipientName: slot.name,
    recipientNameLower: slot.nameLower,
    recipientFirstName: slot.firstName,
    recipientLastName: slot.lastName,
    recipientEmail: slot.email,
    recipientEmailLower: slot.emailLower,
    status: 'ACCEPTED',
    imported: false,
    imageUrl: template.imageUrl,
    imageHighResolutionUrl: template.imageHighResolutionUrl,
    imageThumbnailUrl: template.imageThumbnailUrl,
    activityTitle: null,
    activityStartedAt: null,
    activityEndedAt: null,
    notes: null,
    additionalDetails: null,
    evidence: null,
    issuedAt: now,
    expiresAt: template.validityDays ? addDays(now, template.validityDays) : null,
    acceptedAt: now,
    rejectedAt: null,
    revokedAt: null,
    revokedReason: null,
    legacyId: null,
    idempotencyKey: null,
    idempotencyHash: null,
    onceHoldKey: template.awardMode === 'ONCE' ? onceHoldKey(template.id, slot.earnerId) : null,
    source: 'AUTOMATION',
    automationKey: slot.key,
    automationLevel: slot.level === null ? null : Number(slot.level),
    automationKind: rule.kind,
    automationRevoked: false,
  };
}

/** Issues an award into each of the slots that none holds yet (and, on a ONCE template, whose earner holds none). */
async function fillSlots(tx: Tx, provider: Provider, rule: Rule, template: TemplateForAutomation, slots: Sql, note: HistoryNote): Promise<Written> {
  const empty = await tx.$queryRaw<EmptySlot[]>(emptySlotsSql(slots));
  return insertAwards(tx, provider, empty.map((slot) => slotAward(rule, template, slot, note.at)), note, { skipTaken: true });
}

/**
 * Issues the award of one action's slot, as reconciliation would, for the key that asked for it
 * by name. Returns the award's id when it issued one, undefined when the slot was taken (or, on a
 * ONCE template, the earner holds one).
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
  const note: HistoryNote = { action: 'ISSUED', reason: 'Awarded for an action.', origin: 'MANUAL', actorApiKeyId, at: now };
  const issued = await fillSlots(tx, provider, rule, template, oneSlotSql(dialectFor(provider), earnerId, key), note);
  return issued.awards[0] ? { awardId: issued.awards[0].id, events: issued.events } : undefined;
}

/**
 * Reconciles one rule for the earners in `scope`, in the caller's transaction, which holds their
 * locks and took `now` after it had them. Returns what changed and the events to publish once the
 * transaction commits. A template that is not active is left alone.
 */
export async function reconcile(
  tx: Tx,
  provider: Provider,
  rule: Rule & { template?: TemplateForAutomation },
  scope: Scope,
  now: Date,
  options: { triggeredByApiKeyId?: string | null; direction?: 'up' | 'down' } = {},
): Promise<Reconciled> {
  if ('earnerIds' in scope && scope.earnerIds.length === 0) return mergeReconciled([]);
  const template = rule.template ?? (await loadTemplate(tx, rule.templateId));
  if (!template || template.state !== 'ACTIVE') return mergeReconciled([]);
  const d = dialectFor(provider);
  const once = template.awardMode === 'ONCE';
  const slots = slotsSql(d, rule, once, scope, now);
  const by = { origin: 'AUTOMATION' as const, triggeredByApiKeyId: options.triggeredByApiKeyId ?? null, at: now };
  // A balance that only rose can only fill slots, one that only fell only empty them: the live
  // path skips the statements that cannot match (a third of a crossing's cost).
  const fills = options.direction !== 'down';
  const empties = options.direction !== 'up' && rule.kind !== 'ACTION';

  // Empty first: a ONCE template's hold is freed before a slot is filled.
  const reason = revocationReason(rule);
  const revoked = empties
    ? await changeAwards(
        tx,
        provider,
        {
          ctes: slots,
          where: unearnedSql(d, rule, scope, now),
          set: { status: 'REVOKED', revokedAt: now, revokedReason: reason, automationRevoked: true, onceHoldKey: null },
        },
        { action: 'REVOKED', reason, ...by },
      )
    : NOTHING;

  const issued = fills ? await fillSlots(tx, provider, rule, template, slots, { action: 'ISSUED', reason: issueReason(rule), ...by }) : NOTHING;

  // Restoring a ONCE award takes the hold back, unless another live award has it.
  const restored = fills
    ? await changeAwards(
        tx,
        provider,
        {
          ctes: slots,
          where: earnedAgainSql(d, rule, scope, once),
          set: { status: liveStatusSql(d), revokedAt: null, revokedReason: null, automationRevoked: false, onceHoldKey: once ? HOLD_KEY_OF_ROW : null },
        },
        { action: 'RESTORED', reason: issueReason(rule), ...by },
      )
    : NOTHING;

  return {
    issued: issued.awards.map((award) => award.id),
    restored: restored.awards.map((award) => award.id),
    revoked: revoked.awards.map((award) => award.id),
    events: [...revoked.events, ...issued.events, ...restored.events],
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
