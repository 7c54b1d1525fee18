import { builder } from '../../graphql/builder.js';
import { record } from '../../graphql/nodes.js';
import { connectionType, pageSize } from '../../graphql/pagination.js';
import { ApiKeyRef } from '../api-keys/schema.js';
import { visibleKeysWhere } from '../api-keys/index.js';
import { updateOrganization } from './service.js';

export const OrganizationRef = builder.prismaNode('Organization', {
  description: 'An organization: it designs badge templates and issues awards, and owns every other record.',
  id: { field: 'id' },
  // A node that does not exist (or is another organization's) resolves to null, as Relay expects.
  nullable: true,
  // Load only the columns a query asks for.
  select: { id: true },
  // Only the caller's own organization can be looked up.
  findUnique: (id, context) => ({ id, AND: [{ id: context.auth.current.organizationId }] }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name, shown to earners as the issuer.' }),
    url: t.exposeString('url', { nullable: true, description: 'Web site.' }),
    contactEmail: t.exposeString('contactEmail', { nullable: true, description: 'Address earners can write to.' }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Logo URL.' }),
    whitelabelHost: t.exposeString('whitelabelHost', {
      nullable: true,
      description: 'Host of the white-labelled dashboard; requests may name it in X-Whitelabel-Host, and public links use it.',
    }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone for calendar windows (this week, this month).' }),
    brandColor: t.exposeString('brandColor', { nullable: true, description: 'Brand colour as #rrggbb, used on certificates; null for the default blue.' }),
    signatoryName: t.exposeString('signatoryName', {
      nullable: true,
      description: 'Who signs certificates, shown under the signature line, unless the template names its own; null signs with the organization’s name.',
    }),
    signatoryTitle: t.exposeString('signatoryTitle', { nullable: true, description: 'The signatory’s title, e.g. "Head of Training", shown under their name.' }),
    apiKeys: t.relatedConnection(
      'apiKeys',
      {
        description:
          'The organization’s API keys that the caller may see (those with no permission it lacks), newest first. Needs `keys:manage`.',
        authScopes: { permission: 'keys:manage' },
        cursor: 'id',
        query: (_args, context) => ({
          where: visibleKeysWhere(context.auth.current.permissions),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
        totalCount: true,
        ...pageSize,
      },
      connectionType(ApiKeyRef, 'ApiKey', 'API keys'),
    ),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the organization was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its profile last changed.' }),
  }),
});

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  description: 'Profile fields to change; omitted fields stay as they are, null clears an optional one.',
  fields: (t) => ({
    name: t.string({ description: 'Display name (at most 200 characters).' }),
    url: t.string({ description: 'Web site (http or https).' }),
    contactEmail: t.string({ description: 'Contact email address.' }),
    imageUrl: t.string({ description: 'Logo URL (http or https).' }),
    whitelabelHost: t.string({ description: 'Host name of the white-labelled dashboard, unique across organizations.' }),
    timeZone: t.string({ description: 'IANA time zone, e.g. Europe/Paris.' }),
    brandColor: t.string({ description: 'Brand colour for certificates, #rrggbb or #rgb.' }),
    signatoryName: t.string({ description: 'Who signs certificates (at most 100 characters, one line).' }),
    signatoryTitle: t.string({ description: 'The signatory’s title (at most 100 characters, one line).' }),
  }),
});

const OrganizationPayload = builder.objectRef<{ organizationId: string }>('OrganizationPayload').implement({
  description: 'The organization a mutation changed.',
  fields: (t) => ({
    organization: record(t, 'Organization', 'The organization, as it is now.', (payload) => payload.organizationId),
  }),
});

builder.mutationField('updateOrganization', (t) =>
  t.field({
    type: OrganizationPayload,
    description: 'Changes the organization’s profile. Needs `organization:write`.',
    authScopes: { permission: 'organization:write' },
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true, description: 'The profile fields to change.' }) },
    resolve: async (_root, { input }, context) => {
      const organization = await updateOrganization(context.deps, context.auth.current, input);
      return { organizationId: organization.id };
    },
  }),
);
