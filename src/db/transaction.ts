import { ConflictError } from '../shared/errors.js';
import type { DomainEvent, EventPublisher } from '../events/events.js';
import type { Prisma, PrismaClient } from './client.js';

export type Tx = Prisma.TransactionClient;

const ATTEMPTS = 6;

function prismaCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return undefined;
  if (error.code !== 'P2010') return error.code;
  // A raw statement's failure is P2010 with the driver's reason: a unique violation is P2002's
  // race, and SQLite busy is P1008's timeout, as they would be for a Prisma query.
  type Cause = { kind?: string; originalCode?: string };
  const cause = (error as { meta?: { driverAdapterError?: { cause?: Cause } } }).meta?.driverAdapterError?.cause;
  if (cause?.kind === 'UniqueConstraintViolation') return 'P2002';
  if (cause?.originalCode === 'SQLITE_BUSY') return 'P1008';
  return error.code;
}

/**
 * Runs `work` in one transaction, and again when the database says another writer got in the way
 * (the transaction was rolled back, so running it again is safe):
 * - a unique violation or write conflict: another request won a race between this transaction's
 *   checks and its write; the next run sees the winner's rows (an existing earner, a ONCE award
 *   already held, a reused idempotency key) and answers accordingly;
 * - SQLite busy: another process holds the file's write lock, and a transaction that read before
 *   writing is refused at once rather than made to wait (several instances on one SQLite file).
 */
export async function inTransaction<T>(
  db: PrismaClient,
  work: (tx: Tx) => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction(work, { maxWait: 15_000, timeout: options.timeoutMs ?? 20_000 });
    } catch (error) {
      const code = prismaCode(error);
      const raced = code === 'P2002' || code === 'P2034';
      const busy = code === 'P1008';
      if ((raced || busy) && attempt < ATTEMPTS) {
        if (busy || code === 'P2034') await sleep(10 * 2 ** attempt * (0.5 + Math.random()));
        continue;
      }
      if (raced) {
        throw new ConflictError('Concurrent requests changed the same records; retry the request.', {
          rule: 'concurrentChange',
        });
      }
      throw error;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a change hands `commit`: its result, and the events that announce it once committed. */
export interface Change<T> {
  result: T;
  events: readonly DomainEvent[];
}

/**
 * Runs a change in one transaction (as inTransaction, retried on races) and, once it has
 * committed, publishes its events: the one way services change data, so nothing commits without
 * announcing it to subscribers, caches, the outbox worker and other instances, and without the
 * webhook deliveries its events call for (written by the bus's recorders in the same transaction).
 */
export async function commit<T>(
  deps: { db: PrismaClient; events: EventPublisher },
  work: (tx: Tx) => Promise<Change<T>>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const { result, events } = await inTransaction(
    deps.db,
    async (tx) => {
      const change = await work(tx);
      // Outbox rows (webhook deliveries) commit or roll back with the change itself.
      const recorded = (await deps.events.record?.(tx, change.events)) ?? [];
      return recorded.length ? { ...change, events: [...change.events, ...recorded] } : change;
    },
    options,
  );
  deps.events.publish(events);
  return result;
}
