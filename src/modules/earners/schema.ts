import { builder } from '../../graphql/builder.js';
import { tenantNode, record } from '../../graphql/nodes.js';
import { decodeId } from '../../graphql/ids.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import { ValidationError, type FieldIssue } from '../../shared/errors.js';
import { earnerWhere, findEarner, updateEarner } from './service.js';

export const EarnerRef = builder.prismaNode('Earner', {
  description: 'A person who receives awards. Awards belong to the earner, not to an email address, so they survive an address change.',
  ...tenantNode,
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Email address, unique in the organization ignoring case.' }),
    name: t.exposeString('name', { description: 'Full name, as first given.' }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'First name, when given separately.' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Last name, when given separately.' }),
    externalId: t.exposeString('externalId', { nullable: true, description: 'The integrator’s own id for this person.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the earner was first seen.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the earner last changed.' }),
  }),
});

const EarnerConnection = connectionType(EarnerRef, 'Earner', 'earners');

builder.queryFields((t) => ({
  earners: t.prismaConnection(
    {
      type: 'Earner',
      cursor: 'id',
      description: 'The organization’s earners, newest first.',
      authScopes: { permission: 'read' },
      args: { search: t.arg.string({ description: 'Name or email contains this text (case-insensitive).' }) },
      ...pageSize,
      totalCount: (_parent, { search }, context) =>
        context.deps.reader.earner.count({ where: earnerWhere(context.auth.current.organizationId, search) }),
      resolve: (query, _parent, { search }, context) =>
        context.deps.reader.earner.findMany({
          ...query,
          where: earnerWhere(context.auth.current.organizationId, search),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    EarnerConnection,
  ),
  earner: t.prismaField({
    type: 'Earner',
    nullable: true,
    description: 'One earner, by exactly one of id, email and externalId; NOT_FOUND when there is none.',
    authScopes: { permission: 'read' },
    args: {
      id: t.arg.id({ description: 'The earner’s id.' }),
      email: t.arg.string({ description: 'The earner’s email (case-insensitive).' }),
      externalId: t.arg.string({ description: 'The integrator’s id for the earner.' }),
    },
    resolve: (query, _parent, args, context) =>
      findEarner(
        context.deps,
        context.auth.current,
        { id: args.id == null ? undefined : decodeId('Earner', args.id, 'id'), email: args.email, externalId: args.externalId },
        query,
      ),
  }),
}));

const UpdateEarnerInput = builder.inputType('UpdateEarnerInput', {
  description: 'Changes to an earner; omitted fields stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The earner to change.' }),
    email: t.string({ description: 'New email address; must not belong to another earner.' }),
    name: t.string({ description: 'Full name (5 to 200 characters).' }),
    firstName: t.string({ description: 'First name; null clears it.' }),
    lastName: t.string({ description: 'Last name; null clears it.' }),
    externalId: t.string({ description: 'The integrator’s id; must not belong to another earner; null clears it.' }),
  }),
});

const EarnerPayload = builder.objectRef<{ earnerId: string }>('EarnerPayload').implement({
  description: 'The earner a mutation changed.',
  fields: (t) => ({
    earner: record(t, 'Earner', 'The earner, as they are now.', (payload) => payload.earnerId),
  }),
});

builder.mutationField('updateEarner', (t) =>
  t.field({
    type: EarnerPayload,
    description: 'Changes an earner, for example their email address; their awards stay theirs. Needs `earners:write`.',
    authScopes: { permission: 'earners:write' },
    args: { input: t.arg({ type: UpdateEarnerInput, required: true, description: 'The earner and the fields to change.' }) },
    resolve: async (_root, { input: { id, ...changes } }, context) => {
      const earner = await updateEarner(context.deps, context.auth.current, decodeId('Earner', id, 'id'), changes);
      return { earnerId: earner.id };
    },
  }),
);

export const RecipientInput = builder.inputType('RecipientInput', {
  description: 'Who receives an award: the name whole (at least 5 characters, a wide CJK character counting as two) or as first and last name.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Email address; identifies the earner unless externalId does.' }),
    name: t.string({ description: 'Full name, 5 to 200 characters (a wide CJK character counts as two toward the 5). Required unless firstName and lastName are both given.' }),
    firstName: t.string({ description: 'First name (at most 100 characters).' }),
    lastName: t.string({ description: 'Last name (at most 100 characters).' }),
    externalId: t.string({ description: 'Your id for this person; when known, it identifies the earner before the email does.' }),
  }),
});


/** How activity inputs name their earner. */
export const earnerRefFields = {
  earnerId: 'An existing earner. Give exactly one of earnerId and earner.',
  earner: 'The earner by email or externalId, created when unknown. Give exactly one of earnerId and earner.',
};

/** GraphQL earner references to service ones, reporting every malformed id at once. */
export function decodeEarnerRefs<Row extends { earnerId?: string | null }>(rows: Row[], field: (index: number) => string): Row[] {
  const issues: FieldIssue[] = [];
  const decoded = rows.map((row, index) => {
    if (row.earnerId == null) return row;
    try {
      return { ...row, earnerId: decodeId('Earner', row.earnerId, field(index)) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
      return row;
    }
  });
  if (issues.length) throw new ValidationError(issues);
  return decoded;
}
