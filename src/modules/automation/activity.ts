// What earners do, as integrators report it: points, memberships, actions. Each change applies
// the rules it concerns in its own transaction (src/modules/automation/reconcile.ts), so the
// response already reflects any award it earned or lost.
import { v7 as uuidv7 } from 'uuid';
import type { Actor, Deps } from '../../deps.js';
import { type Prisma } from '../../generated/prisma-sqlite/client.js';
import { empty, join, sql } from '../../db/sql.js';
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { MAX_LISTED_BALANCES, type DomainEvent } from '../../events/events.js';
import type { Membership } from '../../generated/prisma-sqlite/client.js';
import { ConflictError, DomainError, NotFoundError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { requestHash } from '../../shared/stable-json.js';
import { checkInput, jsonObject, notInFuture, parseInput, text, z } from '../../shared/validation.js';
import { findOrCreateEarners, recipientSchema, type RecipientInput } from '../earners/service.js';
import { issueForAction, mergeReconciled, reconcile, type Reconciled } from './reconcile.js';
import { actionSlotKey } from './slots.js';
import { onceHoldKey } from '../awards/index.js';
import { lockEarners } from '../earners/locks.js';
import { moveHistogram } from '../leaderboards/histogram.js';
import { identifier, lockRules, MAX_POINTS_LEVELS, rulesFor, toRule, type Rule, type RuleOfTemplate } from './rules.js';

export const MAX_POINTS_BATCH = 1000;
export const DEFAULT_CATEGORY = 'lifetime';

/** Who an activity belongs to: a known earner's id, or a recipient found or created like an award's. */
const earnerRef = {
  earnerId: z.string().nullish(),
  earner: recipientSchema.nullish(),
};

function requireOneEarner(input: { earnerId?: string | null; earner?: unknown }, context: z.RefinementCtx) {
  if (Boolean(input.earnerId) === Boolean(input.earner)) {
    context.addIssue({ code: 'custom', path: ['earnerId'], message: 'give exactly one of earnerId and earner', params: { rule: 'exactlyOne' } });
  }
}

// The schemas below are built once; the rules that depend on the moment of the request are
// checked beside them and passed to parseInput. A zod schema built per request cost more than
// parsing with it, since each new object schema also compiles its own parser when first run.

/** Resolves each row's earner in one round: ids must exist in the organization; recipients are found or created. */
async function resolveEarners(
  tx: Tx,
  provider: Provider,
  organizationId: string,
  rows: Array<{ earnerId?: string | null | undefined; earner?: z.output<typeof recipientSchema> | null | undefined }>,
  field: (index: number, name: string) => string,
  now: Date,
): Promise<string[]> {
  const ids = [...new Set(rows.flatMap((row) => row.earnerId ?? []))];
  const known = new Set(
    ids.length
      ? (await tx.earner.findMany({ where: { organizationId, id: { in: ids } }, select: { id: true } })).map((earner) => earner.id)
      : [],
  );
  const missing = rows.flatMap((row, index) => (row.earnerId && !known.has(row.earnerId) ? [index] : []));
  if (missing.length) {
    const issues = missing.map((index) => ({ field: field(index, 'earnerId'), rule: 'exists', message: 'is not an earner of this organization', code: 'NOT_FOUND' }));
    throw new DomainError('NOT_FOUND', `${issues[0]!.field}: ${issues[0]!.message}`, { ...issues[0], issues });
  }
  const byRecipient = rows.flatMap((row, index) => (row.earner ? [{ index, recipient: row.earner }] : []));
  const created = byRecipient.length
    ? await findOrCreateEarners(
        tx,
        provider,
        organizationId,
        byRecipient.map((entry) => entry.recipient),
        (position, name) => field(byRecipient[position]!.index, `earner.${name}`),
        now,
      )
    : [];
  const fromRecipient = new Map(byRecipient.map((entry, position) => [entry.index, created[position]!.id]));
  return rows.map((row, index) => row.earnerId ?? fromRecipient.get(index)!);
}

// ---------------------------------------------------------------------------------------------
// Points

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

/** The number of live awards a points rule wants for a balance (its slots p1..pN). */
function pointsLevel(rule: Pick<RuleOfTemplate, 'pointsThreshold' | 'once'>, balance: number): number {
  const levels = Math.floor(Math.max(balance, 0) / rule.pointsThreshold!);
  return Math.min(levels, rule.once ? 1 : MAX_POINTS_LEVELS);
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

  const outcome = await inTransaction(deps.db, async (tx) => {
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
    if (before.size === 0) return { results, reconciled: mergeReconciled([]), categories: [] as string[], balances: undefined, changedAt };
    const categories = [...new Set([...before.keys()].map((key) => splitKey(key).category))];
    // A rule no balance moved across a level of is dropped before its template (ONCE or
    // REPEATABLE) is read: counted as REPEATABLE, every crossing a ONCE rule can have shows.
    const movedAcrossALevel = (rule: Rule) => {
      const counted = { pointsThreshold: rule.pointsThreshold, once: false };
      for (const [key, old] of before) {
        if (splitKey(key).category === rule.pointsCategory && pointsLevel(counted, old) !== pointsLevel(counted, finals.get(key)!)) return true;
      }
      return false;
    };
    const rules = await rulesFor(tx, deps.provider, actor.organizationId, { kind: 'POINTS', pointsCategory: { in: categories } }, movedAcrossALevel);
    const reconciled: Reconciled[] = [];
    const triggeredByApiKeyId = actor.apiKeyId;
    for (const rule of rules) {
      const up: string[] = [];
      const down: string[] = [];
      for (const [key, old] of before) {
        const { earnerId, category } = splitKey(key);
        if (category !== rule.pointsCategory) continue;
        const [from, to] = [pointsLevel(rule, old), pointsLevel(rule, finals.get(key)!)];
        if (to > from) up.push(earnerId);
        else if (to < from) down.push(earnerId);
      }
      if (up.length) reconciled.push(await reconcile(tx, deps.provider, rule, { earnerIds: up }, changedAt, { triggeredByApiKeyId, direction: 'up' }));
      if (down.length) reconciled.push(await reconcile(tx, deps.provider, rule, { earnerIds: down }, changedAt, { triggeredByApiKeyId, direction: 'down' }));
    }
    const balances = finals.size <= MAX_LISTED_BALANCES ? [...finals].map(([key, balance]) => ({ ...splitKey(key), balance })) : undefined;
    return { results, reconciled: mergeReconciled(reconciled), categories, balances, changedAt };
  });
  // Leaderboards and the response cache follow balances through this event; a pure replay moved
  // nothing, so says nothing.
  const pointsEvents: DomainEvent[] = outcome.categories.length
    ? [
        {
          kind: 'points',
          organizationId: actor.organizationId,
          categories: outcome.categories,
          ...(outcome.balances ? { balances: outcome.balances } : {}),
          at: outcome.changedAt.toISOString(),
        },
      ]
    : [];
  deps.events.publish([...outcome.reconciled.events, ...pointsEvents]);
  return { results: outcome.results, reconciled: outcome.reconciled };
}

/** Balances are 32-bit, like GraphQL's Int. */
const MAX_BALANCE = 2_147_483_647;

function balanceOutOfRange() {
  return ValidationError.single('amount', 'balanceRange', `would take a balance beyond ±${MAX_BALANCE}`);
}

function balanceKey(row: { earnerId: string; category: string }): string {
  return `${row.earnerId}\n${row.category}`;
}

/**
 * Adds each total to its balance (creating it at the total), returning the balances after, and
 * moves the leaderboards' points histogram with them.
 */
async function addToBalances(tx: Tx, provider: Provider, organizationId: string, totals: Map<string, number>, now: Date) {
  const d = dialectFor(provider);
  const finals = new Map<string, number>();
  const created = new Set<string>();
  const rows = [...totals];
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500);
    const values = chunk.map(([key, total]) => {
      const { earnerId, category } = splitKey(key);
      return sql`(${d.text(organizationId)}, ${d.text(earnerId)}, ${d.text(category)}, ${d.int(total)}, ${d.timestamp(now)})`;
    });
    // Which balances the upsert creates: PostgreSQL says so itself (a row it inserted has no
    // xmax); SQLite's single writer makes a read just before exact.
    const existing = provider === 'postgresql' ? undefined : await existingBalances(tx, chunk.map(([key]) => splitKey(key)));
    const updated = await tx.$queryRaw<Array<{ earnerId: string; category: string; balance: number | bigint; inserted?: boolean }>>`
      INSERT INTO "PointsBalance" ("organizationId", "earnerId", "category", "balance", "updatedAt")
      VALUES ${join(values)}
      ON CONFLICT ("earnerId", "category") DO UPDATE SET "balance" = "PointsBalance"."balance" + excluded."balance", "updatedAt" = excluded."updatedAt"
      RETURNING "earnerId", "category", "balance"${provider === 'postgresql' ? sql`, (xmax = 0) AS "inserted"` : empty}`.catch((error: unknown) => {
      // PostgreSQL refuses an integer overflow; SQLite's 64-bit integers are checked below.
      if (String(error).includes('out of range')) throw balanceOutOfRange();
      throw error;
    });
    for (const row of updated) {
      finals.set(balanceKey(row), Number(row.balance));
      if (existing ? !existing.has(balanceKey(row)) : row.inserted) created.add(balanceKey(row));
    }
  }
  if ([...finals.values()].some((balance) => Math.abs(balance) > MAX_BALANCE)) throw balanceOutOfRange();
  await moveHistogram(
    tx,
    provider,
    organizationId,
    [...finals].map(([key, after]) => ({ category: splitKey(key).category, before: created.has(key) ? null : after - totals.get(key)!, after })),
  );
  return finals;
}

