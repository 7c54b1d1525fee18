// Importing badges earned on other platforms: Open Badges 2.0 assertions and 3.0 credentials
// become `imported` awards (legacyId = the assertion's or credential's id), issued from the
// template made from their BadgeClass/Achievement (found by sourceAchievementId, or created).
// All or nothing: every item is read and verified first, and any item's problem writes nothing.
import { createHash } from 'node:crypto';
import type { Actor, Deps } from '../../deps.js';
import { commit, inTransaction, type Change, type Tx } from '../../db/transaction.js';
import type { DomainEvent } from '../../events/events.js';
import { DomainError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { issueAwardsInTransaction, type IssueAwardInput } from '../awards/index.js';
import { isObject, type JsonObject } from '../credentials/index.js';
import { recipientSchema } from '../earners/index.js';
import { createTemplateInTransaction } from '../templates/index.js';
import { ItemProblems, matchIdentity, problem, unpack, type ImportSource, type ReadCredential, type SourceFormat, type Standard } from './read.js';
import { DocumentFetcher } from './fetch.js';
import { readVerified } from './verify.js';

export const MAX_IMPORT_ITEMS = 100;
const MAX_DOCUMENTS = 200;
const MAX_CANDIDATE_EMAILS = 10_000;

export interface CredentialImportItemInput extends ImportSource {
  /** The recipient's name, when the credential gives none (OB 2.0 never does). */
  recipientName?: string | null;
  /** The recipient's email when the credential names them otherwise (a DID), or one more candidate for a hashed identity. */
  recipientEmail?: string | null;
}

export interface ImportCredentialsInput {
  items: CredentialImportItemInput[];
  /** OB 2.0 BadgeClass, Profile and CryptographicKey documents that assertions name by URL. */
  documents?: readonly unknown[] | null;
  /** Emails to match hashed recipient identities against. */
  candidateEmails?: readonly string[] | null;
  dryRun?: boolean | null;
}

export type ImportOutcome = 'IMPORTED' | 'ALREADY_IMPORTED';
export type TemplateOutcome = 'MATCHED' | 'CREATED';

export interface ImportedCredential {
  index: number;
  standard: Standard;
  format: SourceFormat;
  legacyId: string;
  outcome: ImportOutcome;
  /** The award; null in a dry run for an award that would be issued. */
  awardId: string | null;
  templateOutcome: TemplateOutcome;
  /** The template; null in a dry run for a template that would be created. */
  templateId: string | null;
  achievementId: string;
  templateName: string;
  recipientEmail: string;
  warnings: string[];
}

export interface ImportCredentialsResult {
  dryRun: boolean;
  items: ImportedCredential[];
}

interface Prepared {
  index: number;
  format: SourceFormat;
  read: ReadCredential;
  recipientEmail: string;
  recipientName: string;
}

const itemField = (index: number, name: string) => `items[${index}]${name ? `.${name}` : ''}`;

function documentsById(documents: readonly unknown[]): Map<string, JsonObject> {
  const issues: FieldIssue[] = [];
  const byId = new Map<string, JsonObject>();
  documents.forEach((document, index) => {
    if (!isObject(document) || typeof document.id !== 'string') {
      issues.push({ field: `documents[${index}]`, rule: 'idGiven', message: 'must be a JSON object with a string id' });
    } else byId.set(document.id, document);
  });
  if (issues.length) throw new ValidationError(issues);
  return byId;
}

/** Reads, verifies and finds the recipient of one item. */
async function prepare(
  deps: Deps,
  item: CredentialImportItemInput,
  index: number,
  documents: ReadonlyMap<string, JsonObject>,
  fetcher: DocumentFetcher,
  candidates: readonly string[],
): Promise<Prepared> {
  const unpacked = unpack(item);
  const read = await readVerified(deps, unpacked, documents, fetcher);
  const given = item.recipientEmail?.trim();
  let recipientEmail = matchIdentity(read.identities, given ? [given, ...candidates] : candidates);
  if (!recipientEmail && read.identities.length === 0 && given) {
    recipientEmail = given;
    read.warnings.push('The credential names its recipient by no email: the recipientEmail given is used');
  }
  if (!recipientEmail) {
    const hashed = read.identities.length > 0;
    throw problem(
      unpacked.field,
      hashed ? 'recipientMatched' : 'recipientEmail',
      hashed
        ? 'the recipient’s identity is hashed and none of candidateEmails (nor recipientEmail) matches it'
        : 'the credential names its recipient by no email address: give recipientEmail',
    );
  }
  return { index, format: unpacked.format, read, recipientEmail, recipientName: recipientNameOf(item, read, recipientEmail) };
}

/**
 * The caller's name for the recipient (checked by issuing, like any name given), else the
 * credential's when it meets the rules for names, else the email: a name in someone else's
 * credential too short for our rules should not refuse the import.
 */
function recipientNameOf(item: CredentialImportItemInput, read: ReadCredential, email: string): string {
  const given = item.recipientName?.trim();
  if (given) return given;
  if (read.recipientName) {
    const checked = recipientSchema.safeParse({ email, name: read.recipientName });
    if (checked.success || !checked.error.issues.some((issue) => issue.path[0] === 'name')) return read.recipientName;
    read.warnings.push(`The credential's recipient name "${read.recipientName}" does not meet the rules for names here: the email is used; give recipientName to set one`);
  }
  return email;
}

function idempotencyKey(legacyId: string): string {
  return `credential-import:${createHash('sha256').update(legacyId).digest('base64url')}`;
}

/** Issuing's problems (a ONCE badge already held, a template no longer active), each with its item's index too. */
function withItemIndexes(error: unknown): unknown {
  if (!(error instanceof DomainError) || !Array.isArray(error.details.issues)) return error;
  const issues = (error.details.issues as FieldIssue[]).map((issue) => {
    const index = /^items\[(\d+)\]/.exec(issue.field)?.[1];
    return index === undefined ? issue : { ...issue, index: Number(index) };
  });
  return error instanceof ValidationError ? new ValidationError(issues) : new DomainError(error.code, error.message, { ...error.details, issues });
}

class DryRunRollback extends Error {
  constructor(readonly result: ImportedCredential[]) {
    super('dry run: rolled back');
  }
}

/**
 * Imports up to MAX_IMPORT_ITEMS credentials, all or nothing. Problems are reported per item
 * (`items[i]....`) with every item's problems at once; a dry run does everything, reports it,
 * and rolls it back.
 */
export async function importCredentials(deps: Deps, actor: Actor, input: ImportCredentialsInput): Promise<ImportCredentialsResult> {
  const dryRun = input.dryRun ?? false;
  if (input.items.length > MAX_IMPORT_ITEMS) throw ValidationError.single('items', 'maxItems', `must have at most ${MAX_IMPORT_ITEMS} items`);
  if ((input.documents?.length ?? 0) > MAX_DOCUMENTS) throw ValidationError.single('documents', 'maxItems', `must have at most ${MAX_DOCUMENTS} documents`);
  if ((input.candidateEmails?.length ?? 0) > MAX_CANDIDATE_EMAILS) {
    throw ValidationError.single('candidateEmails', 'maxItems', `must have at most ${MAX_CANDIDATE_EMAILS} emails`);
  }
  if (input.items.length === 0) return { dryRun, items: [] };
  const documents = documentsById(input.documents ?? []);
  const candidates = input.candidateEmails ?? [];
  const fetcher = new DocumentFetcher(deps.config);

  const issues: Array<FieldIssue & { index: number }> = [];
  const prepared: Prepared[] = [];
  // Items are read at once: a hosted assertion may wait on its issuer's server.
  const outcomes = await Promise.all(
    input.items.map((item, index) =>
      prepare(deps, item, index, documents, fetcher, candidates).then(
        (ready) => ({ ready }),
        (error: unknown) => ({ error }),
      ),
    ),
  );
  for (const [index, outcome] of outcomes.entries()) {
    if ('ready' in outcome) {
      prepared.push(outcome.ready);
      continue;
    }
    if (!(outcome.error instanceof ItemProblems)) throw outcome.error;
    issues.push(...outcome.error.problems.map((found) => ({ ...found, field: itemField(index, found.field), index })));
  }
  const firstOfLegacyId = new Map<string, number>();
  for (const { index, read } of prepared) {
    const first = firstOfLegacyId.get(read.legacyId);
    if (first === undefined) firstOfLegacyId.set(read.legacyId, index);
    else issues.push({ index, field: itemField(index, ''), rule: 'uniqueInBatch', message: `is the same credential (${read.legacyId}) as item ${first}` });
  }
  if (issues.length) throw new ValidationError(issues);

  const work = (tx: Tx) => importInTransaction(tx, deps, actor, prepared, dryRun);
  if (!dryRun) return { dryRun, items: await commit(deps, work, { timeoutMs: 60_000 }) };
  try {
    await inTransaction(deps.db, async (tx) => {
      throw new DryRunRollback((await work(tx)).result);
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return { dryRun, items: error.result };
    throw error;
  }
  throw new Error('unreachable: a dry run always rolls back');
}

async function importInTransaction(tx: Tx, deps: Deps, actor: Actor, prepared: Prepared[], dryRun: boolean): Promise<Change<ImportedCredential[]>> {
  const { organizationId } = actor;
  const events: DomainEvent[] = [];

  // Templates: the one made from the same BadgeClass/Achievement before, or a new active one.
  const achievementIds = [...new Set(prepared.map(({ read }) => read.achievement.id))];
  const existing = await tx.badgeTemplate.findMany({
    where: { organizationId, sourceAchievementId: { in: achievementIds } },
    select: { id: true, name: true, sourceAchievementId: true },
  });
  const templates = new Map<string, { id: string; name: string; outcome: TemplateOutcome }>(
    existing.map((template) => [template.sourceAchievementId!, { id: template.id, name: template.name, outcome: 'MATCHED' }]),
  );
  for (const { index, read } of prepared) {
    const { achievement } = read;
    if (templates.has(achievement.id)) continue;
    try {
      const created = await createTemplateInTransaction(
        tx,
        deps,
        actor,
        {
          name: achievement.name,
          description: achievement.description,
          criteriaNarrative: achievement.criteriaNarrative,
          criteriaUrl: achievement.criteriaUrl,
          imageUrl: achievement.imageUrl,
          tags: achievement.tags,
          activate: true,
        },
        achievement.id,
      );
      events.push(...created.events);
      templates.set(achievement.id, { id: created.result.id, name: created.result.name, outcome: 'CREATED' });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.issues.map((found) => ({ ...found, field: itemField(index, `achievement.${found.field}`), index })));
    }
  }

  // A credential imported before (same legacyId, same template) is not issued again.
  const earlier = await tx.award.findMany({
    where: { organizationId, imported: true, legacyId: { in: prepared.map(({ read }) => read.legacyId) } },
    select: { id: true, legacyId: true, templateId: true },
  });
  const earlierAward = new Map(earlier.map((award) => [`${award.templateId}\n${award.legacyId}`, award.id]));

  const results: ImportedCredential[] = prepared.map(({ index, format, read, recipientEmail }) => {
    const template = templates.get(read.achievement.id)!;
    const awardId = earlierAward.get(`${template.id}\n${read.legacyId}`);
    return {
      index,
      standard: read.standard,
      format,
      legacyId: read.legacyId,
      outcome: awardId ? 'ALREADY_IMPORTED' : 'IMPORTED',
      awardId: awardId ?? null,
      templateOutcome: template.outcome,
      templateId: template.id,
      achievementId: read.achievement.id,
      templateName: template.name,
      recipientEmail,
      warnings: read.warnings,
    };
  });
  const toIssue = prepared.filter((_entry, position) => results[position]!.outcome === 'IMPORTED');
  const rows: IssueAwardInput[] = toIssue.map(({ read, recipientEmail, recipientName }) => ({
    templateId: templates.get(read.achievement.id)!.id,
    recipient: { email: recipientEmail, name: recipientName },
    issuedAt: read.issuedAt,
    expiresAt: read.expiresAt,
    imported: true,
    // The earner held it already on the other platform.
    accepted: true,
    evidence: read.evidence.length ? read.evidence : null,
    legacyId: read.legacyId,
    // Two imports of one credential racing: the second's insert fails, and its retry finds the first's award above.
    idempotencyKey: idempotencyKey(read.legacyId),
  }));
  const issued = await issueAwardsInTransaction(tx, deps, actor, rows, (position, name) => itemField(toIssue[position]!.index, name)).catch(
    (error: unknown) => {
      throw withItemIndexes(error);
    },
  );
  events.push(...issued.events);
  const byIndex = new Map(toIssue.map(({ index }, position) => [index, issued.result[position]!.awardId]));
  for (const result of results) {
    if (result.outcome === 'IMPORTED') result.awardId = byIndex.get(result.index)!;
    // What a rolled-back transaction made does not exist afterwards.
    if (dryRun && result.outcome === 'IMPORTED') result.awardId = null;
    if (dryRun && result.templateOutcome === 'CREATED') result.templateId = null;
  }
  return { result: results, events };
}
