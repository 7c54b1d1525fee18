// The life of an issued award: accept, reject, revoke, restore, update, delete; and the filters of
// the awards list. Issuing lives in ./issue.ts.
import type { Actor, Deps } from '../../deps.js';
import { type Prisma } from '../../generated/prisma-sqlite/client.js';
import { join } from '../../db/sql.js';
import { dialectFor } from '../../db/dialect.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import type { AwardChange, AwardEvent } from '../../events/events.js';
import type { Award, AwardAction, AwardStatus } from '../../generated/prisma-sqlite/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { searchNeedle } from '../../shared/search-key.js';
import { jsonObject, parseInput, line, text, z } from '../../shared/validation.js';
import { effectiveStatus, isLive, liveStatusOf, onceHoldKey, statusWhere } from './status.js';
import { lockEarnerOfAward, lockEarners } from '../earners/locks.js';

type Change = {
  action: AwardAction;
  reason?: string | null;
  data: Prisma.AwardUncheckedUpdateInput;
};

function awardEvent(award: Award, change: AwardChange, at: Date): AwardEvent {
  return {
    kind: 'award',
    change,
    organizationId: award.organizationId,
    awardId: award.id,
    templateId: award.templateId,
    earnerId: award.earnerId,
    at: at.toISOString(),
  };
}

/**
 * Loads the award in a transaction, lets `decide` check the rules and describe the change, then
 * writes it with its history entry, and announces it once committed.
 */
async function changeAward(
  deps: Deps,
  actor: Actor,
  awardId: string,
  decide: (award: Award, now: Date, tx: Tx) => Promise<Change> | Change,
): Promise<Award> {
  const { award, action, now } = await inTransaction(deps.db, async (tx) => {
    // Decided and written under the earner's lock, so two changes of one award (two revocations,
    // a revocation and automation's restore) never both decide from the same state.
    await lockEarnerOfAward(tx, deps.provider, actor.organizationId, awardId);
    const now = deps.clock.now();
    const current = await tx.award.findFirst({ where: { id: awardId, organizationId: actor.organizationId } });
    if (!current) throw new NotFoundError('award');
    const change = await decide(current, now, tx);
    const updated = await tx.award.update({
      where: { id: current.id },
      data: { ...change.data, revision: { increment: 1 }, updatedAt: now },
    });
    await tx.awardHistoryEntry.create({
      data: {
        organizationId: actor.organizationId,
        awardId: current.id,
        sequence: updated.revision,
        action: change.action,
        reason: change.reason ?? null,
        actorApiKeyId: actor.apiKeyId,
        at: now,
      },
    });
    return { award: updated, action: change.action, now };
  });
  deps.events.publish([awardEvent(award, action, now)]);
  return award;
}

function refuse(status: AwardStatus, verb: string, rule: string): never {
  throw new ConflictError(`An award that is ${status.toLowerCase()} cannot be ${verb}.`, { field: 'id', rule, status });
}

/**
 * Takes the ONCE hold for an award that becomes live again, unless another live award of the same
 * template already holds it for the earner.
 */
async function retakeHold(tx: Tx, award: Award, now: Date): Promise<string | null> {
  const template = await tx.badgeTemplate.findUniqueOrThrow({ where: { id: award.templateId }, select: { awardMode: true } });
  if (template.awardMode !== 'ONCE') return null;
  const key = onceHoldKey(award.templateId, award.earnerId);
  const holder = await tx.award.findUnique({ where: { onceHoldKey: key } });
  if (holder && holder.id !== award.id) {
    if (isLive(holder, now)) {
      throw new ConflictError('The earner holds another live award of this ONCE badge.', {
        field: 'id',
        rule: 'onceAlreadyHeld',
        heldAwardId: holder.id,
      });
    }
    const expired = await tx.award.update({
      where: { id: holder.id },
      data: { status: 'EXPIRED', onceHoldKey: null, revision: { increment: 1 }, updatedAt: now },
    });
    await tx.awardHistoryEntry.create({
      data: { organizationId: holder.organizationId, awardId: holder.id, sequence: expired.revision, action: 'EXPIRED', origin: 'EXPIRY', at: now },
    });
  }
  return key;
}

