// Issuing awards: one, or up to MAX_BATCH in one all-or-nothing transaction. A single issue is a
// batch of one, so both paths share every rule.
import type { Actor, Deps } from '../../deps.js';
import { commit, type Change, type Tx } from '../../db/transaction.js';
import type { AwardMode, BadgeTemplateState } from '../../generated/prisma-sqlite/client.js';
import { addDays } from '../../shared/clock.js';
import { DomainError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { searchKey } from '../../shared/search-key.js';
import { requestHash } from '../../shared/stable-json.js';
import { addIssue, httpUrl, jsonObject, notInFuture, omittable, line, text, toFieldIssues, z } from '../../shared/validation.js';
import { findOrCreateEarners, lockEarners, recipientSchema } from '../earners/index.js';
import { evidenceListSchema, storedEvidence } from './evidence.js';
import { isLive, onceHoldKey } from './status.js';
import { awardIdsSql, changeAwards, insertAwards, type NewAward } from './writer.js';

export const MAX_BATCH = 1000;

export const DUPLICATE_POLICIES = ['DENY', 'REPLACE', 'SKIP'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];
export type IssueOutcome = 'ISSUED' | 'REPLACED' | 'ALREADY_HELD' | 'IDEMPOTENT_REPLAY';

const issueSchema = z
  .object({
    templateId: z.string(),
    recipient: recipientSchema,
    issuedAt: omittable(z.date()),
    /** Omitted: the template's default validity. Null: never expires. */
    expiresAt: z.date().nullish(),
    imported: omittable(z.boolean()),
    accepted: omittable(z.boolean()),
    activityTitle: line(500).nullish(),
    activityStartedAt: z.date().nullish(),
    activityEndedAt: z.date().nullish(),
    notes: text(10_000).nullish(),
    additionalDetails: jsonObject(16_384).nullish(),
    evidence: evidenceListSchema.nullish(),
    imageUrl: httpUrl().nullish(),
    imageHighResolutionUrl: httpUrl().nullish(),
    imageThumbnailUrl: httpUrl().nullish(),
    legacyId: text(200).nullish(),
    idempotencyKey: text(200).nullish(),
    onDuplicate: omittable(z.enum(DUPLICATE_POLICIES)),
  })
  .superRefine((input, context) => {
    if (input.activityStartedAt && input.activityEndedAt && input.activityEndedAt < input.activityStartedAt) {
      addIssue(context, ['activityEndedAt'], 'notBefore:activityStartedAt', 'must not be before activityStartedAt');
    }
  });

export type IssueAwardInput = z.input<typeof issueSchema>;
export type ParsedIssue = z.output<typeof issueSchema>;

export interface IssueResult {
  awardId: string;
  outcome: IssueOutcome;
  /** For REPLACED: the award that was revoked to make room. */
  replacedAwardId?: string;
}

interface TemplateForIssue {
  id: string;
  state: BadgeTemplateState;
  awardMode: AwardMode;
  validityDays: number | null;
  version: number;
  imageUrl: string | null;
  imageHighResolutionUrl: string | null;
  imageThumbnailUrl: string | null;
}

/** Names a field of row `index`: `recipient.email` for a single issue, `awards[3].recipient.email` in bulk. */
export type FieldNamer = (index: number, name: string) => string;

class BatchProblems {
  readonly issues: Array<FieldIssue & { code: DomainError['code'] }> = [];
  constructor(private readonly field: FieldNamer) {}

  add(code: DomainError['code'], index: number, name: string, rule: string, message: string, extra = {}) {
    this.issues.push({ code, field: this.field(index, name), rule, message, ...extra });
  }

  throwIfAny(): void {
    const [first, ...rest] = this.issues;
    if (!first) return;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    const { code, ...firstIssue } = first;
    throw new DomainError(code, `${first.field}: ${first.message}${more}`, { ...firstIssue, issues: this.issues });
  }
}

function issueHash(input: ParsedIssue): string {
  const { idempotencyKey: _key, ...request } = input;
  return requestHash(request);
}

/** Parses every row, reporting the problems of all rows at once. */
export function parseIssueRows(inputs: IssueAwardInput[], field: FieldNamer, now: Date): ParsedIssue[] {
  const issues: FieldIssue[] = [];
  const rows = inputs.map((input, index) => {
    const parsed = issueSchema.safeParse(input);
    if (!parsed.success) {
      issues.push(...toFieldIssues(parsed.error).map((issue) => ({ ...issue, field: field(index, issue.field) })));
      return undefined;
    }
    const row = parsed.data;
    const issuedAt = row.issuedAt ?? now;
    issues.push(...notInFuture(now, issuedAt, field(index, 'issuedAt')));
    if (row.expiresAt && row.expiresAt <= issuedAt) {
      issues.push({ field: field(index, 'expiresAt'), rule: 'after:issuedAt', message: 'must be after issuedAt' });
    }
    return row;
  });
  const keys = new Map<string, number>();
  rows.forEach((row, index) => {
    if (!row?.idempotencyKey) return;
    const first = keys.get(row.idempotencyKey);
    if (first !== undefined) {
      issues.push({
        field: field(index, 'idempotencyKey'),
        rule: 'uniqueInBatch',
        message: `repeats the idempotency key of row ${first}`,
      });
    } else keys.set(row.idempotencyKey, index);
  });
  if (issues.length) throw new ValidationError(issues);
  return rows as ParsedIssue[];
}

/**
 * Issues awards, all or nothing: when any row breaks a rule, the error lists every broken rule
 * and nothing is written. Rows of ONCE templates that the earner already holds follow the row's
 * `onDuplicate` policy: DENY (the default) is an error, SKIP returns the held award, REPLACE
 * revokes it and issues the new one.
 */
export async function issueAwards(
  deps: Deps,
  actor: Actor,
  inputs: IssueAwardInput[],
  field: FieldNamer = (index, name) => `awards[${index}].${name}`,
): Promise<IssueResult[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > MAX_BATCH) {
    throw ValidationError.single('awards', 'maxItems', `must have at most ${MAX_BATCH} awards`);
  }
  const now = deps.clock.now();
  return commitIssues(deps, actor, parseIssueRows(inputs, field, now), field, now);
}

