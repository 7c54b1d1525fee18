// The organization as an Open Badges issuer: its issuer URL and signing keys (public parts only),
// and their rotation.
import { builder } from '../../../graphql/builder.js';
import type { CredentialKey } from '../../../generated/prisma-sqlite/client.js';
import { keyId } from '../issuer-keys.js';
import { issuerUrl } from '../urls.js';

const KeyTypeEnum = builder.enumType('CredentialKeyType', {
  description: 'What a signing key is for.',
  values: {
    ED25519: { description: 'Ed25519: Data Integrity proofs (eddsa-rdfc-2022) and EdDSA JWTs.' },
    RSA: { description: 'RSA 2048: RS256 JWTs.' },
  } as const,
});

const CredentialKeyRef = builder.objectRef<CredentialKey & { issuer: string }>('CredentialKey').implement({
  description: 'A key the organization signs credentials with. Only its public part is ever shown.',
  fields: (t) => ({
    id: t.string({ description: 'The key’s id (verification method URL), as proofs and JWT headers name it.', resolve: (key) => keyId(key.issuer, key) }),
    type: t.expose('type', { type: KeyTypeEnum, description: 'What it signs.' }),
    publicKey: t.exposeString('publicKey', { description: 'The public key: publicKeyMultibase (Ed25519), or the JWK as JSON (RSA).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was made (on first need).' }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a rotation retired it; it still verifies what it signed, and signs nothing new. Null while current.',
    }),
  }),
});

interface Issuer {
  organizationId: string;
  url: string;
}

const IssuerRef = builder.objectRef<Issuer>('CredentialIssuer').implement({
  description: 'The organization as the issuer of its Open Badges 3.0 credentials.',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'The issuer’s id: serves its Profile and keys, without an API key.' }),
    keys: t.field({
      type: [CredentialKeyRef],
      description: 'Every signing key the organization has had, current and retired, oldest first.',
      resolve: async (issuer, _args, context) =>
        (await context.deps.credentials.keys.published(issuer.organizationId)).map((key) => ({ ...key, issuer: issuer.url })),
    }),
  }),
});

builder.prismaObjectField('Organization', 'credentialIssuer', (t) =>
  t.field({
    type: IssuerRef,
    description: 'The organization as an Open Badges issuer: its URL and signing keys.',
    select: { id: true, whitelabelHost: true },
    resolve: (organization, _args, context) => ({ organizationId: organization.id, url: issuerUrl(context.deps.config, organization) }),
  }),
);

const RotatePayload = builder.objectRef<{ issuer: Issuer; retired: number }>('RotateCredentialKeysPayload').implement({
  description: 'The result of rotateCredentialKeys.',
  fields: (t) => ({
    retired: t.exposeInt('retired', { description: 'How many keys were retired (0 when none had been made yet).' }),
    issuer: t.field({ type: IssuerRef, description: 'The issuer, with its keys as they are now.', resolve: (payload) => payload.issuer }),
  }),
});

builder.mutationField('rotateCredentialKeys', (t) =>
  t.field({
    type: RotatePayload,
    description:
      'Retires the organization’s current signing keys; new ones are made when next needed, and each credential is signed again with them the next time it is served. Retired keys stay published, so credentials signed with them still verify. Needs `keys:manage`.',
    authScopes: { permission: 'keys:manage' },
    resolve: async (_root, _args, context) => {
      const { organizationId } = context.auth.current;
      const retired = await context.deps.credentials.keys.rotate(organizationId);
      const organization = await context.deps.reader.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { id: true, whitelabelHost: true } });
      return { retired, issuer: { organizationId, url: issuerUrl(context.deps.config, organization) } };
    },
  }),
);
