// The life of an issued award after its issue (./issue.ts): accepted, rejected, revoked, restored,
// updated, deleted, and expired by the scheduler. Every change is decided under the earner's lock
// from the award as committed, written by the award writer, and announced by commit().
import type { Actor, Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import { commit, type Change, type Tx } from '../../db/transaction.js';
import type { AwardEvent } from '../../events/events.js';
import type { Award, AwardAction, AwardStatus } from '../../generated/prisma-sqlite/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { jsonObject, line, parseInput, text, z } from '../../shared/validation.js';
import { lockEarnerOfAward, lockEarners } from '../earners/index.js';
import { evidenceListSchema, storedEvidence } from './evidence.js';
import { dueAmongSql, dueToExpireWhere, effectiveStatus, isLive, liveStatusOf, onceHoldKey } from './status.js';
import { awardIdsSql, changeAwards, deleteAwards, type AwardChanges } from './writer.js';

interface Decision {
  action: AwardAction;
  reason?: string | null;
  set: AwardChanges;
  /** Changes of other awards the decision needed (a ONCE hold taken back from an expired award). */
  events?: AwardEvent[];
}

/**
 * Locks the award's earner, loads the award as committed, lets `decide` check the rules and say
 * what changes, writes it with its history entry, and announces it once committed.
 */
function changeAward(
  deps: Deps,
  actor: Actor,
  awardId: string,
  decide: (award: Award, now: Date, tx: Tx) => Promise<Decision> | Decision,
): Promise<{ id: string }> {
  return commit(deps, async (tx): Promise<Change<{ id: string }>> => {
    // Decided and written under the earner's lock, so two changes of one award (two revocations,
    // a revocation and automation's restore) never both decide from the same state.
    await lockEarnerOfAward(tx, deps.provider, actor.organizationId, awardId);
    const now = deps.clock.now();
    const current = await tx.award.findFirst({ where: { id: awardId, organizationId: actor.organizationId } });
    if (!current) throw new NotFoundError('award');
    const decision = await decide(current, now, tx);
    const written = await changeAwards(
      tx,
      deps.provider,
      { where: awardIdsSql([current.id]), set: decision.set },
      { action: decision.action, reason: decision.reason ?? null, origin: 'MANUAL', actorApiKeyId: actor.apiKeyId, at: now },
    );
    return { result: { id: current.id }, events: [...(decision.events ?? []), ...written.events] };
  });
}

function refuse(status: AwardStatus, verb: string, rule: string): never {
  throw new ConflictError(`An award that is ${status.toLowerCase()} cannot be ${verb}.`, { field: 'id', rule, status });
}

/**
 * Takes the ONCE hold for an award that becomes live again, unless another live award of the same
 * template already holds it for the earner; a holder whose expiry passed gives it up (its expiry
 * recorded and announced).
 */
async function retakeHold(deps: Deps, tx: Tx, award: Award, now: Date): Promise<{ holdKey: string | null; events: AwardEvent[] }> {
  const template = await tx.badgeTemplate.findUniqueOrThrow({ where: { id: award.templateId }, select: { awardMode: true } });
  if (template.awardMode !== 'ONCE') return { holdKey: null, events: [] };
  const key = onceHoldKey(award.templateId, award.earnerId);
  const holder = await tx.award.findUnique({ where: { onceHoldKey: key } });
  if (!holder || holder.id === award.id) return { holdKey: key, events: [] };
  if (isLive(holder, now)) {
    throw new ConflictError('The earner holds another live award of this ONCE badge.', { field: 'id', rule: 'onceAlreadyHeld', heldAwardId: holder.id });
  }
  const expired = await changeAwards(
    tx,
    deps.provider,
    { where: awardIdsSql([holder.id]), set: { status: 'EXPIRED', onceHoldKey: null } },
    { action: 'EXPIRED', origin: 'EXPIRY', at: now },
  );
  return { holdKey: key, events: expired.events };
}

export function acceptAward(deps: Deps, actor: Actor, awardId: string) {
  return changeAward(deps, actor, awardId, (award, now) => {
    const status = effectiveStatus(award, now);
    if (status !== 'PENDING') refuse(status, 'accepted', 'statusIn:PENDING');
    return { action: 'ACCEPTED', set: { status: 'ACCEPTED', acceptedAt: now } };
  });
}

// Built once: a zod schema built per call costs more than parsing with it.
const reasonSchema = z.object({ reason: text(1000) });
const optionalReasonSchema = z.object({ reason: text(1000).nullish() });

export function rejectAward(deps: Deps, actor: Actor, awardId: string, rawReason?: string | null) {
  const { reason } = parseInput(optionalReasonSchema, { reason: rawReason });
  return changeAward(deps, actor, awardId, (award, now) => {
    const status = effectiveStatus(award, now);
    if (status !== 'PENDING') refuse(status, 'rejected', 'statusIn:PENDING');
    return { action: 'REJECTED', reason, set: { status: 'REJECTED', rejectedAt: now, onceHoldKey: null } };
  });
}

/** Revocation needs a reason; revoking twice is an error that changes nothing. */
export function revokeAward(deps: Deps, actor: Actor, awardId: string, rawReason: string) {
  const { reason } = parseInput(reasonSchema, { reason: rawReason });
  return changeAward(deps, actor, awardId, (award, now) => {
    const status = effectiveStatus(award, now);
    if (status === 'REVOKED' || status === 'REJECTED') refuse(status, 'revoked', 'statusIn:PENDING,ACCEPTED,EXPIRED');
    return { action: 'REVOKED', reason, set: { status: 'REVOKED', revokedAt: now, revokedReason: reason, onceHoldKey: null } };
  });
}

/** Undoes a revocation: the award returns to accepted (or pending if never accepted). */
export function restoreAward(deps: Deps, actor: Actor, awardId: string, rawReason?: string | null) {
  const { reason } = parseInput(optionalReasonSchema, { reason: rawReason });
  return changeAward(deps, actor, awardId, async (award, now, tx) => {
    if (award.status !== 'REVOKED') refuse(effectiveStatus(award, now), 'restored', 'statusIn:REVOKED');
    const stillValid = award.expiresAt === null || award.expiresAt > now;
    const hold = stillValid ? await retakeHold(deps, tx, award, now) : { holdKey: null, events: [] };
    return {
      action: 'RESTORED',
      reason,
      set: { status: liveStatusOf(award), revokedAt: null, revokedReason: null, automationRevoked: false, onceHoldKey: hold.holdKey },
      events: hold.events,
    };
  });
}

const updateSchema = z.object({
  notes: text(10_000).nullish(),
  additionalDetails: jsonObject(16_384).nullish(),
  evidence: evidenceListSchema.nullish(),
  expiresAt: z.date().nullish(),
  activityTitle: line(500).nullish(),
  activityStartedAt: z.date().nullish(),
  activityEndedAt: z.date().nullish(),
});

export type UpdateAwardInput = z.input<typeof updateSchema>;

/**
 * Changes an award's notes, details, activity or expiry. Moving the expiry of an expired award
 * into the future makes it live again.
 */
export function updateAward(deps: Deps, actor: Actor, awardId: string, rawInput: UpdateAwardInput) {
  const input = parseInput(updateSchema, rawInput);
  return changeAward(deps, actor, awardId, async (award, now, tx) => {
    if (input.expiresAt && input.expiresAt <= award.issuedAt) {
      throw ValidationError.single('expiresAt', 'after:issuedAt', 'must be after issuedAt');
    }
    const startedAt = input.activityStartedAt !== undefined ? input.activityStartedAt : award.activityStartedAt;
    const endedAt = input.activityEndedAt !== undefined ? input.activityEndedAt : award.activityEndedAt;
    if (startedAt && endedAt && endedAt < startedAt) {
      throw ValidationError.single('activityEndedAt', 'notBefore:activityStartedAt', 'must not be before activityStartedAt');
    }
    const set: AwardChanges = {};
    for (const key of ['notes', 'activityTitle', 'activityStartedAt', 'activityEndedAt', 'additionalDetails', 'expiresAt'] as const) {
      if (input[key] !== undefined) set[key] = input[key];
    }
    if (input.evidence !== undefined) set.evidence = storedEvidence(input.evidence);
    let events: AwardEvent[] = [];
    const revived = input.expiresAt !== undefined && award.status === 'EXPIRED' && (input.expiresAt === null || input.expiresAt > now);
    if (revived) {
      const hold = await retakeHold(deps, tx, award, now);
      Object.assign(set, { status: liveStatusOf(award), onceHoldKey: hold.holdKey });
      events = hold.events;
    }
    return { action: 'UPDATED', set, events };
  });
}

/**
 * Records the expiry of awards whose expiry date has passed (reads already show them EXPIRED), and
 * announces it. The conditional update decides which instance records each one, so each award's
 * expiry is recorded and announced once however many instances run this at the same time.
 */
export async function expireDueAwards(deps: Deps, limit = 500): Promise<number> {
  const due = await deps.reader.award.findMany({
    where: dueToExpireWhere(deps.clock.now()),
    select: { id: true, organizationId: true, earnerId: true },
    orderBy: { expiresAt: 'asc' },
    take: limit,
  });
  const d = dialectFor(deps.provider);
  let count = 0;
  for (const organizationId of new Set(due.map((award) => award.organizationId))) {
    const ofOrganization = due.filter((award) => award.organizationId === organizationId);
    count += await commit(deps, async (tx) => {
      await lockEarners(tx, deps.provider, organizationId, { earnerIds: ofOrganization.map((award) => award.earnerId) });
      const now = deps.clock.now();
      const expired = await changeAwards(
        tx,
        deps.provider,
        { where: dueAmongSql(d, ofOrganization.map((award) => award.id), now), set: { status: 'EXPIRED', onceHoldKey: null } },
        { action: 'EXPIRED', origin: 'EXPIRY', at: now },
      );
      return { result: expired.awards.length, events: expired.events };
    });
  }
  return count;
}

/** Erases an award and its history for good (an erasure request); revocation is the other path. */
export function deleteAward(deps: Deps, actor: Actor, awardId: string): Promise<{ id: string }> {
  return commit(deps, async (tx) => {
    const current = await tx.award.findFirst({
      where: { id: awardId, organizationId: actor.organizationId },
      select: { id: true },
    });
    if (!current) throw new NotFoundError('award');
    const events = await deleteAwards(tx, [current.id], deps.clock.now());
    if (events.length === 0) throw new NotFoundError('award');
    return { result: { id: current.id }, events };
  });
}
