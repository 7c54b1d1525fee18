// Recording points: entries, each with the balance after it, all rows or none; the points rules
// the moved balances concern are applied in the same transaction (../automation), so the response
// already reflects any award earned or lost.
import { v7 as uuidv7 } from 'uuid';
import type { Actor, Deps } from '../../deps.js';
import { commit } from '../../db/transaction.js';
import { MAX_LISTED_BALANCES, type DomainEvent } from '../../events/events.js';
import { ConflictError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { requestHash } from '../../shared/stable-json.js';
import { checkInput, notInFuture, text, z } from '../../shared/validation.js';
import { applyPointsRules, identifier, lockRules, type Reconciled } from '../automation/index.js';
import { earnerRef, lockEarners, requireOneEarner, resolveEarners, type RecipientInput } from '../earners/index.js';
import { addToBalances, balanceKey, currentBalances, insertEntries, splitKey } from './balances.js';

export const MAX_POINTS_BATCH = 1000;
/** The category of points given without one. */
export const DEFAULT_CATEGORY = 'lifetime';

// Built once: the rules that depend on the moment of the request are checked beside the schema.
const pointsSchema = z
  .object({
    ...earnerRef,
    category: identifier(64).nullish(),
    amount: z
      .number()
      .int('must be a whole number')
      .min(-1_000_000_000, 'must be at least -1000000000')
      .max(1_000_000_000, 'must be at most 1000000000')
      .refine((amount) => amount !== 0, { message: 'must not be zero', params: { rule: 'notZero' } }),
    reason: text(500).nullish(),
    source: text(200).nullish(),
    at: z.date().nullish(),
    idempotencyKey: text(200).nullish(),
  })
  .superRefine(requireOneEarner);

export type AddPointsInput = Omit<z.input<typeof pointsSchema>, 'earner'> & { earner?: RecipientInput | null };

export interface PointsResult {
  entryId: string;
  earnerId: string;
  category: string;
  balance: number;
  replayed: boolean;
}

/**
 * Records points, all rows or none. A row whose idempotency key was used before returns that
 * entry instead (the same key with a different request is a CONFLICT). Rules of the categories
 * whose balances crossed one of their levels are applied in the same transaction.
 */
export async function addPoints(
  deps: Deps,
  actor: Actor,
  inputs: AddPointsInput[],
  field: (index: number, name: string) => string = (index, name) => `entries[${index}].${name}`,
): Promise<{ results: PointsResult[]; reconciled: Reconciled }> {
  if (inputs.length > MAX_POINTS_BATCH) {
    throw ValidationError.single('entries', 'maxItems', `must have at most ${MAX_POINTS_BATCH} entries`);
  }
  const now = deps.clock.now();
  const issues: FieldIssue[] = [];
  const rows = inputs.map((input, index) => {
    const { data, issues: rowIssues } = checkInput(pointsSchema, input, notInFuture(now, input.at, 'at'));
    issues.push(...rowIssues.map((issue) => ({ ...issue, field: field(index, issue.field) })));
    return data;
  });
  if (issues.length) throw new ValidationError(issues);
  const valid = rows as Array<NonNullable<(typeof rows)[number]>>;

  return commit(deps, async (tx) => {
    await lockRules(tx, deps.provider, actor.organizationId, 'apply');
    const keys = valid.flatMap((row) => row.idempotencyKey ?? []);
    const previous = new Map(
      (keys.length
        ? await tx.pointsEntry.findMany({ where: { organizationId: actor.organizationId, idempotencyKey: { in: keys } } })
        : []
      ).map((entry) => [entry.idempotencyKey!, { id: entry.id, earnerId: entry.earnerId, category: entry.category, hash: entry.idempotencyHash }]),
    );
    const earnerIds = await resolveEarners(tx, deps.provider, actor.organizationId, valid, field, now);
    await lockEarners(tx, deps.provider, actor.organizationId, { earnerIds });
    const changedAt = deps.clock.now();

    // Which rows are new, and which replay an entry recorded before (or earlier in this batch).
    const fresh: Array<{ index: number; id: string; earnerId: string; category: string; hash: string }> = [];
    const replays: Array<{ index: number; entryId: string; earnerId: string; category: string }> = [];
    for (const [index, row] of valid.entries()) {
      const category = row.category ?? DEFAULT_CATEGORY;
      const earnerId = earnerIds[index]!;
      const { idempotencyKey, ...request } = row;
      const hash = requestHash({ ...request, earnerId, category });
      const earlier = idempotencyKey ? previous.get(idempotencyKey) : undefined;
      if (earlier) {
        if (earlier.hash !== hash) {
          throw new ConflictError(`${field(index, 'idempotencyKey')}: was already used for a different request`, {
            field: field(index, 'idempotencyKey'),
            rule: 'sameRequest',
          });
        }
        replays.push({ index, entryId: earlier.id, earnerId: earlier.earnerId, category: earlier.category });
        continue;
      }
      const id = uuidv7();
      if (idempotencyKey) previous.set(idempotencyKey, { id, earnerId, category, hash });
      fresh.push({ index, id, earnerId, category, hash });
    }

    // Balances move by each key's total in one statement, whose row locks also order concurrent
    // requests for the same earner; each entry's balanceAfter is then worked out in input order.
    const totals = new Map<string, number>();
    for (const row of fresh) totals.set(balanceKey(row), (totals.get(balanceKey(row)) ?? 0) + valid[row.index]!.amount);
    const finals = await addToBalances(tx, deps.provider, actor.organizationId, totals, changedAt);
    const before = new Map([...totals].map(([key, total]) => [key, finals.get(key)! - total]));
    const running = new Map(before);
    const entries = fresh.map((row) => {
      const input = valid[row.index]!;
      const balanceAfter = running.get(balanceKey(row))! + input.amount;
      running.set(balanceKey(row), balanceAfter);
      return {
        id: row.id,
        organizationId: actor.organizationId,
        earnerId: row.earnerId,
        category: row.category,
        amount: input.amount,
        balanceAfter,
        reason: input.reason ?? null,
        source: input.source ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        idempotencyHash: input.idempotencyKey ? row.hash : null,
        at: input.at ?? changedAt,
      };
    });
    await insertEntries(tx, deps.provider, entries);
    const replayedBalances = await currentBalances(tx, replays.filter((row) => !finals.has(balanceKey(row))));

    const results: PointsResult[] = [];
    for (const [position, row] of fresh.entries()) {
      results[row.index] = { entryId: row.id, earnerId: row.earnerId, category: row.category, balance: entries[position]!.balanceAfter, replayed: false };
    }
    for (const row of replays) {
      const balance = finals.get(balanceKey(row)) ?? replayedBalances.get(balanceKey(row)) ?? 0;
      results[row.index] = { entryId: row.entryId, earnerId: row.earnerId, category: row.category, balance, replayed: true };
    }

    // Apply each rule to the earners whose balance crossed one of its levels.
    const changes = [...before].map(([key, old]) => ({ ...splitKey(key), before: old, after: finals.get(key)! }));
    const reconciled = await applyPointsRules(tx, deps.provider, actor.organizationId, changes, changedAt, actor.apiKeyId);
    const categories = [...new Set(changes.map((change) => change.category))];
    const balances = finals.size <= MAX_LISTED_BALANCES ? [...finals].map(([key, balance]) => ({ ...splitKey(key), balance })) : undefined;
    // Leaderboards and the response cache follow balances through this event; a pure replay moved
    // nothing, so says nothing.
    const pointsEvents: DomainEvent[] = categories.length
      ? [{ kind: 'points', organizationId: actor.organizationId, categories, ...(balances ? { balances } : {}), at: changedAt.toISOString() }]
      : [];
    return { result: { results, reconciled }, events: [...reconciled.events, ...pointsEvents] };
  });
}

