// Awards as CSV rows, read a page at a time so an export of any size holds one page in memory,
// in the columns of src/modules/awards/csv-columns.ts (the ones the import reads).
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Deps } from '../../deps.js';
import { awardWhere, effectiveStatus, NEVER_EXPIRES, readEvidence, type AwardFilter } from '../awards/index.js';

const select = {
  id: true,
  templateId: true,
  template: { select: { name: true } },
  recipientEmail: true,
  recipientName: true,
  recipientFirstName: true,
  recipientLastName: true,
  earner: { select: { externalId: true } },
  issuedAt: true,
  expiresAt: true,
  activityTitle: true,
  activityStartedAt: true,
  activityEndedAt: true,
  notes: true,
  evidence: true,
  legacyId: true,
  status: true,
} as const;

const iso = (date: Date | null) => date?.toISOString() ?? '';

/** Where a page ends: the last award's issue date and id (the keyset the next page starts after). */
export interface PagePosition {
  issuedAt: Date;
  id: string;
}

/**
 * One page of the organization's awards matching `filter`, oldest issue first, after `after`
 * (keyset pages on the issue date and id, which an index serves), and where the next one starts
 * when there may be one.
 */
export async function awardRowsPage(
  deps: Deps,
  organizationId: string,
  filter: AwardFilter,
  after: PagePosition | undefined,
  size: number,
): Promise<{ rows: string[][]; next: PagePosition | undefined }> {
  const now = deps.clock.now();
  const where = awardWhere(organizationId, filter, now);
  const page = await deps.reader.award.findMany({
    where: after ? { AND: [where, { OR: [{ issuedAt: { gt: after.issuedAt } }, { issuedAt: after.issuedAt, id: { gt: after.id } }] }] } : where,
    orderBy: [{ issuedAt: 'asc' }, { id: 'asc' }],
    // One more than asked tells whether another page follows.
    take: size + 1,
    select,
  });
  const more = page.length > size;
  const shown = more ? page.slice(0, size) : page;
  return {
    rows: shown.map((award) => [
      // The id the API shows, so a file can be filtered and joined with what the API answers.
      encodeGlobalID('BadgeTemplate', award.templateId),
      award.template.name,
      award.recipientEmail,
      award.recipientName,
      award.recipientFirstName ?? '',
      award.recipientLastName ?? '',
      award.earner.externalId ?? '',
      iso(award.issuedAt),
      award.expiresAt ? iso(award.expiresAt) : NEVER_EXPIRES,
      award.activityTitle ?? '',
      iso(award.activityStartedAt),
      iso(award.activityEndedAt),
      award.notes ?? '',
      readEvidence(award.evidence)
        .map((item) => item.url)
        .join(' '),
      // Moved elsewhere, an award is known there by its id here (as the API shows it), unless it
      // came with one.
      award.legacyId ?? encodeGlobalID('Award', award.id),
      effectiveStatus(award, now),
    ]),
    next: more ? { issuedAt: shown[size - 1]!.issuedAt, id: shown[size - 1]!.id } : undefined,
  };
}
