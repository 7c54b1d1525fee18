// The one writer of Award and AwardHistoryEntry. People's issues and changes, automation's
// set-based issues, revocations and restorations, and the scheduler's expiries all write through
// these functions, so every award gets the same ids (UUIDv7, and a 22-character base64url public
// id), every change bumps the award's revision in the statement that makes it and numbers its
// history entry with it, every issue from a template with emailOnIssue queues the award email, and
// every write returns the events that announce it. Callers run them in their transaction (which
// holds the earners' locks: ../earners/locks.ts) and hand the events to commit().
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import type { Sql } from '../../db/sql.js';
import type { Tx } from '../../db/transaction.js';
import type { AwardChange, AwardEvent } from '../../events/events.js';
import type { AwardAction } from '../../generated/prisma-sqlite/client.js';
import { enqueueAwardEmails } from '../outbox/index.js';
import { assignmentsSql, deleteAwardsSql, awardIdsSql, insertAwardsSql, insertHistorySql, updateAwardsSql, type AwardColumn, type ColumnValue } from './writer.sql.js';

export type { ColumnValue };
export { awardIdsSql };

/** Who made a write, and why: shared by the history entries it records. */
export interface HistoryNote {
  action: AwardAction;
  reason?: string | null;
  origin: 'MANUAL' | 'AUTOMATION' | 'EXPIRY';
  /** The API key that made the change; none for automation and expiry. */
  actorApiKeyId?: string | null;
  /** For automation: the key whose request led the rule to act. */
  triggeredByApiKeyId?: string | null;
  at: Date;
}

/** An award to insert: every column but those the writer sets itself. */
export type NewAward = Omit<Record<AwardColumn, ColumnValue>, 'id' | 'publicId' | 'createdAt' | 'updatedAt'>;

/** An award a write touched. */
export interface WrittenAward {
  id: string;
  publicId?: string;
  organizationId: string;
  templateId: string;
  earnerId: string;
  revision: number;
}

export interface Written {
  awards: WrittenAward[];
  events: AwardEvent[];
}

/** Rows per statement: an award row binds 39 values, and SQLite takes at most 32,766. */
const AWARD_ROWS_PER_STATEMENT = 250;
const HISTORY_ROWS_PER_STATEMENT = 1_000;

export function newPublicId(): string {
  return randomBytes(16).toString('base64url');
}

/** `emailed`: the awards whose email the same write queued (the flag wakes the mail workers). */
function events(awards: readonly WrittenAward[], change: AwardChange, when: Date, emailed: ReadonlySet<string> = new Set()): AwardEvent[] {
  const at = when.toISOString();
  return awards.map((award) => ({
    kind: 'award',
    change,
    organizationId: award.organizationId,
    awardId: award.id,
    templateId: award.templateId,
    earnerId: award.earnerId,
    at,
    ...(emailed.has(award.id) ? { emailQueued: true as const } : {}),
  }));
}

async function recordHistory(tx: Tx, provider: Provider, awards: readonly WrittenAward[], note: HistoryNote): Promise<void> {
  const d = dialectFor(provider);
  const shared = {
    action: note.action,
    reason: note.reason ?? null,
    origin: note.origin,
    actorApiKeyId: note.actorApiKeyId ?? null,
    triggeredByApiKeyId: note.triggeredByApiKeyId ?? null,
    at: note.at,
  };
  for (let start = 0; start < awards.length; start += HISTORY_ROWS_PER_STATEMENT) {
    const rows = awards.slice(start, start + HISTORY_ROWS_PER_STATEMENT).map((award) => ({
      id: uuidv7(),
      organizationId: award.organizationId,
      awardId: award.id,
      sequence: award.revision,
    }));
    await tx.$executeRaw(insertHistorySql(d, rows, shared));
  }
}

/**
 * Issues awards with their ISSUED entries, and queues the award email of those whose template
 * sends one. With `skipTaken`, a row whose automation slot or ONCE hold is already taken is left
 * out (automation, which may race itself); otherwise such a row fails the transaction, which
 * inTransaction runs again. Returns the inserted awards in input order.
 */
export async function insertAwards(tx: Tx, provider: Provider, rows: readonly NewAward[], note: HistoryNote, options: { skipTaken?: boolean } = {}): Promise<Written> {
  if (rows.length === 0) return { awards: [], events: [] };
  const d = dialectFor(provider);
  const complete = rows.map((row) => ({ ...row, id: uuidv7(), publicId: newPublicId(), createdAt: note.at, updatedAt: note.at }));
  const inserted = new Map<string, WrittenAward>();
  for (let start = 0; start < complete.length; start += AWARD_ROWS_PER_STATEMENT) {
    const chunk = complete.slice(start, start + AWARD_ROWS_PER_STATEMENT);
    for (const award of await tx.$queryRaw<WrittenAward[]>(insertAwardsSql(d, chunk, options.skipTaken ?? false))) {
      inserted.set(award.id, { ...award, revision: Number(award.revision) });
    }
  }
  // RETURNING promises no order: the input's order is kept from the ids given.
  const awards = complete.flatMap((row) => {
    const award = inserted.get(row.id);
    return award ? [{ ...award, publicId: row.publicId }] : [];
  });
  await recordHistory(tx, provider, awards, note);
  const emailed = await enqueueAwardEmails(tx, provider, awards.map((award) => award.id), note.at);
  return { awards, events: events(awards, note.action, note.at, emailed) };
}

/** Columns to set, to a value or to SQL over the row (a CASE, another column). */
export type AwardChanges = Partial<Record<Exclude<AwardColumn, 'id' | 'publicId' | 'organizationId' | 'createdAt' | 'updatedAt'>, ColumnValue>>;

/**
 * Changes the awards matching `where` (a condition on "Award", after the CTEs `ctes` when given),
 * bumps their revision, and records one history entry each.
 */
export async function changeAwards(tx: Tx, provider: Provider, change: { ctes?: Sql; where: Sql; set: AwardChanges }, note: HistoryNote): Promise<Written> {
  const d = dialectFor(provider);
  const rows = await tx.$queryRaw<WrittenAward[]>(updateAwardsSql(d, { ...change, set: assignmentsSql(d, change.set) }, note.at));
  const awards = rows.map((award) => ({ ...award, revision: Number(award.revision) }));
  await recordHistory(tx, provider, awards, note);
  return { awards, events: events(awards, note.action, note.at) };
}

/**
 * Deletes awards for good, with their history; the events say so. Each leaves a tombstone with
 * no personal data (its public id, and its place in the status lists), so its links answer
 * 410 Gone and its credential's status bit stays set. The tombstone is written from what the
 * delete returned, so an index given to the award while this ran is not missed.
 */
export async function deleteAwards(tx: Tx, ids: readonly string[], at: Date): Promise<AwardEvent[]> {
  if (ids.length === 0) return [];
  const awards = await tx.$queryRaw<Array<Omit<WrittenAward, 'revision'> & { publicId: string; statusListIndex: number | bigint | null }>>(deleteAwardsSql(ids));
  if (awards.length === 0) return [];
  await tx.deletedAward.createMany({
    data: awards.map((award) => ({
      publicId: award.publicId,
      organizationId: award.organizationId,
      statusListIndex: award.statusListIndex === null ? null : Number(award.statusListIndex),
      deletedAt: at,
    })),
  });
  return events(
    awards.map((award) => ({ ...award, revision: 0 })),
    'DELETED',
    at,
  );
}
