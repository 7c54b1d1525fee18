import { ConflictError } from '../shared/errors.js';
import type { Prisma, PrismaClient } from './client.js';

export type Tx = Prisma.TransactionClient;

const ATTEMPTS = 4;

function prismaCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** A unique constraint refused a write. */
export function isUniqueViolation(error: unknown): boolean {
  return prismaCode(error) === 'P2002';
}

/**
 * Runs `work` in one transaction. Services check their rules inside the transaction first, so a
 * unique violation or write conflict here means another request won a race between that check and
 * the write: the whole transaction is rolled back and run again, and the second run sees the
 * winner's rows (an existing earner, a ONCE award already held, a reused idempotency key).
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
      if (raced && attempt < ATTEMPTS) continue;
      if (raced) {
        throw new ConflictError('Concurrent requests changed the same records; retry the request.', {
          rule: 'concurrentChange',
        });
      }
      throw error;
    }
  }
}
