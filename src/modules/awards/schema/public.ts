// The public award page's data: anyone with the public id may read it, without an API key.
import { builder } from '../../../graphql/builder.js';
import { validUntil } from '../../../graphql/context.js';
import { AwardStatusEnum } from './enums.js';
import { BadgeLevelEnum } from '../../templates/schema.js';
import { findPublicAward, type PublicAward } from '../public.js';

const PublicBadgeRef = builder.objectRef<PublicAward['template']>('PublicBadge').implement({
  description: 'The badge as the award was issued (the template version it came from).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Badge name.' }),
    description: t.exposeString('description', { description: 'What the badge stands for.' }),
    level: t.expose('level', { type: BadgeLevelEnum, description: 'Tier.' }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Badge image (the award’s own when it has one).' }),
    criteriaNarrative: t.exposeString('criteriaNarrative', { nullable: true, description: 'What an earner had to do.' }),
    criteriaUrl: t.exposeString('criteriaUrl', { nullable: true, description: 'A page describing the criteria.' }),
  }),
});

const PublicIssuerRef = builder.objectRef<PublicAward['organization']>('PublicIssuer').implement({
  description: 'The organization that issued the award, as shown publicly.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name.' }),
    url: t.exposeString('url', { nullable: true, description: 'Website.' }),
    imageUrl: t.exposeString('imageUrl', { nullable: true, description: 'Logo.' }),
  }),
});

export const PublicAwardRef = builder.objectRef<PublicAward>('PublicAward').implement({
  description: 'What a public award page shows. Holds no internal ids and no email address.',
  fields: (t) => ({
    publicId: t.exposeString('publicId', { description: 'The award’s public id, also the certificate id.' }),
    earnerName: t.exposeString('recipientName', { description: 'The earner’s name, as issued.' }),
    status: t.expose('status', { type: AwardStatusEnum, description: 'Current status; REVOKED and REJECTED awards have no certificate.' }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', description: 'When it was issued.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it expires; null means never.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked.' }),
    badge: t.field({ type: PublicBadgeRef, description: 'The badge.', resolve: (award) => award.template }),
    issuer: t.field({ type: PublicIssuerRef, description: 'Who issued it.', resolve: (award) => award.organization }),
    verificationUrl: t.exposeString('verificationUrl', { description: 'The public award page (the certificate’s QR code points here).' }),
    certificateUrl: t.string({
      nullable: true,
      description: 'The A4 PDF certificate (GET, no API key); null for revoked and rejected awards.',
      resolve: (award) => (award.linkedInAddToProfileUrl ? award.certificateUrl : null),
    }),
    certificateId: t.exposeString('publicId', { description: 'The id printed on the certificate.' }),
    linkedInAddToProfileUrl: t.exposeString('linkedInAddToProfileUrl', {
      nullable: true,
      description: 'LinkedIn’s add-to-profile link, filled with the badge, issuer, issue and expiry month, URL and id; null for revoked and rejected awards.',
    }),
  }),
});

builder.queryFields((t) => ({
  publicAward: t.field({
    type: PublicAwardRef,
    nullable: true,
    description: 'A public award page’s data, by the award’s public id; no API key needed. Null when no award has this id.',
    args: { publicId: t.arg.string({ required: true, description: 'The public id (the last part of the award’s publicUrl).' }) },
    resolve: async (_root, { publicId }, context) => {
      // Public data of any organization: never kept in a key's response cache.
      validUntil(context, context.deps.clock.now());
      if (publicId.length > 100) return null;
      return (await findPublicAward(context.deps, { publicId })) ?? null;
    },
  }),
}));