export function acceptAward(deps: Deps, actor: Actor, awardId: string) {
  return changeAward(deps, actor, awardId, (award, now) => {
    const status = effectiveStatus(award, now);
    if (status !== 'PENDING') refuse(status, 'accepted', 'statusIn:PENDING');
    return { action: 'ACCEPTED', data: { status: 'ACCEPTED', acceptedAt: now } };
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
    return { action: 'REJECTED', reason, data: { status: 'REJECTED', rejectedAt: now, onceHoldKey: null } };
  });
}

/** Revocation needs a reason; revoking twice is an error that changes nothing. */
export function revokeAward(deps: Deps, actor: Actor, awardId: string, rawReason: string) {
  const { reason } = parseInput(reasonSchema, { reason: rawReason });
  return changeAward(deps, actor, awardId, (award, now) => {
    const status = effectiveStatus(award, now);
    if (status === 'REVOKED' || status === 'REJECTED') refuse(status, 'revoked', 'statusIn:PENDING,ACCEPTED,EXPIRED');
    return {
      action: 'REVOKED',
      reason,
      data: { status: 'REVOKED', revokedAt: now, revokedReason: reason, onceHoldKey: null },
    };
  });
}

/** Undoes a revocation: the award returns to accepted (or pending if never accepted). */
export function restoreAward(deps: Deps, actor: Actor, awardId: string, rawReason?: string | null) {
  const { reason } = parseInput(optionalReasonSchema, { reason: rawReason });
  return changeAward(deps, actor, awardId, async (award, now, tx) => {
    if (award.status !== 'REVOKED') refuse(effectiveStatus(award, now), 'restored', 'statusIn:REVOKED');
    const stillValid = award.expiresAt === null || award.expiresAt > now;
    return {
      action: 'RESTORED',
      reason,
      data: {
        status: liveStatusOf(award),
        revokedAt: null,
        revokedReason: null,
        onceHoldKey: stillValid ? await retakeHold(tx, award, now) : null,
      },
    };
  });
}

const updateSchema = z.object({
  notes: text(10_000).nullish(),
  additionalDetails: jsonObject(16_384).nullish(),
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
    const data: Prisma.AwardUncheckedUpdateInput = {};
    for (const key of ['notes', 'activityTitle', 'activityStartedAt', 'activityEndedAt'] as const) {
      if (input[key] !== undefined) Object.assign(data, { [key]: input[key] });
    }
    if (input.additionalDetails !== undefined) {
      data.additionalDetails = (input.additionalDetails ?? null) as Prisma.InputJsonValue;
    }
    if (input.expiresAt !== undefined) {
      data.expiresAt = input.expiresAt;
      const revived = award.status === 'EXPIRED' && (input.expiresAt === null || input.expiresAt > now);
      if (revived) Object.assign(data, { status: liveStatusOf(award), onceHoldKey: await retakeHold(tx, award, now) });
    }
    return { action: 'UPDATED', data };
  });
}

/**
 * Records the expiry of awards whose expiry date has passed (reads already show them EXPIRED), and
 * announces it. The conditional update decides which instance records each one, so each award's
 * expiry is recorded and announced once however many instances run this at the same time.
 */
