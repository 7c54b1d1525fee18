import { builder } from '../../graphql/builder.js';
import { validUntil } from '../../graphql/context.js';
import { decodeOptionalId } from '../../graphql/ids.js';
import { EngagementRef } from '../engagement/schema.js';
import { engagementTotals, MAX_BUCKETS, series, statisticsScope, countsOf, type Bucket, type StatisticsScope } from './service.js';

const IntervalEnum = builder.enumType('StatisticsInterval', {
  description: 'The length of a time-series bucket, in the organization’s time zone.',
  values: {
    DAY: { description: 'Midnight to midnight.' },
    WEEK: { description: 'Monday 00:00 to the next Monday.' },
    MONTH: { description: 'The first of the month to the first of the next.' },
  },
});

const BucketRef = builder.objectRef<Bucket>('StatisticsBucket').implement({
  description: 'One bucket of a time series.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start (inclusive); clipped to `from` for the first bucket.', resolve: (bucket) => bucket.start }),
    end: t.field({ type: 'DateTime', description: 'End (exclusive); clipped to `to` for the last bucket.', resolve: (bucket) => bucket.end }),
    issued: t.exposeInt('issued', { description: 'Awards issued in the bucket (by issue date) that still exist.' }),
    revoked: t.exposeInt('revoked', { description: 'Revocations made in the bucket (an award revoked twice counts twice).' }),
  }),
});

const StatisticsRef = builder.objectRef<StatisticsScope>('IssuerStatistics').implement({
  description:
    'Awards of the organization or of one template. Counts are by current status, expiry derived (a pending or accepted award past its expiry is expired).',
  fields: (t) => {
    const count = (name: 'issued' | 'active' | 'pending' | 'accepted' | 'rejected' | 'revoked' | 'expired', description: string) =>
      t.int({ description, resolve: async (scope, _args, context) => (await countsOf(context.deps, scope))[name] });
    return {
      issued: count('issued', 'Every award that exists, whatever its status.'),
      active: count('active', 'Pending and accepted awards.'),
      pending: count('pending', 'Awards not yet accepted or rejected.'),
      accepted: count('accepted', 'Accepted awards.'),
      rejected: count('rejected', 'Awards their earner declined.'),
      revoked: count('revoked', 'Revoked awards.'),
      expired: count('expired', 'Awards past their expiry.'),
      acceptanceRate: t.float({
        nullable: true,
        description: 'accepted / issued, from 0 to 1; null when nothing was issued.',
        resolve: async (scope, _args, context) => (await countsOf(context.deps, scope)).acceptanceRate,
      }),
      engagement: t.field({
        type: EngagementRef,
        description: 'Engagement counted on the awards’ public pages.',
        resolve: (scope, _args, context) => {
          // Engagement counters move without invalidating cached results (see app.ts): never cached.
          validUntil(context, context.deps.clock.now());
          return engagementTotals(context.deps, scope);
        },
      }),
      series: t.field({
        type: [BucketRef],
        description: `Awards issued and revocations per bucket between two moments (at most ${MAX_BUCKETS} buckets).`,
        args: {
          from: t.arg({ type: 'DateTime', required: true, description: 'Start (inclusive).' }),
          to: t.arg({ type: 'DateTime', required: true, description: 'End (exclusive); after `from`.' }),
          interval: t.arg({ type: IntervalEnum, defaultValue: 'DAY', description: 'Bucket length (default DAY).' }),
        },
        resolve: (scope, { from, to, interval }, context) => series(context.deps, scope, from, to, interval ?? 'DAY'),
      }),
    };
  },
});

builder.queryField('issuerStatistics', (t) =>
  t.field({
    type: StatisticsRef,
    description: 'Statistics of the organization’s awards, or of one template’s (NOT_FOUND for an unknown template). Needs `read`.',
    authScopes: { permission: 'read' },
    args: { templateId: t.arg.id({ description: 'Only this template’s awards.' }) },
    resolve: (_root, { templateId }, context) =>
      statisticsScope(context.deps, context.auth.current.organizationId, decodeOptionalId('BadgeTemplate', templateId, 'templateId')),
  }),
);
