// The response cache answers repeated queries without SQL, yet never serves a stale, expired,
// foreign or unauthorised result.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseCache } from '../src/graphql/response-cache.js';
import { revokeAward } from '../src/modules/awards/index.js';
import {
  AddPointsBatchDocument,
  AddPointsDocument,
  AwardDocument,
  LeaderboardTopDocument,
  LeaderboardTopPageDocument,
  UpdateEarnerDocument,
  AwardEngagementDocument,
  AwardsDocument,
  IssuerStatisticsDocument,
  RecordEngagementDocument,
  CreateApiKeyDocument,
  RevokeApiKeyDocument,
  TemplatesDocument,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { DAY } from './helpers/clock.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { QUIET_POLLERS, startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let templateId: string;

beforeAll(async () => {
  server = await startServer(QUIET_POLLERS);
  org = await server.createOrganization();
  templateId = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
  await issue(org.client, templateId, 'first@example.com');
});
afterAll(() => server?.stop());

async function listWithStatements(client = org.client) {
  server.statements.length = 0;
  const { awards } = await client.data(AwardsDocument, { filter: { templateId } });
  return { ids: awards.edges.map((edge) => edge.node.id), statements: server.statements.length };
}

describe('response cache', () => {
  it('answers a repeated query without touching the database', async () => {
    const first = await listWithStatements();
    expect(first.statements).toBeGreaterThan(0);
    const second = await listWithStatements();
    expect(second).toEqual({ ids: first.ids, statements: 0 });
  });

  it('answers every hit with the bytes and headers of the first answer', async () => {
    const ask = async (accept: string) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, 'x-api-key': org.apiKey },
        body: JSON.stringify({ query: 'query Cached($id: ID!) { badgeTemplate(id: $id) { id name awards(first: 5) { edges { node { id status } } } } }', variables: { id: templateId } }),
      });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
    };
    server.statements.length = 0;
    const computed = await ask('application/json');
    expect(server.statements.length).toBeGreaterThan(0);
    expect(JSON.parse(computed.body).data.badgeTemplate.awards.edges).toHaveLength(1);
    server.statements.length = 0;
    // Hits, the first of which serializes the cached result and the later ones send that JSON (not
    // observable here): the same bytes as the computed answer, with the content type each asked for.
    const hits = [await ask('application/json'), await ask('application/graphql-response+json'), await ask('application/json')];
    expect(server.statements).toEqual([]);
    expect(hits).toEqual([
      computed,
      { ...computed, type: 'application/graphql-response+json; charset=utf-8' },
      computed,
    ]);
  });

  it('forgets an organization’s results when a mutation changes it', async () => {
    const before = await listWithStatements();
    const { award } = await issue(org.client, templateId, 'second@example.com');
    const after = await listWithStatements();
    expect(after.ids).toEqual([award.id, ...before.ids]);
  });

  it('forgets them too when a change arrives as an event (another instance, automation)', async () => {
    const { award } = await issue(org.client, templateId, 'third@example.com');
    expect((await org.client.data(AwardDocument, { id: award.id })).award?.status).toBe('PENDING');
    await org.client.data(AwardDocument, { id: award.id }); // now cached
    await revokeAward(server.app.deps, { organizationId: org.id, apiKeyId: null }, decodeGlobalID(award.id).id, 'Revoked elsewhere.');
    expect((await org.client.data(AwardDocument, { id: award.id })).award?.status).toBe('REVOKED');
  });

  it('keeps results while public pages are viewed, and reads engagement counters live', async () => {
    const { award } = await issue(org.client, templateId, 'viewed@example.com');
    const { award: full } = await org.client.data(AwardDocument, { id: award.id });
    await listWithStatements(); // cached
    const window = { from: '2026-01-01', to: '2026-12-31', interval: 'MONTH' as const };
    const views = async () => (await org.client.data(IssuerStatisticsDocument, window)).issuerStatistics.engagement.views;
    const before = await views();
    const viewer = (address: string) => server.anonymous.withHeaders({ 'x-forwarded-for': address });
    await viewer('1').data(RecordEngagementDocument, { input: { publicId: full!.publicId, kind: 'VIEW' } });
    // A view is not a change of the organization's data: the list is still served from the cache...
    expect((await listWithStatements()).statements).toBe(0);
    // ...while the counters it moved are never cached, whoever asks.
    expect(await views()).toBe(before + 1);
    const counters = async () => (await org.client.data(AwardEngagementDocument, { publicId: full!.publicId })).awardEngagement.views;
    expect(await counters()).toBe(1);
    await server.app.deps.engagement.record({ publicId: full!.publicId, kind: 'VIEW', network: '', addressHash: 'another address' });
    expect(await views()).toBe(before + 2);
    expect(await counters()).toBe(2);
  });

  it('never serves a status past the award’s expiry', async () => {
    const expiresAt = new Date(server.clock.now().getTime() + DAY).toISOString();
    const { award } = await issue(org.client, templateId, 'expiring@example.com', { expiresAt });
    expect((await org.client.data(AwardDocument, { id: award.id })).award?.status).toBe('PENDING');
    server.clock.advance(2 * DAY);
    try {
      expect((await org.client.data(AwardDocument, { id: award.id })).award?.status).toBe('EXPIRED');
    } finally {
      server.clock.advance(-2 * DAY);
    }
  });

  it('keeps organizations and keys apart', async () => {
    await org.client.data(TemplatesDocument, {});
    const other = await server.createOrganization();
    expect((await other.client.data(TemplatesDocument, {})).badgeTemplates.totalCount).toBe(0);

    // A key without `read` is refused even though the same query is cached for another key.
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'No read', permissions: ['AWARDS_ISSUE'] } });
    const writer = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    expect((await writer.error(TemplatesDocument, {})).extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a revoked key, whatever is cached', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Soon revoked', permissions: ['READ'] } });
    const reader = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    await reader.data(TemplatesDocument, {});
    await reader.data(TemplatesDocument, {}); // served from the cache
    await org.client.data(RevokeApiKeyDocument, { id: createApiKey.apiKey.id });
    expect((await reader.error(TemplatesDocument, {})).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('response cache, top pages of points boards', () => {
  const arcade = { metric: 'POINTS' as const, category: 'arcade' };

  /** A board of its own for each test, so each runs alone: one 50, two 40, three 30, four 20, five 10. */
  async function newBoard(name = 'Arcade') {
    const board = await server.createOrganization(name);
    const { addPointsBatch } = await board.client.data(AddPointsBatchDocument, {
      input: {
        entries: [50, 40, 30, 20, 10].map((amount, index) => ({
          earner: { email: `player${index + 1}@example.com`, name: `Player ${['one', 'two', 'three', 'four', 'five'][index]}` },
          amount,
          category: 'arcade',
        })),
      },
    });
    /** Earner ids by name. */
    const earners = new Map<string, string>();
    for (const [index, player] of ['one', 'two', 'three', 'four', 'five'].entries()) earners.set(player, addPointsBatch.results[index]!.entry.earner.id);

    const add = (player: string, amount: number, category = 'arcade') =>
      board.client.data(AddPointsDocument, { input: { earnerId: earners.get(player)!, amount, category } });

    /** The top two, and how many statements answering them took. */
    async function topTwo(after?: string) {
      server.statements.length = 0;
      const { leaderboard } = await board.client.data(LeaderboardTopPageDocument, { board: arcade, first: 2, after });
      const entries = leaderboard.top.entries.map((entry) => `${entry.earner.name.replace('Player ', '')}:${entry.score}`);
      return { entries, hasNextPage: leaderboard.top.hasNextPage, statements: server.statements.length };
    }
    return { client: board.client, earners, add, topTwo };
  }

  it('keeps the top of a board through points below it, and forgets it for points that reach it', async () => {
    const { add, topTwo } = await newBoard();
    expect(await topTwo()).toMatchObject({ entries: ['one:50', 'two:40'], hasNextPage: true });
    expect((await topTwo()).statements).toBe(0);

    // Five goes from 10 to 25: still after three (30), the row after the page.
    await add('five', 15);
    expect(await topTwo()).toEqual({ entries: ['one:50', 'two:40'], hasNextPage: true, statements: 0 });
    // Points of another category, and of another organization's board of the same name.
    await add('five', 1000, 'other');
    const other = await server.createOrganization('Other arcade');
    await other.client.data(AddPointsDocument, { input: { earner: { email: 'rival@example.com', name: 'Rival' }, amount: 1000, category: 'arcade' } });
    expect((await topTwo()).statements).toBe(0);

    // Five to 55: first.
    await add('five', 30);
    const reached = await topTwo();
    expect(reached.entries).toEqual(['five:55', 'one:50']);
    expect(reached.statements).toBeGreaterThan(0);
    expect((await topTwo()).statements).toBe(0);
  });

  it('forgets it when an earner on it loses points, or passes the row after it', async () => {
    const { add, topTwo } = await newBoard();
    await add('five', 45); // 10 -> 55: first
    expect((await topTwo()).entries).toEqual(['five:55', 'one:50']);
    await add('one', -20); // 50 -> 30: off the page, which two (40) and five (55) now make
    expect((await topTwo()).entries).toEqual(['five:55', 'two:40']);
    // Three (30, after the page) to 40: ties two, and sorts before or after it by id; either way
    // it is now the row after the page or on it, so the page is read again.
    await topTwo();
    await add('three', 10);
    const tied = await topTwo();
    expect(tied.statements).toBeGreaterThan(0);
    expect(tied.entries[0]).toBe('five:55');
    expect(['two:40', 'three:40']).toContain(tied.entries[1]);
  });

  it('forgets it when an earner on it is renamed', async () => {
    const { client, earners, add, topTwo } = await newBoard();
    await add('five', 45);
    const before = await topTwo();
    expect(before.entries[0]).toBe('five:55');
    await client.data(UpdateEarnerDocument, { input: { id: earners.get('five')!, name: 'Five Renamed' } });
    expect((await topTwo()).entries[0]).toBe('Five Renamed:55');
  });

  it('forgets pages after a cursor, and queries that read more than top pages, at any points change', async () => {
    const { client, add, topTwo } = await newBoard();
    const { leaderboard } = await client.data(LeaderboardTopDocument, { board: arcade, first: 2 });
    const after = leaderboard.top.endCursor!;
    await topTwo(after);
    expect((await topTwo(after)).statements).toBe(0);
    server.statements.length = 0;
    await client.data(LeaderboardTopDocument, { board: arcade, first: 2 }); // selects `size`
    expect(server.statements.length).toBe(0);

    await add('four', 1); // far below both
    expect((await topTwo(after)).statements).toBeGreaterThan(0);
    server.statements.length = 0;
    const again = await client.data(LeaderboardTopDocument, { board: arcade, first: 2 });
    expect(server.statements.length).toBeGreaterThan(0);
    expect(again.leaderboard.size).toBe(leaderboard.size);
  });

  it('forgets it after a batch too large to list its balances', async () => {
    const { client, topTwo } = await newBoard();
    await topTwo();
    expect((await topTwo()).statements).toBe(0);
    // 101 newcomers with 1 point each: none reaches the page, but the event cannot say so.
    await client.data(AddPointsBatchDocument, {
      input: { entries: Array.from({ length: 101 }, (_, index) => ({ earner: { email: `crowd${index}@example.com`, name: `Crowd ${index}` }, amount: 1, category: 'arcade' })) },
    });
    expect((await topTwo()).statements).toBeGreaterThan(0);
  });
});

describe('ResponseCache', () => {
  const result = { data: { value: 1 } };

  it('drops a result read before a change that committed while it executed', () => {
    const cache = new ResponseCache(30_000);
    const generation = cache.generation('org');
    cache.invalidateOrganization('org'); // a change commits while the query runs
    cache.set('key', 'org', generation, result, 0, Number.POSITIVE_INFINITY);
    expect(cache.get('key', 1)).toBeUndefined();
    cache.set('key', 'org', cache.generation('org'), result, 0, Number.POSITIVE_INFINITY);
    expect(cache.get('key', 1)).toBe(result);
  });

  it('keeps a result no longer than its TTL or its own validity, by the application clock', () => {
    const cache = new ResponseCache(30_000);
    cache.set('short', 'org', 0, result, 1_000, 5_000);
    cache.set('long', 'org', 0, result, 1_000, Number.POSITIVE_INFINITY);
    expect(cache.get('short', 4_999)).toBe(result);
    expect(cache.get('short', 5_000)).toBeUndefined();
    expect(cache.get('long', 30_999)).toBe(result);
    expect(cache.get('long', 31_000)).toBeUndefined();
  });

  it('empties one organization without touching another', () => {
    const cache = new ResponseCache(30_000);
    cache.set('a', 'org-a', 0, result, 0, Number.POSITIVE_INFINITY);
    cache.set('b', 'org-b', 0, result, 0, Number.POSITIVE_INFINITY);
    cache.invalidateOrganization('org-a');
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)).toBe(result);
  });
});