export async function expireDueAwards(deps: Deps, limit = 500): Promise<number> {
  const due = await deps.reader.award.findMany({
    where: { status: { in: ['PENDING', 'ACCEPTED'] }, expiresAt: { lte: deps.clock.now() } },
    select: { id: true, organizationId: true, earnerId: true },
    orderBy: { expiresAt: 'asc' },
    take: limit,
  });
  const d = dialectFor(deps.provider);
  let count = 0;
  for (const organizationId of new Set(due.map((award) => award.organizationId))) {
    const ofOrganization = due.filter((award) => award.organizationId === organizationId);
    const { expired, now } = await inTransaction(deps.db, async (tx) => {
      await lockEarners(tx, deps.provider, organizationId, { earnerIds: ofOrganization.map((award) => award.earnerId) });
      const now = deps.clock.now();
      const rows = await tx.$queryRaw<Array<{ id: string; organizationId: string; templateId: string; earnerId: string }>>`
        UPDATE "Award" SET "status" = ${d.enumValue('AwardStatus', 'EXPIRED')}, "onceHoldKey" = NULL, "revision" = "revision" + 1,
          "updatedAt" = ${d.timestamp(now)}
        WHERE "id" IN (${join(ofOrganization.map((award) => award.id))}) AND "status" IN ('PENDING', 'ACCEPTED')
          AND "expiresAt" <= ${d.timestamp(now)}
        RETURNING "id", "organizationId", "templateId", "earnerId"`;
      if (rows.length) {
        await tx.$executeRaw`INSERT INTO "AwardHistoryEntry" ("id", "organizationId", "awardId", "sequence", "action", "origin", "at")
          SELECT ${d.randomId}, a."organizationId", a."id", a."revision", ${d.enumValue('AwardAction', 'EXPIRED')},
            ${d.enumValue('AwardChangeOrigin', 'EXPIRY')}, ${d.timestamp(now)}
          FROM "Award" a WHERE a."id" IN (${join(rows.map((row) => row.id))})`;
      }
      return { expired: rows, now };
    });
    const at = now.toISOString();
    deps.events.publish(expired.map((award) => ({ kind: 'award' as const, change: 'EXPIRED' as const, ...award, awardId: award.id, at })));
    count += expired.length;
  }
  return count;
}

/** Erases an award and its history for good (an erasure request); revocation is the other path. */
export async function deleteAward(deps: Deps, actor: Actor, awardId: string): Promise<Award> {
  const now = deps.clock.now();
  const award = await inTransaction(deps.db, async (tx) => {
    const current = await tx.award.findFirst({ where: { id: awardId, organizationId: actor.organizationId } });
    if (!current) throw new NotFoundError('award');
    await tx.award.delete({ where: { id: current.id } });
    return current;
  });
  deps.events.publish([awardEvent(award, 'DELETED', now)]);
  return award;
}

export const SEARCH_FIELDS = ['NAME', 'EMAIL'] as const;

export interface AwardFilter {
  templateId?: string | undefined;
  earnerId?: string | undefined;
  statuses?: AwardStatus[] | null | undefined;
  issuedAfter?: Date | null | undefined;
  issuedBefore?: Date | null | undefined;
  search?: string | null | undefined;
  searchField?: (typeof SEARCH_FIELDS)[number] | null | undefined;
  legacyId?: string | null | undefined;
  imported?: boolean | null | undefined;
  source?: 'MANUAL' | 'AUTOMATION' | null | undefined;
}

/** The awards list's filter; `issuedAfter` is inclusive, `issuedBefore` exclusive. */
export function awardWhere(organizationId: string, filter: AwardFilter, now: Date): Prisma.AwardWhereInput {
  const search = searchNeedle(filter.search, 'filter.search');
  const conditions: Prisma.AwardWhereInput[] = [{ organizationId }];
  if (filter.templateId) conditions.push({ templateId: filter.templateId });
  if (filter.earnerId) conditions.push({ earnerId: filter.earnerId });
  if (filter.issuedAfter || filter.issuedBefore) {
    conditions.push({
      issuedAt: {
        ...(filter.issuedAfter ? { gte: filter.issuedAfter } : {}),
        ...(filter.issuedBefore ? { lt: filter.issuedBefore } : {}),
      },
    });
  }
  if (search) {
    conditions.push(
      filter.searchField === 'EMAIL'
        ? { recipientEmailLower: { contains: search } }
        : { recipientNameLower: { contains: search } },
    );
  }
  if (filter.statuses?.length) conditions.push({ OR: filter.statuses.map((status) => statusWhere(status, now)) });
  if (filter.legacyId) conditions.push({ legacyId: filter.legacyId });
  if (filter.imported != null) conditions.push({ imported: filter.imported });
  if (filter.source) conditions.push({ source: filter.source });
  return conditions.length === 1 ? conditions[0]! : { AND: conditions };
}
