// An award's credential in the API: for the organization's own keys (Award) and for anyone
// holding the public id (PublicAward, links only).
import { builder } from '../../../graphql/builder.js';
import { NotFoundError } from '../../../shared/errors.js';
import { PublicAwardRef } from '../../awards/schema/index.js';
import { publicAwardUrl, type PublicAward } from '../../awards/index.js';
import { credentialLinks } from '../urls.js';

export const JwtAlgorithmEnum = builder.enumType('CredentialJwtAlgorithm', {
  description: 'How a VC-JWT is signed.',
  values: {
    EDDSA: { value: 'EdDSA', description: 'EdDSA with the organization’s Ed25519 key (the key of the Data Integrity proof).' },
    RS256: { value: 'RS256', description: 'RS256 with the organization’s RSA key, for verifiers that only read RSA.' },
  } as const,
});

type CredentialLinks = ReturnType<typeof credentialLinks>;

const CredentialLinksRef = builder.objectRef<CredentialLinks>('CredentialLinks').implement({
  description: 'Where an award’s Open Badges 3.0 credential is served, without an API key.',
  fields: (t) => ({
    credential: t.exposeString('credential', { description: 'The signed credential as JSON-LD (Data Integrity proof, eddsa-rdfc-2022).' }),
    jwt: t.exposeString('jwt', { description: 'The credential as a VC-JWT (EdDSA; add ?alg=RS256 for RS256).' }),
    png: t.exposeString('png', { description: 'The badge image as PNG with the credential baked in.' }),
    svg: t.exposeString('svg', { description: 'The badge image as SVG with the credential baked in.' }),
  }),
});

builder.prismaObjectFields('Award', (t) => ({
  credential: t.field({
    type: 'JSONObject',
    description:
      'The award as a signed Open Badges 3.0 credential (JSON-LD, Data Integrity proof). Signed on first request and kept while what it says is unchanged; a revoked award’s credential is still given, its suspension bit set.',
    // Signing the first time costs about 10 ms of CPU: a page of 100 fits the cost limit, two do not.
    complexity: 150,
    select: { id: true, organizationId: true },
    resolve: async (award, _args, context) => {
      const found = await context.deps.credentials.signed({ id: award.id, organizationId: award.organizationId });
      if (!found.found) throw new NotFoundError('award');
      return found.value;
    },
  }),
  credentialJwt: t.string({
    description: 'The award’s credential as a VC-JWT.',
    args: { algorithm: t.arg({ type: JwtAlgorithmEnum, required: true, defaultValue: 'EdDSA', description: 'How to sign it.' }) },
    complexity: 20,
    select: { id: true, organizationId: true },
    resolve: async (award, { algorithm }, context) => {
      const found = await context.deps.credentials.jwt({ id: award.id, organizationId: award.organizationId }, algorithm);
      if (!found.found) throw new NotFoundError('award');
      return found.value;
    },
  }),
  credentialLinks: t.field({
    type: CredentialLinksRef,
    description: 'Where the credential is served publicly.',
    select: { publicId: true, organization: { select: { whitelabelHost: true } } },
    resolve: (award, _args, context) => credentialLinks(publicAwardUrl(context.deps.config, award.organization.whitelabelHost, award.publicId)),
  }),
}));

builder.objectField(PublicAwardRef, 'credentialLinks', (t) =>
  t.field({
    type: CredentialLinksRef,
    description: 'Where the award’s Open Badges 3.0 credential is served (also for revoked awards, whose credential says so).',
    resolve: (award: PublicAward) => credentialLinks(award.verificationUrl),
  }),
);
