// Email about awards goes through an outbox: a request records the message (an EmailMessage row)
// in the same transaction as the change that caused it, and the outbox worker (./outbox.ts) sends
// it after commit. A rollback leaves no message; a crash after commit leaves a queued row that any
// instance sends later.
import type { Actor, Deps } from '../../deps.js';
import type { Provider } from '../../db/provider.js';
import { type Prisma } from '../../generated/prisma-sqlite/client.js';
import { join, sql } from '../../db/sql.js';
import type { EmailMessage } from '../../generated/prisma-sqlite/client.js';
import { dialectFor } from '../../db/dialect.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { addIssue, email, parseInput, text, z } from '../../shared/validation.js';
import { effectiveStatus } from '../awards/status.js';
import { WITHDRAWN } from '../certificates/service.js';

export const MAX_SHARE_RECIPIENTS = 20;

/**
 * Queues the award email for each of `awardIds` whose template has `emailOnIssue`, in the
 * caller's transaction: both issuing paths (people, src/modules/awards/issue.ts; automation,
 * src/modules/automation/reconcile.ts) call this, so an award email exists exactly when its
 * award committed. Set-based, so a backfill of thousands costs one statement per chunk.
 * Returns how many messages were queued.
 */
export async function enqueueAwardEmails(tx: Tx, provider: Provider, awardIds: readonly string[], now: Date): Promise<number> {
  const d = dialectFor(provider);
  let queued = 0;
  for (let start = 0; start < awardIds.length; start += 1000) {
    const ids = awardIds.slice(start, start + 1000);
    queued += await tx.$executeRaw`INSERT INTO "EmailMessage" ("id", "organizationId", "awardId", "kind", "recipients", "status",
        "attempts", "nextAttemptAt", "createdAt", "updatedAt")
      SELECT ${d.randomId}, a."organizationId", a."id", ${d.enumValue('EmailKind', 'AWARD_NOTIFICATION')}, ${d.jsonArrayOf(sql`e."email"`)},
        ${d.enumValue('EmailStatus', 'QUEUED')}, 0, ${d.timestamp(now)}, ${d.timestamp(now)}, ${d.timestamp(now)}
      FROM "Award" a JOIN "BadgeTemplate" t ON t."id" = a."templateId" JOIN "Earner" e ON e."id" = a."earnerId"
      WHERE a."id" IN (${join(ids)}) AND t."emailOnIssue" = ${d.bool(true)}`;
  }
  return queued;
}

/** Loads an award of the actor's organization that may be emailed, or says why not. */
async function emailableAward(tx: Tx, actor: Actor, awardId: string, now: Date) {
  const award = await tx.award.findFirst({
    where: { id: awardId, organizationId: actor.organizationId },
    select: { id: true, status: true, expiresAt: true, earner: { select: { email: true } } },
  });
  if (!award) throw new NotFoundError('award', 'awardId');
  const status = effectiveStatus(award, now);
  if (WITHDRAWN.includes(status)) {
    throw new ConflictError(`An award that is ${status.toLowerCase()} cannot be emailed.`, {
      field: 'awardId',
      rule: 'statusIn:PENDING,ACCEPTED,EXPIRED',
      status,
    });
  }
  return award;
}

async function queueOne(deps: Deps, actor: Actor, awardId: string, row: (earnerEmail: string) => Omit<Prisma.EmailMessageUncheckedCreateInput, 'organizationId' | 'awardId' | 'nextAttemptAt'>) {
  const now = deps.clock.now();
  const message = await inTransaction(deps.db, async (tx) => {
    const award = await emailableAward(tx, actor, awardId, now);
    return tx.emailMessage.create({
      data: { ...row(award.earner.email), organizationId: actor.organizationId, awardId: award.id, nextAttemptAt: now, createdAt: now, updatedAt: now },
    });
  });
  // Announced so every instance's outbox worker wakes up (and response caches drop the outbox).
  deps.events.publish([
    { kind: 'organization', change: 'EMAIL_QUEUED', organizationId: actor.organizationId, subjectId: message.id, at: now.toISOString() },
  ]);
  return message;
}

/** Queues the award email to its earner (at the earner's current address). */
export function sendAwardEmail(deps: Deps, actor: Actor, awardId: string): Promise<EmailMessage> {
  return queueOne(deps, actor, awardId, (earnerEmail) => ({ kind: 'AWARD_NOTIFICATION', recipients: [earnerEmail] }));
}

/** Subjects and names go into mail headers: a line break there would start a header of its own. */
const headerText = (max: number) =>
  text(max).refine((value) => !/[\r\n]/.test(value), { message: 'must not contain line breaks', params: { rule: 'noLineBreaks' } });

const shareSchema = z
  .object({
    recipients: z
      .array(email())
      .min(1, 'must name at least one address')
      .max(MAX_SHARE_RECIPIENTS, `must name at most ${MAX_SHARE_RECIPIENTS} addresses`),
    subject: headerText(200),
    message: text(5000),
    senderName: headerText(100).nullish(),
  })
  .superRefine((input, context) => {
    const seen = new Set<string>();
    input.recipients.forEach((address, index) => {
      const key = address.toLowerCase();
      if (seen.has(key)) addIssue(context, ['recipients', index], 'uniqueItems', 'repeats an earlier address');
      seen.add(key);
    });
  });

export type ShareAwardInput = z.input<typeof shareSchema>;

/** Queues one message to up to 20 addresses, with the sharer's subject and message. */
export function shareAward(deps: Deps, actor: Actor, awardId: string, rawInput: ShareAwardInput): Promise<EmailMessage> {
  const input = parseInput(shareSchema, rawInput);
  return queueOne(deps, actor, awardId, () => ({
    kind: 'AWARD_SHARE',
    recipients: input.recipients,
    subject: input.subject,
    message: input.message,
    senderName: input.senderName ?? null,
  }));
}