/** Which of these balances exist, read in slices small enough for Prisma's parameter limit. */
async function existingBalances(tx: Tx, rows: Array<{ earnerId: string; category: string }>): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < rows.length; start += 100) {
    for (const key of (await currentBalances(tx, rows.slice(start, start + 100))).keys()) found.add(key);
  }
  return found;
}

function splitKey(key: string): { earnerId: string; category: string } {
  const [earnerId, category] = key.split('\n') as [string, string];
  return { earnerId, category };
}

/** Writes entries with multi-row INSERTs: Prisma's createMany costs milliseconds per row to plan. */
async function insertEntries(tx: Tx, provider: Provider, entries: Prisma.PointsEntryCreateManyInput[]) {
  const d = dialectFor(provider);
  for (let start = 0; start < entries.length; start += 500) {
    const values = entries.slice(start, start + 500).map(
      (entry) => sql`(${d.text(entry.id!)}, ${d.text(entry.organizationId)}, ${d.text(entry.earnerId)}, ${d.text(entry.category)},
        ${d.int(entry.amount)}, ${d.int(entry.balanceAfter)}, ${d.text(entry.reason ?? null)}, ${d.text(entry.source ?? null)},
        ${d.text(entry.idempotencyKey ?? null)}, ${d.text(entry.idempotencyHash ?? null)}, ${d.timestamp(entry.at as Date)})`,
    );
    await tx.$executeRaw`INSERT INTO "PointsEntry" ("id", "organizationId", "earnerId", "category", "amount", "balanceAfter", "reason",
      "source", "idempotencyKey", "idempotencyHash", "at") VALUES ${join(values)}`;
  }
}

