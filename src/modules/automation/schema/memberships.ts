// Memberships: queries, an earner's memberships, and starting and ending one.
import type { Prisma } from '../../../db/client.js';
import { builder } from '../../../graphql/builder.js';
import { validUntil } from '../../../graphql/context.js';
import { decodeId } from '../../../graphql/ids.js';
import { record, tenantNode } from '../../../graphql/nodes.js';
import { connectionType, pageSize } from '../../../graphql/pagination.js';
import { decodeEarnerRefs, earnerRefFields, RecipientInput } from '../../earners/schema.js';
import { membershipStatus, membershipStatusWhere } from '../membership-status.js';
import { endMembership, startMembership } from '../memberships.js';
import type { Reconciled } from '../reconcile.js';
import { AutomationEffectsRef } from './effects.js';
import { EndMembershipReasonEnum, MembershipEndReasonEnum, MembershipStatusEnum } from './enums.js';

export const MembershipRef = builder.prismaNode('Membership', {
  description: 'An earner’s membership of one of the organization’s products (a subscription, a course, a club).',
  ...tenantNode,
  fields: (t) => ({
    earner: t.relation('earner', { description: 'The member.' }),
    productId: t.exposeString('productId', { description: 'The product, in the integrator’s own ids.' }),
    status: t.field({
      type: MembershipStatusEnum,
      description: 'ACTIVE or ENDED; a membership past its end date reads ENDED at once.',
      select: { status: true, endsAt: true },
      resolve: (membership, _args, context) => {
        const status = membershipStatus(membership, context.deps.clock.now());
        if (status === 'ACTIVE' && membership.endsAt) validUntil(context, membership.endsAt);
        return status;
      },
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When it started.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, description: 'When it ends by itself; null: until ended.' }),
    endedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it ended.',
      select: { status: true, endsAt: true, endedAt: true },
      resolve: (membership, _args, context) =>
        membership.endedAt ?? (membershipStatus(membership, context.deps.clock.now()) === 'ENDED' ? membership.endsAt : null),
    }),
    endReason: t.field({
      type: MembershipEndReasonEnum,
      nullable: true,
      description: 'Why it ended.',
      select: { status: true, endsAt: true, endReason: true },
      resolve: (membership, _args, context) =>
        membership.endReason ?? (membershipStatus(membership, context.deps.clock.now()) === 'ENDED' ? 'EXPIRED' : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
  }),
});

export const MembershipConnection = connectionType(MembershipRef, 'Membership', 'memberships');

builder.prismaObjectFields('Earner', (t) => ({
  memberships: t.relation('memberships', {
    description: 'The earner’s memberships, newest first.',
    args: { status: t.arg({ type: MembershipStatusEnum, description: 'Only memberships with this status.' }) },
    query: (args, context) => ({
      where: membershipStatusWhere(args.status, context.deps.clock.now()),
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    }),
  }),
}));

const MembershipFilterInput = builder.inputType('MembershipFilter', {
  description: 'Narrows the memberships list; conditions combine with AND.',
  fields: (t) => ({
    productId: t.string({ description: 'Of this product.' }),
    earnerId: t.id({ description: 'Of this earner.' }),
    status: t.field({ type: MembershipStatusEnum, description: 'With this status.' }),
  }),
});

function membershipWhere(organizationId: string, filter: typeof MembershipFilterInput.$inferInput | null | undefined, now: Date) {
  return {
    organizationId,
    ...(filter?.productId ? { productId: filter.productId } : {}),
    ...(filter?.earnerId ? { earnerId: decodeId('Earner', filter.earnerId, 'filter.earnerId') } : {}),
    ...membershipStatusWhere(filter?.status, now),
  } satisfies Prisma.MembershipWhereInput;
}

builder.queryFields((t) => ({
  memberships: t.prismaConnection(
    {
      type: 'Membership',
      cursor: 'id',
      description: 'The organization’s memberships, newest first.',
      authScopes: { permission: 'read' },
      args: { filter: t.arg({ type: MembershipFilterInput, description: 'Conditions the memberships must meet.' }) },
      ...pageSize,
      totalCount: (_parent, { filter }, context) =>
        context.deps.reader.membership.count({ where: membershipWhere(context.auth.current.organizationId, filter, context.deps.clock.now()) }),
      resolve: (query, _parent, { filter }, context) =>
        context.deps.reader.membership.findMany({
          ...query,
          where: membershipWhere(context.auth.current.organizationId, filter, context.deps.clock.now()),
          orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        }),
    },
    MembershipConnection,
  ),
}));

const StartMembershipInput = builder.inputType('StartMembershipInput', {
  description: 'A membership to start, or to renew when the earner already has an active one of the product.',
  fields: (t) => ({
    earnerId: t.id({ description: earnerRefFields.earnerId }),
    earner: t.field({ type: RecipientInput, description: earnerRefFields.earner }),
    productId: t.string({ required: true, description: 'The product (your own id, at most 200 characters).' }),
    startedAt: t.field({ type: 'DateTime', description: 'When it started; now when omitted; not in the future.' }),
    endsAt: t.field({
      type: 'DateTime',
      description: 'When it ends by itself (in the future, after startedAt); null or omitted: until ended. Renewing replaces it.',
    }),
  }),
});

const EndMembershipInput = builder.inputType('EndMembershipInput', {
  description: 'A membership to end now.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The membership.' }),
    reason: t.field({ type: EndMembershipReasonEnum, defaultValue: 'CANCELLED', description: 'CANCELLED (default) or REMOVED.' }),
  }),
});

const MembershipPayload = builder
  .objectRef<{ membershipId: string; renewed: boolean; effects: Reconciled }>('MembershipPayload')
  .implement({
    description: 'The membership and what award rules did.',
    fields: (t) => ({
      membership: record(t, 'Membership', 'The membership, as it is now.', (payload) => payload.membershipId),
      renewed: t.boolean({
        description: 'For startMembership: true when an active membership was renewed rather than a new one started.',
        resolve: (payload) => payload.renewed,
      }),
      effects: t.field({ type: AutomationEffectsRef, description: 'Awards issued, restored or revoked by rules.', resolve: (payload) => payload.effects }),
    }),
  });

builder.mutationFields((t) => ({
  startMembership: t.field({
    type: MembershipPayload,
    description:
      'Starts an earner’s membership of a product (or renews the active one), and applies membership rules in the same transaction. Needs `activity:write`.',
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: StartMembershipInput, required: true, description: 'The membership.' }) },
    resolve: async (_root, { input }, context) => {
      const [row] = decodeEarnerRefs([input], () => 'earnerId');
      const result = await startMembership(context.deps, context.auth.current, row!);
      return { membershipId: result.membership.id, renewed: result.renewed, effects: result.reconciled };
    },
  }),
  endMembership: t.field({
    type: MembershipPayload,
    description: 'Ends an active membership now, and applies membership rules in the same transaction. Needs `activity:write`.',
    authScopes: { permission: 'activity:write' },
    args: { input: t.arg({ type: EndMembershipInput, required: true, description: 'The membership and why it ends.' }) },
    resolve: async (_root, { input }, context) => {
      const result = await endMembership(
        context.deps,
        context.auth.current,
        decodeId('Membership', input.id, 'id'),
        input.reason ?? 'CANCELLED',
      );
      return { membershipId: result.membership.id, renewed: false, effects: result.reconciled };
    },
  }),
}));
