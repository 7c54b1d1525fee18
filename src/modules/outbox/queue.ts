// Queuing email in the outbox: a message is an EmailMessage row written in the transaction of the
// change that causes it, so it exists exactly when that change committed (a rollback leaves none,
// a crash after commit leaves a row any instance sends later: ./worker.ts).
import { v7 as uuidv7 } from 'uuid';
import type { Prisma } from '../../db/client.js';
import { dialectFor } from '../../db/dialect.js';
import type { Provider } from '../../db/provider.js';
import { awardsToEmailSql, insertNotificationsSql } from './queue.sql.js';
import type { Tx } from '../../db/transaction.js';
import type { EmailMessage } from '../../generated/prisma-sqlite/client.js';

/**
 * Queues the award email for each of `awardIds` whose template has `emailOnIssue`, in the
 * caller's transaction (the award writer calls it for every issue, people's and automation's).
 * Set-based, so a backfill of thousands costs one read and one insert per chunk. Returns the ids
 * of the awards whose email was queued.
 */
export async function enqueueAwardEmails(tx: Tx, provider: Provider, awardIds: readonly string[], now: Date): Promise<Set<string>> {
  const d = dialectFor(provider);
  const queued = new Set<string>();
  for (let start = 0; start < awardIds.length; start += 1000) {
    const ids = awardIds.slice(start, start + 1000);
    const wanted = await tx.$queryRaw<Array<{ awardId: string; organizationId: string; email: string }>>(awardsToEmailSql(d, ids));
    if (wanted.length === 0) continue;
    await tx.$executeRaw(insertNotificationsSql(d, wanted.map((row) => ({ ...row, id: uuidv7() })), now));
    for (const row of wanted) queued.add(row.awardId);
  }
  return queued;
}

export type MessageContent = Pick<Prisma.EmailMessageUncheckedCreateInput, 'kind' | 'recipients' | 'subject' | 'message' | 'senderName'>;

/** Queues messages about one award, due at once. */
export async function queueMessages(tx: Tx, award: { id: string; organizationId: string }, messages: readonly MessageContent[], now: Date): Promise<EmailMessage[]> {
  const rows: EmailMessage[] = [];
  for (const message of messages) {
    rows.push(
      await tx.emailMessage.create({
        data: { ...message, id: uuidv7(), organizationId: award.organizationId, awardId: award.id, nextAttemptAt: now, createdAt: now, updatedAt: now },
      }),
    );
  }
  return rows;
}