async function currentBalances(tx: Tx, rows: Array<{ earnerId: string; category: string }>) {
  if (rows.length === 0) return new Map<string, number>();
  const balances = await tx.pointsBalance.findMany({
    where: { OR: rows.map((row) => ({ earnerId: row.earnerId, category: row.category })) },
  });
  return new Map(balances.map((balance) => [balanceKey(balance), balance.balance]));
}

// ---------------------------------------------------------------------------------------------
// Memberships

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
  const result = await inTransaction(deps.db, async (tx) => {
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
    return { membership, renewed: Boolean(active), reconciled };
  });
  deps.events.publish(result.reconciled.events);
  return result;
}

/** Ends a membership now: cancelled by the earner, or removed by the organization. */
export async function endMembership(deps: Deps, actor: Actor, membershipId: string, reason: 'CANCELLED' | 'REMOVED') {
  const result = await inTransaction(deps.db, async (tx) => {
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
    return { membership: ended, reconciled };
  });
  deps.events.publish(result.reconciled.events);
  return result;
}

/** A membership past its end date reads ENDED even before the scheduler has recorded it. */
export function membershipStatus(membership: Pick<Membership, 'status' | 'endsAt'>, now: Date): 'ACTIVE' | 'ENDED' {
  return membership.status === 'ACTIVE' && membership.endsAt && membership.endsAt <= now ? 'ENDED' : membership.status;
}

