// Actions: something an earner did, recorded by the integrator. Recording one applies the action
// rules of its type; awardForAction awards a template for one action in particular.
import type { Actor, Deps } from '../../deps.js';
import type { Prisma } from '../../db/client.js';
import { commit, type Change } from '../../db/transaction.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { requestHash } from '../../shared/stable-json.js';
import { jsonObject, notInFuture, parseInput, text, z } from '../../shared/validation.js';
import { onceHoldKey } from '../awards/index.js';
import { earnerRef, lockEarners, requireOneEarner, resolveEarners, type RecipientInput } from '../earners/index.js';
import { issueForAction, mergeReconciled, reconcile, type Reconciled } from './reconcile.js';
import { identifier, lockRules, rulesFor, toRule } from './rules.js';
import { actionSlotKey } from './slots.js';

const actionSchema = z
  .object({
    ...earnerRef,
    type: identifier(100),
    occurredAt: z.date().nullish(),
    metadata: jsonObject(16_384).nullish(),
    idempotencyKey: text(200).nullish(),
  })
  .superRefine(requireOneEarner);

export type RecordActionInput = Omit<z.input<typeof actionSchema>, 'earner'> & { earner?: RecipientInput | null };

/**
 * Records an action and applies the rules of its type. Retried with the same idempotency key, it
 * returns the action recorded the first time.
 */
export async function recordAction(deps: Deps, actor: Actor, rawInput: RecordActionInput) {
  const now = deps.clock.now();
  const input = parseInput(actionSchema, rawInput, notInFuture(now, rawInput.occurredAt, 'occurredAt'));
  return commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'apply');
    const [earnerId] = await resolveEarners(tx, deps.provider, actor.organizationId, [input], (_index, name) => name, now);
    await lockEarners(tx, deps.provider, actor.organizationId, { earnerIds: [earnerId!] });
    const changedAt = deps.clock.now();
    const { idempotencyKey, ...request } = input;
    const hash = requestHash({ ...request, earnerId });
    if (idempotencyKey) {
      const earlier = await tx.action.findUnique({ where: { organizationId_idempotencyKey: { organizationId: actor.organizationId, idempotencyKey } } });
      if (earlier) {
        if (earlier.idempotencyHash !== hash) {
          throw new ConflictError('idempotencyKey: was already used for a different request', { field: 'idempotencyKey', rule: 'sameRequest' });
        }
        return { result: { action: earlier, replayed: true, reconciled: mergeReconciled([]) }, events: [] };
      }
    }
    const action = await tx.action.create({
      data: {
        organizationId: actor.organizationId,
        earnerId: earnerId!,
        type: input.type,
        occurredAt: input.occurredAt ?? changedAt,
        ...(input.metadata ? { metadata: input.metadata as Prisma.InputJsonObject } : {}),
        idempotencyKey: idempotencyKey ?? null,
        idempotencyHash: idempotencyKey ? hash : null,
        createdAt: changedAt,
      },
    });
    const rules = await rulesFor(tx, deps.provider, actor.organizationId, { kind: 'ACTION', actionType: input.type });
    const reconciled: Reconciled[] = [];
    for (const rule of rules) {
      reconciled.push(await reconcile(tx, deps.provider, rule, { earnerIds: [earnerId!] }, changedAt, { triggeredByApiKeyId: actor.apiKeyId }));
    }
    const merged = mergeReconciled(reconciled);
    return { result: { action, replayed: false, reconciled: merged }, events: merged.events };
  });
}

export type AwardForActionOutcome = 'ISSUED' | 'ALREADY_HELD' | 'ALREADY_AWARDED';

/**
 * Awards a template for one action, as the template's action rule would but for this
 * action in particular. A ONCE template the earner already holds is a no-op that says so; a
 * REPEATABLE template awards once per action, never twice for the same action, however many
 * times this is retried or raced (the action's slot is unique).
 */
export async function awardForAction(deps: Deps, actor: Actor & { apiKeyId: string }, templateId: string, actionId: string) {
  return commit(deps, async (tx): Promise<Change<{ outcome: AwardForActionOutcome; awardId: string }>> => {
    await lockRules(tx, deps.provider, actor.organizationId, 'apply');
    const template = await tx.badgeTemplate.findFirst({
      where: { id: templateId, organizationId: actor.organizationId },
      include: { rule: true },
    });
    if (!template) throw new NotFoundError('badge template', 'templateId');
    const action = await tx.action.findFirst({ where: { id: actionId, organizationId: actor.organizationId } });
    if (!action) throw new NotFoundError('action', 'actionId');
    await lockEarners(tx, deps.provider, actor.organizationId, { earnerIds: [action.earnerId] });
    const now = deps.clock.now();
    if (template.state !== 'ACTIVE') {
      throw new ConflictError(`The template is ${template.state.toLowerCase()}; only active templates issue.`, {
        field: 'templateId',
        rule: 'templateActive',
      });
    }
    if (template.rule?.kind !== 'ACTION' || template.rule.actionType !== action.type) {
      throw new ConflictError(`The template does not award for "${action.type}" actions: give it an action rule of that type.`, {
        field: 'templateId',
        rule: 'recognizesAction',
      });
    }
    const once = template.awardMode === 'ONCE';
    const existing = async (): Promise<{ outcome: AwardForActionOutcome; awardId: string } | undefined> => {
      if (once) {
        const holder = await tx.award.findUnique({ where: { onceHoldKey: onceHoldKey(template.id, action.earnerId) }, select: { id: true } });
        if (holder) return { outcome: 'ALREADY_HELD', awardId: holder.id };
      }
      const slot = await tx.award.findUnique({
        where: { automationKey: actionSlotKey(template.id, action.earnerId, action.id, once) },
        select: { id: true },
      });
      return slot ? { outcome: once ? 'ALREADY_HELD' : 'ALREADY_AWARDED', awardId: slot.id } : undefined;
    };
    const before = await existing();
    if (before) return { result: before, events: [] };
    const issued = await issueForAction(
      tx,
      deps.provider,
      toRule(template.rule),
      action.earnerId,
      actionSlotKey(template.id, action.earnerId, action.id, once),
      now,
      actor.apiKeyId,
    );
    if (issued) return { result: { outcome: 'ISSUED', awardId: issued.awardId }, events: issued.events };
    // A concurrent request took the slot (or the hold) between the check and the insert.
    const after = await existing();
    if (!after) throw new ConflictError('The earner holds this badge through another award.', { field: 'actionId', rule: 'onceAlreadyHeld' });
    return { result: after, events: [] };
  });
}