/** Issues rows already parsed, in a transaction of their own (see issueAwards). */
export function commitIssues(deps: Deps, actor: Actor, rows: ParsedIssue[], field: FieldNamer, now: Date): Promise<IssueResult[]> {
  return commit(deps, (tx) => issueInTransaction(tx, deps, actor, rows, field, now), { timeoutMs: 60_000 });
}

/**
 * The rule problems of rows as issueAwards would report them before opening a transaction (an
 * import's dry run checks its rows with these very rules). None when every row passes.
 */
export function issueProblems(inputs: IssueAwardInput[], field: FieldNamer, now: Date): FieldIssue[] {
  try {
    parseIssueRows(inputs, field, now);
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
}

/**
 * issueAwards inside a transaction the caller owns, for a change that issues together with other
 * writes (an import creating the templates it issues from): the caller commits and publishes.
 */
export async function issueAwardsInTransaction(
  tx: Tx,
  deps: Deps,
  actor: Actor,
  inputs: IssueAwardInput[],
  field: FieldNamer,
): Promise<Change<IssueResult[]>> {
  if (inputs.length === 0) return { result: [], events: [] };
  const now = deps.clock.now();
  return issueInTransaction(tx, deps, actor, parseIssueRows(inputs, field, now), field, now);
}

/** Issues parsed rows in the caller's transaction, all or nothing (see issueAwards). */
async function issueInTransaction(
  tx: Tx,
  deps: Deps,
  actor: Actor,
  rows: ParsedIssue[],
  field: FieldNamer,
  now: Date,
): Promise<Change<IssueResult[]>> {
  const { organizationId } = actor;
  const problems = new BatchProblems(field);
  const results: Array<IssueResult | undefined> = rows.map(() => undefined);

  // 1. A retried request returns what the first attempt issued.
  const keys = rows.flatMap((row) => row.idempotencyKey ?? []);
  if (keys.length) {
    const previous = await tx.award.findMany({
      where: { organizationId, idempotencyKey: { in: keys } },
      select: { id: true, idempotencyKey: true, idempotencyHash: true },
    });
    const byKey = new Map(previous.map((award) => [award.idempotencyKey, award]));
    rows.forEach((row, index) => {
      const earlier = row.idempotencyKey ? byKey.get(row.idempotencyKey) : undefined;
      if (!earlier) return;
      if (earlier.idempotencyHash === issueHash(row)) {
        results[index] = { awardId: earlier.id, outcome: 'IDEMPOTENT_REPLAY' };
      } else {
        problems.add('CONFLICT', index, 'idempotencyKey', 'sameRequest', 'was already used for a different request');
      }
    });
  }
  const pending = rows.flatMap((row, index) => (results[index] ? [] : [{ row, index }]));

  // 2. Templates: they must exist in this organization and be active.
  const templateIds = [...new Set(pending.map(({ row }) => row.templateId))];
  const templates = new Map<string, TemplateForIssue>(
    (
      await tx.badgeTemplate.findMany({
        where: { organizationId, id: { in: templateIds } },
        select: {
          id: true,
          state: true,
          awardMode: true,
          validityDays: true,
          version: true,
          imageUrl: true,
          imageHighResolutionUrl: true,
          imageThumbnailUrl: true,
        },
      })
    ).map((template) => [template.id, template]),
  );
  for (const { row, index } of pending) {
    const template = templates.get(row.templateId);
    if (!template) problems.add('NOT_FOUND', index, 'templateId', 'exists', 'is not a badge template of this organization');
    else if (template.state !== 'ACTIVE') {
      problems.add('CONFLICT', index, 'templateId', 'templateActive', `names a ${template.state.toLowerCase()} template; only active templates issue`);
    }
  }
  problems.throwIfAny();

  // 3. Earners, found or created.
  const { provider } = deps;
  const earners = await findOrCreateEarners(
    tx,
    provider,
    organizationId,
    pending.map(({ row }) => row.recipient),
    (position, name) => field(pending[position]!.index, `recipient.${name}`),
    now,
  );

  // The earners' awards may change below (a ONCE holder expired or replaced): see lockEarners.
  await lockEarners(tx, provider, organizationId, { earnerIds: earners.map((earner) => earner.id) });
  const changedAt = deps.clock.now();

  // 4. ONCE templates: an earner holds at most one live award of each.
  const toIssue: Array<{ row: ParsedIssue; index: number; earnerId: string; template: TemplateForIssue; holdKey: string | null }> = [];
  const claimedInBatch = new Map<string, number>();
  const skippedForBatchRow = new Map<number, number>();
  for (const [position, { row, index }] of pending.entries()) {
    const template = templates.get(row.templateId)!;
    const earnerId = earners[position]!.id;
    const holdKey = template.awardMode === 'ONCE' ? onceHoldKey(template.id, earnerId) : null;
    if (holdKey) {
      const earlierRow = claimedInBatch.get(holdKey);
      if (earlierRow !== undefined) {
        if ((row.onDuplicate ?? 'DENY') === 'SKIP') skippedForBatchRow.set(index, earlierRow);
        else problems.add('CONFLICT', index, 'recipient', 'uniqueInBatch', `receives the same ONCE badge as row ${earlierRow}`);
        continue;
      }
      claimedInBatch.set(holdKey, index);
    }
    toIssue.push({ row, index, earnerId, template, holdKey });
  }
  problems.throwIfAny();

  const holdKeys = toIssue.flatMap((entry) => entry.holdKey ?? []);
  const holders = holdKeys.length
    ? await tx.award.findMany({
        where: { onceHoldKey: { in: holdKeys } },
        select: { id: true, status: true, expiresAt: true, onceHoldKey: true, templateId: true, earnerId: true },
      })
    : [];
  const holderByKey = new Map(holders.map((holder) => [holder.onceHoldKey!, holder]));
  const expire: typeof holders = [];
  const replace: Array<{ holder: (typeof holders)[number]; index: number }> = [];
  const issuing = toIssue.filter((entry) => {
    const holder = entry.holdKey ? holderByKey.get(entry.holdKey) : undefined;
    if (!holder) return true;
    if (!isLive(holder, now)) {
      expire.push(holder); // past its expiry date, its status simply was not recorded yet
      return true;
    }
    const policy = entry.row.onDuplicate ?? 'DENY';
    if (policy === 'SKIP') {
      results[entry.index] = { awardId: holder.id, outcome: 'ALREADY_HELD' };
      return false;
    }
    if (policy === 'REPLACE') {
      replace.push({ holder, index: entry.index });
      return true;
    }
    problems.add('CONFLICT', entry.index, 'recipient', 'onceAlreadyHeld', 'already holds this ONCE badge; set onDuplicate to REPLACE or SKIP', {
      heldAwardId: holder.id,
    });
    return false;
  });
  problems.throwIfAny();

  // 5. Writes, through the award writer: record expiries, revoke replaced awards, issue the new ones.
  const byIds = (awards: ReadonlyArray<{ id: string }>) => awardIdsSql(awards.map((award) => award.id));
  const expired = expire.length
    ? await changeAwards(tx, provider, { where: byIds(expire), set: { status: 'EXPIRED', onceHoldKey: null } }, { action: 'EXPIRED', origin: 'EXPIRY', at: changedAt })
    : undefined;
  const reason = 'Replaced by a new award of the same badge.';
  const replaced = replace.length
    ? await changeAwards(
        tx,
        provider,
        { where: byIds(replace.map(({ holder }) => holder)), set: { status: 'REVOKED', revokedAt: changedAt, revokedReason: reason, onceHoldKey: null } },
        { action: 'REVOKED', reason, origin: 'MANUAL', actorApiKeyId: actor.apiKeyId, at: changedAt },
      )
    : undefined;

  const newAwards: NewAward[] = issuing.map(({ row, earnerId, template, holdKey }) => {
    const issuedAt = row.issuedAt ?? now;
    const expiresAt =
      row.expiresAt !== undefined ? row.expiresAt : template.validityDays ? addDays(issuedAt, template.validityDays) : null;
    return {
      organizationId,
      templateId: template.id,
      templateVersionNumber: template.version,
      earnerId,
      recipientName: row.recipient.fullName,
      recipientNameLower: searchKey(row.recipient.fullName),
      recipientFirstName: row.recipient.firstName ?? null,
      recipientLastName: row.recipient.lastName ?? null,
      recipientEmail: row.recipient.email,
      recipientEmailLower: searchKey(row.recipient.email),
      status: row.accepted ? 'ACCEPTED' : 'PENDING',
      acceptedAt: row.accepted ? changedAt : null,
      rejectedAt: null,
      revokedAt: null,
      revokedReason: null,
      imported: row.imported ?? false,
      imageUrl: row.imageUrl ?? template.imageUrl,
      imageHighResolutionUrl: row.imageHighResolutionUrl ?? template.imageHighResolutionUrl,
      imageThumbnailUrl: row.imageThumbnailUrl ?? template.imageThumbnailUrl,
      activityTitle: row.activityTitle ?? null,
      activityStartedAt: row.activityStartedAt ?? null,
      activityEndedAt: row.activityEndedAt ?? null,
      notes: row.notes ?? null,
      additionalDetails: row.additionalDetails ?? null,
      evidence: storedEvidence(row.evidence),
      issuedAt,
      expiresAt,
      legacyId: row.legacyId ?? null,
      idempotencyKey: row.idempotencyKey ?? null,
      idempotencyHash: row.idempotencyKey ? issueHash(row) : null,
      onceHoldKey: holdKey,
      source: 'MANUAL',
      automationKey: null,
      automationLevel: null,
      automationKind: null,
      automationRevoked: false,
    };
  });
  const issued = await insertAwards(tx, provider, newAwards, { action: 'ISSUED', origin: 'MANUAL', actorApiKeyId: actor.apiKeyId, at: changedAt });
  const replacedByIndex = new Map(replace.map(({ holder, index }) => [index, holder.id]));
  issuing.forEach((entry, position) => {
    const award = issued.awards[position]!;
    const replacedAwardId = replacedByIndex.get(entry.index);
    results[entry.index] = replacedAwardId
      ? { awardId: award.id, outcome: 'REPLACED', replacedAwardId }
      : { awardId: award.id, outcome: 'ISSUED' };
  });
  const events = [...(expired?.events ?? []), ...(replaced?.events ?? []), ...issued.events];
  for (const [index, earlierRow] of skippedForBatchRow) {
    results[index] = { awardId: results[earlierRow]!.awardId, outcome: 'ALREADY_HELD' };
  }
  return { result: results as IssueResult[], events };
}