/**
 * Records the end of memberships whose end date has passed, and applies the rules they concern.
 * The conditional update decides which instance ends each membership, so with several instances
 * running this at once, each membership ends, and its awards are revoked, exactly once.
 */
export async function endDueMemberships(deps: Deps, limit = 500): Promise<number> {
  const due = await deps.reader.membership.findMany({
    where: { status: 'ACTIVE', endsAt: { lte: deps.clock.now() } },
    select: { id: true, organizationId: true, earnerId: true },
    orderBy: { endsAt: 'asc' },
    take: limit,
  });
  const d = dialectFor(deps.provider);
  let count = 0;
  // One transaction per organization: the rules' lock is per organization.
  for (const organizationId of new Set(due.map((membership) => membership.organizationId))) {
    const ofOrganization = due.filter((membership) => membership.organizationId === organizationId);
    const result = await inTransaction(deps.db, async (tx) => {
      await lockRules(tx, deps.provider, organizationId, 'apply');
      await lockEarners(tx, deps.provider, organizationId, { earnerIds: ofOrganization.map((membership) => membership.earnerId) });
      const now = deps.clock.now();
      const ended = await tx.$queryRaw<Array<{ id: string; earnerId: string; productId: string }>>`
        UPDATE "Membership" SET "status" = ${d.enumValue('MembershipStatus', 'ENDED')}, "endedAt" = "endsAt",
          "endReason" = ${d.enumValue('MembershipEndReason', 'EXPIRED')}, "activeKey" = NULL, "updatedAt" = ${d.timestamp(now)}
        WHERE "id" IN (${join(ofOrganization.map((membership) => membership.id))}) AND "status" = 'ACTIVE' AND "endsAt" <= ${d.timestamp(now)}
        RETURNING "id", "earnerId", "productId"`;
      const productIds = [...new Set(ended.map((membership) => membership.productId))];
      const earnerIds = [...new Set(ended.map((membership) => membership.earnerId))];
      const reconciled = ended.length ? await applyMembershipRules(tx, deps, organizationId, productIds, earnerIds, now, null) : mergeReconciled([]);
      return { count: ended.length, reconciled };
    });
    deps.events.publish(result.reconciled.events);
    count += result.count;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Actions

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
  const result = await inTransaction(deps.db, async (tx) => {
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
        return { action: earlier, replayed: true, reconciled: mergeReconciled([]) };
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
    return { action, replayed: false, reconciled: mergeReconciled(reconciled) };
  });
  deps.events.publish(result.reconciled.events);
  return result;
}

export type AwardForActionOutcome = 'ISSUED' | 'ALREADY_HELD' | 'ALREADY_AWARDED';

/**
 * Awards a template for one action (seed 003), as the template's action rule would but for this
 * action in particular. A ONCE template the earner already holds is a no-op that says so; a
 * REPEATABLE template awards once per action, never twice for the same action, however many
 * times this is retried or raced (the action's slot is unique).
 */
export async function awardForAction(deps: Deps, actor: Actor & { apiKeyId: string }, templateId: string, actionId: string) {
  const result = await inTransaction(deps.db, async (tx) => {
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
    if (before) return { ...before, events: [] as DomainEvent[] };
    const issued = await issueForAction(
      tx,
      deps.provider,
      toRule(template.rule),
      action.earnerId,
      actionSlotKey(template.id, action.earnerId, action.id, once),
      now,
      actor.apiKeyId,
    );
    if (issued) return { outcome: 'ISSUED' as const, awardId: issued.awardId, events: issued.events as DomainEvent[] };
    // A concurrent request took the slot (or the hold) between the check and the insert.
    const after = await existing();
    if (!after) throw new ConflictError('The earner holds this badge through another award.', { field: 'actionId', rule: 'onceAlreadyHeld' });
    return { ...after, events: [] as DomainEvent[] };
  });
  deps.events.publish(result.events);
  return { outcome: result.outcome, awardId: result.awardId };
}
