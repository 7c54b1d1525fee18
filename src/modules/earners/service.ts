import type { Actor, Deps } from '../../deps.js';
import { v7 as uuidv7 } from 'uuid';
import { dialectFor } from '../../db/dialect.js';
import { insertEarnersSql } from './earners.sql.js';
import type { Provider } from '../../db/provider.js';
import { commit, type Tx } from '../../db/transaction.js';
import { type Prisma, type Earner } from '../../generated/prisma-sqlite/client.js';
import { join, sql } from '../../db/sql.js';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../../shared/errors.js';
import { searchKey, searchNeedle } from '../../shared/search-key.js';
import { addIssue, email, line, minDisplayWidth, omittable, parseInput, text, z } from '../../shared/validation.js';

/**
 * Who an award is for. The name is given whole (at least 5 characters, as badge APIs commonly require, a
 * wide character counting as two so that 王小明 or 김민준 pass) or as first and last name.
 */
export const recipientSchema = z
  .object({
    email: email(),
    name: minDisplayWidth(line(200), 5).nullish(),
    firstName: line(100).nullish(),
    lastName: line(100).nullish(),
    externalId: text(200).nullish(),
  })
  .superRefine((recipient, context) => {
    if (!recipient.name && !(recipient.firstName && recipient.lastName)) {
      addIssue(context, ['name'], 'required', 'is required unless both firstName and lastName are given');
    }
  })
  .transform((recipient) => ({
    ...recipient,
    fullName: recipient.name ?? `${recipient.firstName} ${recipient.lastName}`,
  }));

export type RecipientInput = z.input<typeof recipientSchema>;
export type Recipient = z.output<typeof recipientSchema>;

/**
 * The earner of each recipient, created when unknown. An external id, when given, identifies the
 * earner first; otherwise the email does (case-insensitively). `field(i)` names recipient i in
 * errors. One query finds every known earner and one creates the rest, whatever the count.
 */
export async function findOrCreateEarners(
  tx: Tx,
  provider: Provider,
  organizationId: string,
  recipients: Recipient[],
  field: (index: number, name: string) => string,
  now: Date,
): Promise<Earner[]> {
  const emails = [...new Set(recipients.map((recipient) => searchKey(recipient.email)))];
  const externalIds = [...new Set(recipients.flatMap((recipient) => recipient.externalId ?? []))];
  const known = await tx.earner.findMany({
    where: {
      organizationId,
      OR: [{ emailLower: { in: emails } }, ...(externalIds.length ? [{ externalId: { in: externalIds } }] : [])],
    },
  });
  const byEmail = new Map(known.map((earner) => [earner.emailLower, earner]));
  const byExternalId = new Map(known.flatMap((earner) => (earner.externalId ? [[earner.externalId, earner]] : [])));

  const issues: FieldIssue[] = [];
  const toCreate = new Map<string, Omit<Earner, 'id'>>();
  const pendingByExternalId = new Map<string, string>();
  const toLink: Array<{ earner: Earner; externalId: string }> = [];
  const mismatch = (index: number, message: string) =>
    issues.push({ field: field(index, 'externalId'), rule: 'matchesEarner', message });

  // Each entry is a known earner, or the lower-cased email of one created below.
  const resolved: Array<Earner | string> = recipients.map((recipient, index) => {
    const emailLower = searchKey(recipient.email);
    const externalId = recipient.externalId ?? null;
    if (externalId) {
      const linked = byExternalId.get(externalId) ?? pendingByExternalId.get(externalId);
      if (linked) return linked;
    }
    const sameEmail = byEmail.get(emailLower);
    if (sameEmail) {
      if (externalId && sameEmail.externalId && sameEmail.externalId !== externalId) {
        mismatch(index, 'differs from the external id of the earner with this email');
      } else if (externalId && !sameEmail.externalId) {
        toLink.push({ earner: sameEmail, externalId });
        byExternalId.set(externalId, sameEmail);
      }
      return sameEmail;
    }
    const pending = toCreate.get(emailLower);
    if (pending) {
      if (externalId && pending.externalId && pending.externalId !== externalId) {
        mismatch(index, 'differs from the external id given with the same email earlier in the batch');
      } else if (externalId) {
        pending.externalId = externalId;
        pendingByExternalId.set(externalId, emailLower);
      }
      return emailLower;
    }
    toCreate.set(emailLower, {
      organizationId,
      email: recipient.email,
      emailLower,
      name: recipient.fullName,
      nameLower: searchKey(recipient.fullName),
      firstName: recipient.firstName ?? null,
      lastName: recipient.lastName ?? null,
      externalId,
      createdAt: now,
      updatedAt: now,
    });
    if (externalId) pendingByExternalId.set(externalId, emailLower);
    return emailLower;
  });
  if (issues.length) throw new ConflictError(`${issues[0]!.field}: ${issues[0]!.message}`, { ...issues[0]!, issues });

  for (const { earner, externalId } of toLink) {
    await tx.earner.update({ where: { id: earner.id }, data: { externalId, updatedAt: now } });
  }
  const created = [...toCreate.values()].map((row): Earner => ({ ...row, id: uuidv7() }));
  await insertEarners(tx, provider, created);
  const createdByEmail = new Map(created.map((earner) => [earner.emailLower, earner]));
  return resolved.map((entry) => (typeof entry === 'string' ? createdByEmail.get(entry)! : entry));
}

