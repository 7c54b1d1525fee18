// Memberships: an earner's subscription to a product of the organization. Starting, renewing or
// ending one applies the membership rules that list its product, in the same transaction, under
// the earner's lock; the scheduler ends memberships whose end date has passed.
import type { Actor, Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import { commit, type Tx } from '../../db/transaction.js';
import { ConflictError, NotFoundError, type FieldIssue } from '../../shared/errors.js';
import { notInFuture, parseInput, text, z } from '../../shared/validation.js';
import { earnerRef, lockEarners, requireOneEarner, resolveEarners, type RecipientInput } from '../earners/index.js';
import { membershipStatus, membershipsDueWhere } from './membership-status.js';
import { endDueMembershipsSql } from './memberships.sql.js';
import { mergeReconciled, reconcile, type Reconciled } from './reconcile.js';
import { lockRules, rulesFor } from './rules.js';

/** Applies the membership rules that list any of `productIds` to the earners given. */
async function applyMembershipRules(
  tx: Tx,
  deps: Deps,
  organizationId: string,
  productIds: string[],
  earnerIds: string[],
  now: Date,
  triggeredByApiKeyId: string | null,
) {
  // Product ids live in a JSON array, so the rules are matched here rather than in SQL.
  const rules = (await rulesFor(tx, deps.provider, organizationId, { kind: 'MEMBERSHIP' })).filter((rule) =>
    rule.productIds.some((id) => productIds.includes(id)),
  );
  const results: Reconciled[] = [];
  for (const rule of rules) results.push(await reconcile(tx, deps.provider, rule, { earnerIds }, now, { triggeredByApiKeyId }));
  return mergeReconciled(results);
}

const startMembershipSchema = z
  .object({
    ...earnerRef,
    productId: text(200),
    startedAt: z.date().nullish(),
    endsAt: z.date().nullish(),
  })
  .superRefine(requireOneEarner)
  .superRefine((input, context) => {
    if (input.endsAt && input.startedAt && input.endsAt <= input.startedAt) {
      context.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startedAt', params: { rule: 'after:startedAt' } });
    }
  });

export type StartMembershipInput = Omit<z.input<typeof startMembershipSchema>, 'earner'> & { earner?: RecipientInput | null };

function membershipMomentIssues(now: Date, input: StartMembershipInput): FieldIssue[] {
  const issues = notInFuture(now, input.startedAt, 'startedAt');
  if (input.endsAt instanceof Date && input.endsAt <= now) issues.push({ field: 'endsAt', rule: 'future', message: 'must be in the future' });
  return issues;
}

/**
 * Starts an earner's membership of a product, or renews the one already active (its end date
 * becomes the new one). An earner has at most one active membership of each product.
 */
export async function startMembership(deps: Deps, actor: Actor, rawInput: StartMembershipInput) {
  const now = deps.clock.now();
  const input = parseInput(startMembershipSchema, rawInput, membershipMomentIssues(now, rawInput));
  return commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'apply');
    const [earnerId] = await resolveEarners(tx, deps.provider, actor.organizationId, [input], (_index, name) => name, now);
    await lockEarners(tx, deps.provider, actor.organizationId, { earnerIds: [earnerId!] });
    const changedAt = deps.clock.now();
    const activeKey = `${earnerId}:${input.productId}`;
    const active = await tx.membership.findUnique({ where: { activeKey } });
    const membership = active
      ? await tx.membership.update({ where: { id: active.id }, data: { endsAt: input.endsAt ?? null, updatedAt: changedAt } })
      : await tx.membership.create({
          data: {
            organizationId: actor.organizationId,
            earnerId: earnerId!,
            productId: input.productId,
            startedAt: input.startedAt ?? changedAt,
            endsAt: input.endsAt ?? null,
            activeKey,
            createdAt: changedAt,
            updatedAt: changedAt,
          },
        });
    const reconciled = await applyMembershipRules(tx, deps, actor.organizationId, [input.productId], [earnerId!], changedAt, actor.apiKeyId);
    return { result: { membership, renewed: Boolean(active), reconciled }, events: reconciled.events };
  });
}

/** Ends a membership now: cancelled by the earner, or removed by the organization. */
export async function endMembership(deps: Deps, actor: Actor, membershipId: string, reason: 'CANCELLED' | 'REMOVED') {
  return commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'apply');
    const found = await tx.membership.findFirst({ where: { id: membershipId, organizationId: actor.organizationId }, select: { earnerId: true } });
    if (!found) throw new NotFoundError('membership');
    await lockEarners(tx, deps.provider, actor.organizationId, { earnerIds: [found.earnerId] });
    // Read again under the lock: a concurrent end may have committed in between.
    const membership = await tx.membership.findUniqueOrThrow({ where: { id: membershipId } });
    const now = deps.clock.now();
    if (membershipStatus(membership, now) === 'ENDED') {
      throw new ConflictError('The membership has already ended.', { field: 'id', rule: 'active' });
    }
    const ended = await tx.membership.update({
      where: { id: membership.id },
      data: { status: 'ENDED', endedAt: now, endReason: reason, activeKey: null, updatedAt: now },
    });
    const reconciled = await applyMembershipRules(tx, deps, actor.organizationId, [membership.productId], [membership.earnerId], now, actor.apiKeyId);
    return { result: { membership: ended, reconciled }, events: reconciled.events };
  });
}

/**
 * Records the end of memberships whose end date has passed, and applies the rules they concern.
 * The conditional update decides which instance ends each membership, so with several instances
 * running this at once, each membership ends, and its awards are revoked, exactly once.
 */
export async function endDueMemberships(deps: Deps, limit = 500): Promise<number> {
  const due = await deps.reader.membership.findMany({
    where: membershipsDueWhere(deps.clock.now()),
    select: { id: true, organizationId: true, earnerId: true },
    orderBy: { endsAt: 'asc' },
    take: limit,
  });
  const d = dialectFor(deps.provider);
  let count = 0;
  // One transaction per organization: the rules' lock is per organization.
  for (const organizationId of new Set(due.map((membership) => membership.organizationId))) {
    const ofOrganization = due.filter((membership) => membership.organizationId === organizationId);
    count += await commit(deps, async (tx) => {
      await lockRules(tx, deps.provider, organizationId, 'apply');
      await lockEarners(tx, deps.provider, organizationId, { earnerIds: ofOrganization.map((membership) => membership.earnerId) });
      const now = deps.clock.now();
      const ended = await tx.$queryRaw<Array<{ id: string; earnerId: string; productId: string }>>(
        endDueMembershipsSql(d, ofOrganization.map((membership) => membership.id), now),
      );
      const productIds = [...new Set(ended.map((membership) => membership.productId))];
      const earnerIds = [...new Set(ended.map((membership) => membership.earnerId))];
      const reconciled = ended.length ? await applyMembershipRules(tx, deps, organizationId, productIds, earnerIds, now, null) : mergeReconciled([]);
      return { result: ended.length, events: reconciled.events };
    });
  }
  return count;
}

