// The awards list's filter, as a Prisma `where`: one place for every list of awards.
import type { Prisma } from '../../db/client.js';
import type { AwardStatus } from '../../generated/prisma-sqlite/client.js';
import { searchNeedle } from '../../shared/search-key.js';
import { statusWhere } from './status.js';

export const SEARCH_FIELDS = ['NAME', 'EMAIL'] as const;

export interface AwardFilter {
  templateId?: string | undefined;
  earnerId?: string | undefined;
  statuses?: AwardStatus[] | null | undefined;
  issuedAfter?: Date | null | undefined;
  issuedBefore?: Date | null | undefined;
  search?: string | null | undefined;
  searchField?: (typeof SEARCH_FIELDS)[number] | null | undefined;
  legacyId?: string | null | undefined;
  imported?: boolean | null | undefined;
  source?: 'MANUAL' | 'AUTOMATION' | null | undefined;
}

/** The awards list's filter; `issuedAfter` is inclusive, `issuedBefore` exclusive. */
export function awardWhere(organizationId: string, filter: AwardFilter, now: Date): Prisma.AwardWhereInput {
  const search = searchNeedle(filter.search, 'filter.search');
  const conditions: Prisma.AwardWhereInput[] = [{ organizationId }];
  if (filter.templateId) conditions.push({ templateId: filter.templateId });
  if (filter.earnerId) conditions.push({ earnerId: filter.earnerId });
  if (filter.issuedAfter || filter.issuedBefore) {
    conditions.push({
      issuedAt: {
        ...(filter.issuedAfter ? { gte: filter.issuedAfter } : {}),
        ...(filter.issuedBefore ? { lt: filter.issuedBefore } : {}),
      },
    });
  }
  if (search) {
    conditions.push(
      filter.searchField === 'EMAIL'
        ? { recipientEmailLower: { contains: search } }
        : { recipientNameLower: { contains: search } },
    );
  }
  if (filter.statuses?.length) conditions.push({ OR: filter.statuses.map((status) => statusWhere(status, now)) });
  if (filter.legacyId) conditions.push({ legacyId: filter.legacyId });
  if (filter.imported != null) conditions.push({ imported: filter.imported });
  if (filter.source) conditions.push({ source: filter.source });
  return conditions.length === 1 ? conditions[0]! : { AND: conditions };
}
