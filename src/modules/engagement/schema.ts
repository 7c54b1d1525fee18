import { builder } from '../../graphql/builder.js';
import { validUntil } from '../../graphql/context.js';
import { awardEngagement, recordEngagement, SHARE_NETWORKS, type EngagementCounters, type ShareNetwork } from './service.js';

const KindEnum = builder.enumType('EngagementKind', {
  description: 'What someone did with an award’s public page.',
  values: {
    VIEW: { description: 'Viewed it.' },
    SHARE: { description: 'Shared it on a network.' },
    DOWNLOAD: { description: 'Downloaded its image or certificate.' },
    LINKEDIN_ADD: { description: 'Added it to a LinkedIn profile.' },
  },
});

const NetworkEnum = builder.enumType('ShareNetwork', {
  description: 'Where an award was shared.',
  values: {
    LINKEDIN: { description: 'LinkedIn.' },
    TWITTER: { description: 'Twitter / X.' },
    FACEBOOK: { description: 'Facebook.' },
    WHATSAPP: { description: 'WhatsApp.' },
    TELEGRAM: { description: 'Telegram.' },
    EMAIL: { description: 'By email.' },
    COPY: { description: 'Its link copied.' },
  },
});

const SharesRef = builder.objectRef<Record<ShareNetwork, number>>('EngagementShares').implement({
  description: 'Counted shares per network.',
  fields: (t) => ({
    ...Object.fromEntries(
      SHARE_NETWORKS.map((network) => [network, t.int({ description: `Shares on ${network}.`, resolve: (shares) => shares[network] })]),
    ),
    total: t.int({ description: 'Shares on every network.', resolve: (shares) => Object.values(shares).reduce((sum, count) => sum + count, 0) }),
  }),
});

export const EngagementRef = builder.objectRef<EngagementCounters>('EngagementCounters').implement({
  description:
    'Counted engagement events. An event of a kind (and network) from one client address counts once per 24 hours per award.',
  fields: (t) => ({
    views: t.exposeInt('views', { description: 'Counted views.' }),
    downloads: t.exposeInt('downloads', { description: 'Counted downloads.' }),
    linkedinAdds: t.exposeInt('linkedinAdds', { description: 'Counted LinkedIn profile additions.' }),
    shares: t.field({ type: SharesRef, description: 'Counted shares, per network.', resolve: (counters) => counters.shares }),
  }),
});

const RecordInput = builder.inputType('RecordEngagementInput', {
  description: 'One engagement event on an award’s public page.',
  fields: (t) => ({
    publicId: t.string({ required: true, description: 'The award’s public id (the last part of its public link).' }),
    kind: t.field({ type: KindEnum, required: true, description: 'What was done.' }),
    network: t.field({ type: NetworkEnum, description: 'For SHARE, and only for it (required there): where.' }),
  }),
});

const RecordPayload = builder.objectRef<{ counted: boolean; publicId: string }>('RecordEngagementPayload').implement({
  description: 'Whether the event counted, and the award’s counters now.',
  fields: (t) => ({
    counted: t.exposeBoolean('counted', { description: 'False when the same event from the same address was counted in the last 24 hours.' }),
    engagement: t.field({
      type: EngagementRef,
      description: 'The award’s counters after this event.',
      resolve: (payload, _args, context) => awardEngagement(context.deps, payload.publicId),
    }),
  }),
});

builder.mutationField('recordEngagement', (t) =>
  t.field({
    type: RecordPayload,
    description:
      'Records a view, share, download or LinkedIn add of an award, for its public page: no API key needed. NOT_FOUND for an unknown public id, CONFLICT for a revoked award.',
    args: { input: t.arg({ type: RecordInput, required: true, description: 'The event.' }) },
    resolve: async (_root, { input }, context) => {
      const network = input.network ? (input.network.toLowerCase() as ShareNetwork) : null;
      const { counted } = await recordEngagement(context.deps, { ...input, network }, context.clientAddress ?? 'unknown');
      return { counted, publicId: input.publicId };
    },
  }),
);

builder.queryField('awardEngagement', (t) =>
  t.field({
    type: EngagementRef,
    description: 'An award’s engagement counters, by its public id: public, no API key needed. NOT_FOUND for an unknown public id.',
    args: { publicId: t.arg.string({ required: true, description: 'The award’s public id.' }) },
    resolve: (_root, { publicId }, context) => {
      // Counters move without invalidating cached results (see app.ts): never cached.
      validUntil(context, context.deps.clock.now());
      return awardEngagement(context.deps, publicId);
    },
  }),
);
