// Engagement events on public award pages: no API key, one count per kind, address and award per
// 24 hours, addresses kept only as salted hashes, X-Forwarded-For read only behind trusted proxies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashAddress } from '../src/modules/engagement/service.js';
import { AwardEngagementDocument, AwardDocument, RecordEngagementDocument, RevokeAwardDocument, type RecordEngagementInput } from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let proxied: TestServer;
let org: TestOrganization;
let templateId: string;

beforeAll(async () => {
  server = await startServer();
  proxied = await startServer({ TRUST_PROXY: '1', ENGAGEMENT_SALT: 'a-configured-salt-of-some-length' });
  org = await server.createOrganization();
  templateId = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
});
afterAll(async () => {
  await server?.stop();
  await proxied?.stop();
});

async function newAward(on: TestOrganization = org, template = templateId) {
  const { award } = await issue(on.client, template, 'engaged@example.com');
  const { award: full } = await on.client.data(AwardDocument, { id: award.id });
  return { id: award.id, publicId: full!.publicId };
}

function record(client: TestServer['anonymous'], input: RecordEngagementInput) {
  return client.data(RecordEngagementDocument, { input }).then((result) => result.recordEngagement);
}

describe('recording', () => {
  it('counts the same kind from the same address once per 24 hours, with the injectable clock', async () => {
    const { publicId } = await newAward();
    const view = { publicId, kind: 'VIEW' } as const;
    expect(await record(server.anonymous, view)).toMatchObject({ counted: true, engagement: { views: 1 } });
    expect(await record(server.anonymous, view)).toMatchObject({ counted: false, engagement: { views: 1 } });
    // Other kinds, and shares on other networks, count on their own.
    expect(await record(server.anonymous, { publicId, kind: 'DOWNLOAD' })).toMatchObject({ counted: true, engagement: { downloads: 1 } });
    await record(server.anonymous, { publicId, kind: 'SHARE', network: 'LINKEDIN' });
    await record(server.anonymous, { publicId, kind: 'SHARE', network: 'LINKEDIN' });
    await record(server.anonymous, { publicId, kind: 'SHARE', network: 'COPY' });
    await record(server.anonymous, { publicId, kind: 'LINKEDIN_ADD' });
    server.clock.advance(24 * 3_600_000 - 1_000);
    try {
      expect((await record(server.anonymous, view)).counted).toBe(false);
      server.clock.advance(2_000);
      expect((await record(server.anonymous, view)).counted).toBe(true);
    } finally {
      server.clock.set(new Date());
    }
    const { awardEngagement } = await server.anonymous.data(AwardEngagementDocument, { publicId });
    expect(awardEngagement).toEqual({
      views: 2,
      downloads: 1,
      linkedinAdds: 1,
      shares: { linkedin: 1, twitter: 0, facebook: 0, whatsapp: 0, telegram: 0, email: 0, copy: 1, total: 2 },
    });
  });

  it('counts racing duplicates once', async () => {
    const { publicId } = await newAward();
    const results = await Promise.all(Array.from({ length: 10 }, () => record(server.anonymous, { publicId, kind: 'VIEW' })));
    expect(results.filter((result) => result.counted)).toHaveLength(1);
    expect((await server.anonymous.data(AwardEngagementDocument, { publicId })).awardEngagement.views).toBe(1);
  });

  it('answers each of many concurrent events on its own: counted, duplicate, unknown or revoked', async () => {
    // Concurrent events are written together (src/modules/engagement/recorder.ts); every caller
    // must still get its own answer, and the counters the exact sum.
    const there = await proxied.createOrganization();
    const template = (await createActiveTemplate(there.client, { awardMode: 'REPEATABLE' })).id;
    const [first, second, revoked] = [await newAward(there, template), await newAward(there, template), await newAward(there, template)];
    await there.client.data(RevokeAwardDocument, { id: revoked.id, reason: 'Revoked for the test.' });
    const from = (address: string) => proxied.anonymous.withHeaders({ 'x-forwarded-for': address });
    const sends = [
      // 30 addresses viewing the first award, each twice: 30 count.
      ...Array.from({ length: 60 }, (_, index) => ({ client: from(`198.51.100.${index % 30}`), publicId: first.publicId, expect: 'view' })),
      // 10 addresses viewing the second award once each.
      ...Array.from({ length: 10 }, (_, index) => ({ client: from(`198.51.100.${index}`), publicId: second.publicId, expect: 'counted' })),
      { client: from('198.51.100.200'), publicId: 'no-such-award', expect: 'NOT_FOUND' },
      { client: from('198.51.100.201'), publicId: revoked.publicId, expect: 'CONFLICT' },
    ];
    const answers = await Promise.all(
      sends.map(({ client, publicId }) => client.request(RecordEngagementDocument, { input: { publicId, kind: 'VIEW' } })),
    );
    const outcome = (answer: (typeof answers)[number]) => answer.errors?.[0]?.extensions?.code ?? (answer.data!.recordEngagement.counted ? 'counted' : 'duplicate');
    const outcomes = answers.map(outcome);
    const firstAward = outcomes.slice(0, 60);
    expect(firstAward.filter((value) => value === 'counted')).toHaveLength(30);
    expect(firstAward.filter((value) => value === 'duplicate')).toHaveLength(30);
    // Of each address's two views of the first award, exactly one counted.
    for (let address = 0; address < 30; address += 1) expect([firstAward[address], firstAward[address + 30]].sort()).toEqual(['counted', 'duplicate']);
    expect(outcomes.slice(60, 70)).toEqual(Array(10).fill('counted'));
    expect(outcomes.slice(70)).toEqual(['NOT_FOUND', 'CONFLICT']);
    const views = async (publicId: string) => (await proxied.anonymous.data(AwardEngagementDocument, { publicId })).awardEngagement.views;
    expect(await views(first.publicId)).toBe(30);
    expect(await views(second.publicId)).toBe(10);
  });

  it('writes events that arrive together in one statement, each with its own answer', async () => {
    const [first, second, revoked] = [await newAward(), await newAward(), await newAward()];
    await org.client.data(RevokeAwardDocument, { id: revoked.id, reason: 'Revoked for the test.' });
    const address = (n: number) => hashAddress(server.app.deps.engagementSalt, `192.0.2.${n}`);
    const event = (publicId: string, n: number, kind: 'VIEW' | 'SHARE' = 'VIEW', network = '') => ({ publicId, kind, network, addressHash: address(n) });
    const events = [
      event(first.publicId, 1),
      event(first.publicId, 1), // the same event again in the same batch: a duplicate
      event(first.publicId, 2),
      event(first.publicId, 1, 'SHARE', 'linkedin'),
      event(first.publicId, 1, 'SHARE', 'copy'),
      event(second.publicId, 1),
      event('no-such-award', 1),
      event(revoked.publicId, 1),
    ];
    server.statements.length = 0;
    // Recorded in the same tick, so they wait for and go in one batch.
    const outcomes = await Promise.all(events.map((engagement) => server.app.deps.engagement.record(engagement)));
    expect(server.statements.filter((sql) => sql.includes('INSERT INTO "EngagementSeen"'))).toHaveLength(1);
    expect(outcomes.map(({ counted, award }) => [counted, award?.status ?? null])).toEqual([
      [true, 'PENDING'],
      [false, 'PENDING'],
      [true, 'PENDING'],
      [true, 'PENDING'],
      [true, 'PENDING'],
      [true, 'PENDING'],
      [false, null],
      [false, 'REVOKED'],
    ]);
    const counters = async (publicId: string) => (await server.anonymous.data(AwardEngagementDocument, { publicId })).awardEngagement;
    expect(await counters(first.publicId)).toMatchObject({ views: 2, shares: { linkedin: 1, copy: 1, total: 2 } });
    expect((await counters(second.publicId)).views).toBe(1);
    // ...and the next batch sees this one's rows: the same events no longer count.
    const again = await Promise.all(events.slice(0, 6).map((engagement) => server.app.deps.engagement.record(engagement)));
    expect(again.map(({ counted }) => counted)).toEqual(Array(6).fill(false));
  });

  it('keeps only a salted hash of the address, with a salt generated once and persisted', async () => {
    const { id, publicId } = await newAward();
    await record(server.anonymous, { publicId, kind: 'VIEW' });
    const awardId = Buffer.from(id, 'base64').toString('utf8').split(':')[1]!;
    const rows = await server.app.deps.db.engagementSeen.findMany({ where: { awardId } });
    expect(rows).toHaveLength(1);
    const salt = await server.app.deps.db.systemSetting.findUniqueOrThrow({ where: { key: 'engagementSalt' } });
    expect(server.app.deps.engagementSalt).toBe(salt.value);
    expect(rows[0]!.addressHash).toBe(hashAddress(salt.value, '127.0.0.1'));
    expect(JSON.stringify(rows)).not.toContain('127.0.0.1');
  });

  it('refuses bad input, unknown and revoked awards with clear errors', async () => {
    const { id, publicId } = await newAward();
    const missing = await server.anonymous.error(RecordEngagementDocument, { input: { publicId, kind: 'SHARE' } });
    expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'network', rule: 'requiredWith:SHARE' });
    const extra = await server.anonymous.error(RecordEngagementDocument, { input: { publicId, kind: 'VIEW', network: 'EMAIL' } });
    expect(extra.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'network', rule: 'onlyWith:SHARE' });
    const unknown = await server.anonymous.error(RecordEngagementDocument, { input: { publicId: 'no-such-award', kind: 'VIEW' } });
    expect(unknown.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'publicId' });
    expect((await server.anonymous.error(AwardEngagementDocument, { publicId: 'no-such-award' })).extensions?.code).toBe('NOT_FOUND');
    await org.client.data(RevokeAwardDocument, { id, reason: 'Revoked for the test.' });
    const revoked = await server.anonymous.error(RecordEngagementDocument, { input: { publicId, kind: 'VIEW' } });
    expect(revoked.extensions).toMatchObject({ code: 'CONFLICT', field: 'publicId', rule: 'notRevoked' });
  });
});

