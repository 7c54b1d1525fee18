// Who an activity (points, a membership, an action) belongs to: a known earner's id, or a
// recipient found or created as for an award.
import type { Provider } from '../../db/provider.js';
import type { Tx } from '../../db/transaction.js';
import { DomainError } from '../../shared/errors.js';
import { z } from '../../shared/validation.js';
import { findOrCreateEarners, recipientSchema } from './service.js';

/** Who an activity belongs to: a known earner's id, or a recipient found or created like an award's. */
export const earnerRef = {
  earnerId: z.string().nullish(),
  earner: recipientSchema.nullish(),
};

export function requireOneEarner(input: { earnerId?: string | null; earner?: unknown }, context: z.RefinementCtx) {
  if (Boolean(input.earnerId) === Boolean(input.earner)) {
    context.addIssue({ code: 'custom', path: ['earnerId'], message: 'give exactly one of earnerId and earner', params: { rule: 'exactlyOne' } });
  }
}

/** Resolves each row's earner in one round: ids must exist in the organization; recipients are found or created. */
export async function resolveEarners(
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