/**
 * Multi-row INSERTs: Prisma's createMany spends about a millisecond per row planning the query.
 * A concurrent request that created one of these earners first makes this fail with a unique
 * violation, and inTransaction runs the request again, which then finds that earner.
 */
async function insertEarners(tx: Tx, provider: Provider, earners: Earner[]): Promise<void> {
  const d = dialectFor(provider);
  for (let start = 0; start < earners.length; start += 500) await tx.$executeRaw(insertEarnersSql(d, earners.slice(start, start + 500)));
}

const updateInput = z.object({
  email: omittable(email()),
  name: omittable(minDisplayWidth(line(200), 5)),
  firstName: line(100).nullish(),
  lastName: line(100).nullish(),
  externalId: text(200).nullish(),
});

/**
 * Changes an earner. Changing the email keeps every award: the earner, not the address, holds
 * them (a person who changes address does not lose their badges).
 */
export async function updateEarner(deps: Deps, actor: Actor, earnerId: string, rawInput: z.input<typeof updateInput>) {
  const input = parseInput(updateInput, rawInput);
  return commit(deps, async (tx) => {
    const earner = await tx.earner.findFirst({ where: { id: earnerId, organizationId: actor.organizationId } });
    if (!earner) throw new NotFoundError('earner');
    const emailLower = input.email === undefined ? undefined : searchKey(input.email);
    const clashes = await tx.earner.findMany({
      where: {
        organizationId: actor.organizationId,
        id: { not: earner.id },
        OR: [
          ...(emailLower ? [{ emailLower }] : []),
          ...(input.externalId ? [{ externalId: input.externalId }] : []),
        ],
      },
      select: { emailLower: true, externalId: true },
    });
    if (clashes.length) {
      const issues: FieldIssue[] = [];
      if (emailLower && clashes.some((clash) => clash.emailLower === emailLower)) {
        issues.push({ field: 'email', rule: 'unique', message: 'belongs to another earner' });
      }
      if (input.externalId && clashes.some((clash) => clash.externalId === input.externalId)) {
        issues.push({ field: 'externalId', rule: 'unique', message: 'belongs to another earner' });
      }
      throw new ConflictError(`${issues[0]!.field}: ${issues[0]!.message}`, { ...issues[0]!, issues });
    }
    const updated = await tx.earner.update({
      where: { id: earner.id },
      data: {
        ...(input.email ? { email: input.email, emailLower } : {}),
        ...(input.name ? { name: input.name, nameLower: searchKey(input.name) } : {}),
        ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
        ...(input.lastName !== undefined ? { lastName: input.lastName } : {}),
        ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
        updatedAt: deps.clock.now(),
      },
    });
    const at = updated.updatedAt.toISOString();
    return { result: updated, events: [{ kind: 'organization', change: 'EARNER_UPDATED', organizationId: updated.organizationId, subjectId: updated.id, at }] };
  });
}

export function earnerWhere(organizationId: string, search?: string | null): Prisma.EarnerWhereInput {
  const needle = searchNeedle(search, 'search');
  return {
    organizationId,
    ...(needle ? { OR: [{ nameLower: { contains: needle } }, { emailLower: { contains: needle } }] } : {}),
  };
}

/** Finds one earner by exactly one of its keys. */
export async function findEarner(
  deps: Deps,
  actor: Actor,
  by: { id?: string | undefined; email?: string | null | undefined; externalId?: string | null | undefined },
  query: object = {},
) {
  const keys = [by.id, by.email, by.externalId].filter((key) => key != null);
  if (keys.length !== 1) {
    throw ValidationError.single('id', 'exactlyOne', 'give exactly one of id, email and externalId');
  }
  const where: Prisma.EarnerWhereInput = by.id
    ? { id: by.id }
    : by.email
      ? { emailLower: searchKey(by.email.trim()) }
      : { externalId: by.externalId! };
  const earner = await deps.reader.earner.findFirst({ ...query, where: { ...where, organizationId: actor.organizationId } });
  if (!earner) throw new NotFoundError('earner', by.id ? 'id' : by.email ? 'email' : 'externalId');
  return earner;
}
