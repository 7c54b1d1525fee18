// Issuer statistics against hand-computed values: counts by status, acceptance rate, engagement
// totals, and time series cut in the organization's time zone (Europe/Paris, UTC+1 in March).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptAwardDocument,
  AwardDocument,
  IssuerStatisticsDocument,
  RecordEngagementDocument,
  RejectAwardDocument,
  RevokeAwardDocument,
  UpdateOrganizationDocument,
} from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let t1: string;

// Paris midnights of 1 and 11 March 2026.
const MARCH_1 = '2026-02-28T23:00:00.000Z';
const MARCH_11 = '2026-03-10T23:00:00.000Z';

beforeAll(async () => {
  server = await startServer({ AUTOMATION_TICK_SECONDS: '60' });
  org = await server.createOrganization('Statistics');
  await org.client.data(UpdateOrganizationDocument, { input: { timeZone: 'Europe/Paris' } });
  server.clock.set('2026-03-10T12:00:00Z');
  t1 = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
  const t2 = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
  const a1 = await issue(org.client, t1, 'a@example.com', { issuedAt: '2026-03-02T10:00:00Z' }); // Monday 2 March
  const a2 = await issue(org.client, t1, 'a@example.com', { issuedAt: '2026-03-08T23:30:00Z' }); // 00:30 Monday 9 March in Paris
  await issue(org.client, t1, 'b@example.com', { issuedAt: '2026-02-28T23:30:00Z' }); // 00:30 Sunday 1 March in Paris
  await issue(org.client, t1, 'b@example.com', { issuedAt: '2026-03-10T09:00:00Z', accepted: true }); // Tuesday 10 March
  const b1 = await issue(org.client, t2, 'c@example.com', { issuedAt: '2026-03-05T12:00:00Z' }); // Thursday 5 March
  await issue(org.client, t2, 'c@example.com', { issuedAt: '2026-03-06T12:00:00Z', expiresAt: '2026-03-10T13:00:00Z' }); // Friday 6 March
  await org.client.data(RevokeAwardDocument, { id: a1.award.id, reason: 'Issued by mistake.' }); // 10 March
  await org.client.data(AcceptAwardDocument, { id: a2.award.id });
  await org.client.data(RejectAwardDocument, { id: b1.award.id });
  for (const [id, input] of [
    [a2.award.id, { kind: 'VIEW' }],
    [b1.award.id, { kind: 'SHARE', network: 'EMAIL' }],
  ] as const) {
    const { publicId } = (await org.client.data(AwardDocument, { id })).award!;
    await server.anonymous.data(RecordEngagementDocument, { input: { publicId, ...input } });
  }
  // 14:00 UTC: the award that expires at 13:00 has expired.
  server.clock.set('2026-03-10T14:00:00Z');
});
afterAll(async () => {
  server?.clock.set(new Date());
  await server?.stop();
});

const day = (date: number) => `2026-03-${String(date).padStart(2, '0')}`;
/** Paris midnight of a March day, as UTC. */
const midnight = (date: number) => new Date(Date.UTC(2026, 1, 27 + date, 23)).toISOString();

describe('issuerStatistics', () => {
  it('counts the organization’s awards by status, with engagement, and a daily series', async () => {
    const { issuerStatistics } = await org.client.data(IssuerStatisticsDocument, { from: MARCH_1, to: MARCH_11 });
    expect(issuerStatistics).toMatchObject({
      issued: 6,
      active: 3,
      pending: 1,
      accepted: 2,
      rejected: 1,
      revoked: 1,
      expired: 1,
      acceptanceRate: 2 / 6,
      engagement: { views: 1, shares: { total: 1 } },
    });
    const issued: Record<string, number> = { [day(1)]: 1, [day(2)]: 1, [day(5)]: 1, [day(6)]: 1, [day(9)]: 1, [day(10)]: 1 };
    expect(issuerStatistics.series).toEqual(
      Array.from({ length: 10 }, (_, index) => ({
        start: midnight(index + 1),
        end: midnight(index + 2),
        issued: issued[day(index + 1)] ?? 0,
        revoked: index + 1 === 10 ? 1 : 0,
      })),
    );
  });

  it('cuts weeks from Monday and clips the first and last buckets', async () => {
    const { issuerStatistics } = await org.client.data(IssuerStatisticsDocument, { from: MARCH_1, to: MARCH_11, interval: 'WEEK' });
    expect(issuerStatistics.series).toEqual([
      { start: MARCH_1, end: midnight(2), issued: 1, revoked: 0 },
      { start: midnight(2), end: midnight(9), issued: 3, revoked: 0 },
      { start: midnight(9), end: MARCH_11, issued: 2, revoked: 1 },
    ]);
    const months = await org.client.data(IssuerStatisticsDocument, { from: '2026-02-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00', interval: 'MONTH' });
    expect(months.issuerStatistics.series.map((bucket) => [bucket.start, bucket.issued, bucket.revoked])).toEqual([
      ['2026-01-31T23:00:00.000Z', 0, 0],
      [MARCH_1, 6, 1],
    ]);
  });

  it('narrows to one template', async () => {
    const { issuerStatistics } = await org.client.data(IssuerStatisticsDocument, { templateId: t1, from: MARCH_1, to: MARCH_11, interval: 'MONTH' });
    expect(issuerStatistics).toMatchObject({
      issued: 4,
      active: 3,
      pending: 1,
      accepted: 2,
      rejected: 0,
      revoked: 1,
      expired: 0,
      acceptanceRate: 0.5,
      engagement: { views: 1, shares: { total: 0 } },
      series: [{ start: MARCH_1, end: MARCH_11, issued: 4, revoked: 1 }],
    });
  });

  it('refuses a backwards range and too many buckets, naming the field', async () => {
    const backwards = await org.client.error(IssuerStatisticsDocument, { from: MARCH_11, to: MARCH_1 });
    expect(backwards.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to', rule: 'after:from' });
    const long = await org.client.error(IssuerStatisticsDocument, { from: '2020-01-01', to: '2026-01-01' });
    expect(long.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to', rule: 'maxBuckets' });
    const stranger = await server.createOrganization('Stranger');
    const theirs = await stranger.client.error(IssuerStatisticsDocument, { templateId: t1, from: MARCH_1, to: MARCH_11 });
    expect(theirs.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'templateId' });
  });
});
