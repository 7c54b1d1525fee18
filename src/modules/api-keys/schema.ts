import { builder } from '../../graphql/builder.js';
import { record } from '../../graphql/nodes.js';
import { decodeId } from '../../graphql/ids.js';
import { PERMISSIONS, parsePermissions, type Permission } from '../../graphql/permissions.js';
import { visibleKeysWhere } from './visibility.js';
import type { Principal } from '../../graphql/auth.js';
import { createApiKey, revokeApiKey } from './service.js';

export const PermissionEnum = builder.enumType('Permission', {
  description: 'What an API key may do.',
  values: Object.fromEntries(
    Object.entries(PERMISSIONS).map(([permission, description]) => [
      permission.replace(':', '_').replace('keys_', 'api_keys_').toUpperCase(),
      { value: permission as Permission, description },
    ]),
  ),
});

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  description: 'A secret that lets a program act for the organization. The secret itself is shown only once, at creation.',
  id: { field: 'id' },
  // A node that does not exist (or is another organization's) resolves to null, as Relay expects.
  nullable: true,
  // Load only the columns a query asks for.
  select: { id: true },
  findUnique: (id, context) => ({ id, organizationId: context.auth.current.organizationId, ...visibleKeysWhere(context.auth.current.permissions) }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'A name that says who or what uses the key.' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to tell keys apart.' }),
    permissions: t.field({
      type: [PermissionEnum],
      description: 'What the key may do.',
      select: { permissions: true },
      resolve: (key) => parsePermissions(key.permissions),
    }),
    active: t.boolean({
      description: 'False once the key is revoked.',
      select: { revokedAt: true },
      resolve: (key) => key.revokedAt === null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key last authenticated a request (to the minute).',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When the key was revoked.' }),
  }),
});

export const ViewerRef = builder.objectRef<Principal>('Viewer').implement({
  description: 'The caller: the API key that authenticated this request and its organization.',
  fields: (t) => ({
    organization: record(t, 'Organization', 'The organization the key belongs to.', (principal) => principal.organizationId),
    apiKey: record(t, 'ApiKey', 'The key itself.', (principal) => principal.apiKeyId),
    permissions: t.field({
      type: [PermissionEnum],
      description: 'What the key may do.',
      resolve: (principal) => [...principal.permissions],
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'The calling API key and its organization. Needs any valid key.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => context.auth.current,
  }),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Who or what will use the key (at most 100 characters).' }),
    permissions: t.field({
      type: [PermissionEnum],
      required: true,
      description: 'What the key may do; a key can grant only permissions it holds itself.',
    }),
  }),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  description: 'Names an API key.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The key to revoke.' }) }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKeyId: string; secret: string }>('CreateApiKeyPayload').implement({
  description: 'A new key and its secret.',
  fields: (t) => ({
    apiKey: record(t, 'ApiKey', 'The new key.', (payload) => payload.apiKeyId),
    secret: t.exposeString('secret', {
      description: 'The secret to send as X-Api-Key. It is not stored and cannot be shown again.',
    }),
  }),
});

const ApiKeyPayload = builder.objectRef<{ apiKeyId: string }>('ApiKeyPayload').implement({
  description: 'The API key a mutation changed.',
  fields: (t) => ({
    apiKey: record(t, 'ApiKey', 'The key, as it is now.', (payload) => payload.apiKeyId),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description: 'Creates an API key. Needs `keys:manage`.',
    authScopes: { permission: 'keys:manage' },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'The key to create.' }) },
    resolve: async (_root, { input }, context) => {
      const { apiKey, secret } = await createApiKey(context.deps, context.auth.current, input);
      return { apiKeyId: apiKey.id, secret };
    },
  }),
  revokeApiKey: t.field({
    type: ApiKeyPayload,
    description:
      'Revokes an API key for good; requests that use it fail from then on. Needs `keys:manage`, and every permission of the key revoked (FORBIDDEN otherwise).',
    authScopes: { permission: 'keys:manage' },
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true, description: 'The key to revoke.' }) },
    resolve: async (_root, { input }, context) => {
      const key = await revokeApiKey(context.deps, context.auth.current, decodeId('ApiKey', input.id, 'id'));
      return { apiKeyId: key.id };
    },
  }),
}));
