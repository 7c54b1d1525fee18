// Email about awards: what may be emailed, and what a queued message says. Messages go through
// the outbox (../outbox), written in the transaction that asks for them and sent after commit.
import type { Actor, Deps } from '../../deps.js';
import { commit, type Tx } from '../../db/transaction.js';
import type { EmailMessage } from '../../generated/prisma-sqlite/client.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { addIssue, email, line, parseInput, text, z } from '../../shared/validation.js';
import { effectiveStatus, findPublicAward, WITHDRAWN } from '../awards/index.js';
import { queueMessages, type Compose, type MessageContent } from '../outbox/index.js';
import { renderMessage } from './render.js';

export const MAX_SHARE_RECIPIENTS = 20;

/** What the outbox worker sends for a queued message: refused once its award is gone or withdrawn. */
export function composeAwardEmail(deps: Deps): Compose {
  return async (message) => {
    const award = await findPublicAward(deps, { id: message.awardId, organizationId: message.organizationId });
    if (!award) return { refused: 'The award no longer exists.' };
    if (WITHDRAWN.includes(award.status)) return { refused: `The award was ${award.status.toLowerCase()} before the message was sent.` };
    return { mail: renderMessage(deps.config, { ...message, recipients: message.recipients as string[] }, award) };
  };
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

/** Queues messages about an award that may be emailed, and wakes every instance's outbox worker. */
function queue(deps: Deps, actor: Actor, awardId: string, messages: (earnerEmail: string) => MessageContent[]): Promise<EmailMessage[]> {
  const now = deps.clock.now();
  return commit(deps, async (tx) => {
    const award = await emailableAward(tx, actor, awardId, now);
    const queued = await queueMessages(tx, { id: award.id, organizationId: actor.organizationId }, messages(award.earner.email), now);
    return {
      result: queued,
      // Announced so every instance's outbox worker wakes up (and response caches drop the outbox).
      events: queued.map((message) => ({
        kind: 'organization' as const,
        change: 'EMAIL_QUEUED' as const,
        organizationId: actor.organizationId,
        subjectId: message.id,
        at: now.toISOString(),
      })),
    };
  });
}

/** Queues the award email to its earner (at the earner's current address). */
export async function sendAwardEmail(deps: Deps, actor: Actor, awardId: string): Promise<EmailMessage> {
  const [message] = await queue(deps, actor, awardId, (earnerEmail) => [{ kind: 'AWARD_NOTIFICATION', recipients: [earnerEmail] }]);
  return message!;
}

const shareSchema = z
  .object({
    recipients: z
      .array(email())
      .min(1, 'must name at least one address')
      .max(MAX_SHARE_RECIPIENTS, `must name at most ${MAX_SHARE_RECIPIENTS} addresses`),
    // Subjects and names go into mail headers: a line break there would start a header of its own.
    subject: line(200),
    message: text(5000),
    senderName: line(100).nullish(),
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

/**
 * Queues one message per address (up to 20), each with the sharer's subject and message: a
 * recipient never sees who else it was shared with, and each message is sent, retried and fails
 * on its own. All of them are queued in one transaction, or none.
 */
export function shareAward(deps: Deps, actor: Actor, awardId: string, rawInput: ShareAwardInput): Promise<EmailMessage[]> {
  const input = parseInput(shareSchema, rawInput);
  return queue(deps, actor, awardId, () =>
    input.recipients.map((recipient) => ({
      kind: 'AWARD_SHARE' as const,
      recipients: [recipient],
      subject: input.subject,
      message: input.message,
      senderName: input.senderName ?? null,
    })),
  );
}