describe('client address', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const { publicId } = await newAward();
    const first = server.anonymous.withHeaders({ 'x-forwarded-for': '203.0.113.1' });
    const second = server.anonymous.withHeaders({ 'x-forwarded-for': '203.0.113.2' });
    expect((await record(first, { publicId, kind: 'VIEW' })).counted).toBe(true);
    // Same socket address: the header changes nothing.
    expect((await record(second, { publicId, kind: 'VIEW' })).counted).toBe(false);
  });

  it('behind a trusted proxy, takes the address the proxy appended', async () => {
    const there = await proxied.createOrganization();
    const template = (await createActiveTemplate(there.client, { awardMode: 'REPEATABLE' })).id;
    const { id, publicId } = await newAward(there, template);
    const client = (forwarded: string) => proxied.anonymous.withHeaders({ 'x-forwarded-for': forwarded });
    expect((await record(client('203.0.113.1'), { publicId, kind: 'VIEW' })).counted).toBe(true);
    expect((await record(client('203.0.113.2'), { publicId, kind: 'VIEW' })).counted).toBe(true);
    // A client's own claim before the proxy's entry is not believed.
    expect((await record(client('198.51.100.7, 203.0.113.2'), { publicId, kind: 'VIEW' })).counted).toBe(false);
    expect((await proxied.anonymous.data(AwardEngagementDocument, { publicId })).awardEngagement.views).toBe(2);
    const awardId = Buffer.from(id, 'base64').toString('utf8').split(':')[1]!;
    const hashes = (await proxied.app.deps.db.engagementSeen.findMany({ where: { awardId } })).map((row) => row.addressHash).sort();
    const salt = 'a-configured-salt-of-some-length';
    expect(hashes).toEqual([hashAddress(salt, '203.0.113.1'), hashAddress(salt, '203.0.113.2')].sort());
  });
});
