// verifyCredential: anyone may check a credential (ours or another issuer's), without an API key.
import { builder } from '../../../graphql/builder.js';
import { validUntil } from '../../../graphql/context.js';
import { ValidationError } from '../../../shared/errors.js';
import { CHECK_NAMES, type VerificationCheck } from '../verify.js';
import type { CredentialVerification } from '../verification.js';

const CheckNameEnum = builder.enumType('CredentialCheckName', {
  description: 'One check of a credential’s verification.',
  values: {
    format: { value: 'format', description: 'The input reads as a credential (JSON-LD, a VC-JWT, or an image with one baked in).' },
    proof: { value: 'proof', description: 'Its signature verifies with the key it names.' },
    issuerKey: {
      value: 'issuerKey',
      description:
        'That key is the issuer’s: "confirmed" for our issuers (read from our database) and did:key issuers, "unconfirmed" when read from the credential itself (nothing is fetched from other servers).',
    },
    schema: { value: 'schema', description: 'It is valid against 1EdTech’s Open Badges 3.0 JSON Schema.' },
    status: {
      value: 'status',
      description: 'It is not revoked or suspended: known for our credentials; "unknown" (and passed) for other issuers’ lists, which are not fetched.',
    },
    validity: { value: 'validity', description: 'Now is within its validFrom and validUntil.' },
  } as const satisfies Record<(typeof CHECK_NAMES)[number], { value: string; description: string }>,
});

const CheckRef = builder.objectRef<VerificationCheck>('CredentialCheck').implement({
  description: 'The outcome of one check.',
  fields: (t) => ({
    name: t.expose('name', { type: CheckNameEnum, description: 'Which check.' }),
    passed: t.exposeBoolean('passed', { description: 'Whether it passed.' }),
    message: t.exposeString('message', { description: 'What was found, in words.' }),
  }),
});

const VerificationRef = builder.objectRef<CredentialVerification>('CredentialVerification').implement({
  description: 'What verifying a credential found: every check, in order.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid', { description: 'True only when every check passed.' }),
    checks: t.field({ type: [CheckRef], description: 'format, proof, issuerKey, schema, status, validity.', resolve: (result) => result.checks }),
    credential: t.field({
      type: 'JSONObject',
      nullable: true,
      description: 'The credential that was read (for a JWT, its payload less the JWT claims); null when none could be.',
      resolve: (result) => result.credential ?? null,
    }),
    awardPublicId: t.string({
      nullable: true,
      description: 'When the credential is one of ours and its award still exists: the award’s public id (see publicAward).',
      resolve: (result) => result.awardPublicId ?? null,
    }),
  }),
});

const VerifyInput = builder.inputType('VerifyCredentialInput', {
  description: 'The credential to verify: exactly one of the three.',
  fields: (t) => ({
    credential: t.field({ type: 'JSONObject', description: 'A JSON-LD credential.' }),
    jwt: t.string({ description: 'A VC-JWT (compact JWS).' }),
    image: t.string({ description: 'A baked badge image, PNG or SVG, in base64 (a data: URL is accepted).' }),
  }),
});

builder.queryField('verifyCredential', (t) =>
  t.field({
    type: VerificationRef,
    description:
      'Verifies an Open Badges 3.0 credential, ours or another issuer’s, and answers each check separately. No API key needed. Nothing is fetched from other servers.',
    args: { input: t.arg({ type: VerifyInput, required: true, description: 'The credential.' }) },
    resolve: async (_root, { input }, context) => {
      // The answer depends on the time and on status changes: never served from the cache.
      validUntil(context, context.deps.clock.now());
      const given = (['credential', 'jwt', 'image'] as const).filter((field) => input[field] != null);
      if (given.length !== 1) {
        throw ValidationError.single('input', 'exactlyOne', 'give exactly one of credential, jwt and image');
      }
      const field = given[0]!;
      return context.deps.credentials.verifier.verify(
        field === 'credential' ? { credential: input.credential } : field === 'jwt' ? { jwt: input.jwt! } : { image: input.image! },
      );
    },
  }),
);
