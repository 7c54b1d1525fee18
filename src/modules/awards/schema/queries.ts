// Reading awards: one by id, and the filtered list.
import { builder } from '../../../graphql/builder.js';
import { decodeId, decodeOptionalId } from '../../../graphql/ids.js';
import { pageSize } from '../../../graphql/pagination.js';
import { NotFoundError } from '../../../shared/errors.js';
import { awardWhere, type AwardFilter } from '../filters.js';
import { AWARD_ORDERS, AwardOrderEnum, AwardSearchFieldEnum, AwardSourceEnum, AwardStatusEnum } from './enums.js';
import { AwardConnection } from './types.js';

export const AwardFilterInput = builder.inputType('AwardFilter', {
  description: 'Narrows the awards list; conditions combine with AND.',
  fields: (t) => ({
    templateId: t.id({ description: 'Issued from this template.' }),
    earnerId: t.id({ description: 'Held by this earner.' }),
    statuses: t.field({ type: [AwardStatusEnum], description: 'Any of these statuses (expiry is derived from dates).' }),
    issuedAfter: t.field({ type: 'DateTime', description: 'Issued at or after this instant.' }),
    issuedBefore: t.field({ type: 'DateTime', description: 'Issued before this instant.' }),
    search: t.string({ description: 'Substring of the recipient field named by searchField (case-insensitive).' }),
    searchField: t.field({ type: AwardSearchFieldEnum, description: 'Where `search` looks: NAME (default) or EMAIL.' }),
    legacyId: t.string({ description: 'Has this legacy id.' }),
    imported: t.boolean({ description: 'Imported (true) or issued here (false).' }),
    source: t.field({ type: AwardSourceEnum, description: 'Issued by people (MANUAL) or by an award rule (AUTOMATION).' }),
  }),
});

export function decodeFilter(filter: typeof AwardFilterInput.$inferInput | null | undefined): AwardFilter {
  if (!filter) return {};
  return {
    ...filter,
    templateId: decodeOptionalId('BadgeTemplate', filter.templateId, 'filter.templateId'),
    earnerId: decodeOptionalId('Earner', filter.earnerId, 'filter.earnerId'),
  };
}

builder.queryFields((t) => ({
  awards: t.prismaConnection(
    {
      type: 'Award',
      cursor: 'id',
      description: 'The organization’s awards.',
      authScopes: { permission: 'read' },
      args: {
        filter: t.arg({ type: AwardFilterInput, description: 'Conditions the awards must meet.' }),
        orderBy: t.arg({ type: AwardOrderEnum, defaultValue: 'ISSUED_AT_DESC', description: 'The order of the list.' }),
      },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.award.count({
          where: awardWhere(context.auth.current.organizationId, decodeFilter(filter), context.deps.clock.now()),
        }),
      resolve: (query, _parent, { filter, orderBy }, context) =>
        context.deps.reader.award.findMany({
          ...query,
          where: awardWhere(context.auth.current.organizationId, decodeFilter(filter), context.deps.clock.now()),
          orderBy: [...AWARD_ORDERS[orderBy ?? 'ISSUED_AT_DESC']],
        }),
    },
    AwardConnection,
  ),
  award: t.prismaField({
    type: 'Award',
    nullable: true,
    description: 'One award; NOT_FOUND when it does not exist in the organization.',
    authScopes: { permission: 'read' },
    args: { id: t.arg.id({ required: true, description: 'The award’s id.' }) },
    resolve: async (query, _parent, { id }, context) => {
      const award = await context.deps.reader.award.findFirst({
        ...query,
        where: { id: decodeId('Award', id, 'id'), organizationId: context.auth.current.organizationId },
      });
      if (!award) throw new NotFoundError('award');
      return award;
    },
  }),
}));

