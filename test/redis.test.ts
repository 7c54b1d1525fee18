// Two server processes sharing one database and Redis behave as one service: a change made
// through one reaches the other's subscribers, caches and key checks.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AddPointsBatchDocument,
  AddPointsDocument,
  AwardsDocument,
  LeaderboardTopPageDocument,
  CreateApiKeyDocument,
  OnAwardIssuedDocument,
  RevokeApiKeyDocument,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startMain, type RunningServer } from './helpers/processes.js';
import { copyTemplateDatabase } from './setup/databases.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const API_KEY = `multi-instance-key-${randomBytes(12).toString('hex')}`;

let database: { url: string; remove(): Promise<void> };
let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
  database = await copyTemplateDatabase(inject('templateDatabase'));
  // A channel of this test's own, so parallel test runs sharing the Redis server stay apart.
  const env = { DATABASE_URL: database.url, REDIS_URL, REDIS_CHANNEL: `badges:test:${randomBytes(6).toString('hex')}`, BOOTSTRAP_API_KEY: API_KEY };
  a = await startMain(env);
  b = await startMain(env);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.remove();
});

describe('two instances sharing Redis', () => {
  it('deliver an award issued on one to a subscriber of the other, dates and ids intact', async () => {
    const onA = new GraphQLClient(a.url, { 'x-api-key': API_KEY });
    const template = await createActiveTemplate(onA, { name: 'Across', awardMode: 'REPEATABLE' });
    const live = liveClient(b.url, { apiKey: API_KEY });
    const subscription = new Subscription(live.client, OnAwardIssuedDocument);
    // Subscribe, then prove the subscription is live on B with a first award.
    let first;
    for (let attempt = 0; attempt < 50 && !first; attempt += 1) {
      await issue(onA, template.id, `warmup${attempt}@example.com`);
      first = await subscription.data(200).catch(() => undefined);
    }
    expect(first).toBeDefined();
    while (subscription.buffered) await subscription.next();

    const { award } = await issue(onA, template.id, 'across@example.com', {
      recipient: { email: 'across@example.com', name: 'Across Instances' },
      issuedAt: '2025-03-04T05:06:07.089+02:00',
    });
    const event = (await subscription.data()).awardIssued;
    expect(event).toMatchObject({
      change: 'ISSUED',
      awardId: award.id,
      award: { id: award.id, recipientName: 'Across Instances', template: { id: template.id, name: 'Across' } },
    });
    expect(new Date(event.at).toString()).not.toBe('Invalid Date');
    await live.client.dispose();
  });

  it('forget cached results on one when the other changes the data', async () => {
    const onA = new GraphQLClient(a.url, { 'x-api-key': API_KEY });
    const onB = new GraphQLClient(b.url, { 'x-api-key': API_KEY });
    const template = await createActiveTemplate(onA, { awardMode: 'REPEATABLE' });
    const count = async () => (await onB.data(AwardsDocument, { filter: { templateId: template.id } })).awards.totalCount;
    expect(await count()).toBe(0);
    expect(await count()).toBe(0); // now cached on B
    await issue(onA, template.id, 'cached@example.com');
    await eventually(async () => (await count()) === 1, 3_000);
  });

  it('keep the cached top of a board on one in step with points added on the other', async () => {
    const onA = new GraphQLClient(a.url, { 'x-api-key': API_KEY });
    const onB = new GraphQLClient(b.url, { 'x-api-key': API_KEY });
    const board = { metric: 'POINTS' as const, category: `relay${randomBytes(3).toString('hex')}` };
    const { addPointsBatch } = await onA.data(AddPointsBatchDocument, {
      input: {
        entries: [50, 40, 1].map((amount, index) => ({ earner: { email: `relay${index}@example.com`, name: `Relay runner ${index}` }, amount, category: board.category })),
      },
    });
    const far = addPointsBatch.results[2]!.entry.earner.id;
    const leader = async () => (await onB.data(LeaderboardTopPageDocument, { board, first: 2 })).leaderboard.top.entries[0]!.earner.id;
    expect(await leader()).toBe(addPointsBatch.results[0]!.entry.earner.id);
    expect(await leader()).not.toBe(far); // asked again: B may answer from its cache now
    // The balance crosses Redis in the points event, and B sees it reaches the page.
    await onA.data(AddPointsDocument, { input: { earnerId: far, amount: 100, category: board.category } });
    await eventually(async () => (await leader()) === far, 3_000);
  });

  it('disconnect a subscriber on one within seconds of its key being revoked on the other', async () => {
    const onA = new GraphQLClient(a.url, { 'x-api-key': API_KEY });
    const { createApiKey } = await onA.data(CreateApiKeyDocument, { input: { name: 'Screen on B', permissions: ['READ'] } });
    const live = liveClient(b.url, { apiKey: createApiKey.secret });
    new Subscription(live.client, OnAwardIssuedDocument);
    await eventually(() => live.connections === 1);
    await onA.data(RevokeApiKeyDocument, { id: createApiKey.apiKey.id });
    await eventually(() => live.closes.length > 0, 5_000);
    expect(live.closes[0]?.code).toBe(4403);
  });
});
