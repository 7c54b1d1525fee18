// Leaderboards through the real server: ranking rules and ties, pages, an earner's rank and
// neighbours, calendar windows in the organization's time zone, award boards, live updates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPointsBatchDocument,
  AddPointsDocument,
  EarnerColumnsDocument,
  LeaderboardEarnerColumnsDocument,
  LeaderboardEarnerComputedDocument,
  LeaderboardRankDocument,
  LeaderboardTopDocument,
  OnLeaderboardChangedDocument,
  RevokeAwardDocument,
  UpdateEarnerDocument,
  UpdateOrganizationDocument,
  type LeaderboardInput,
} from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
/** Earners by email, and their ids in board order of the scores below. */
const ids = new Map<string, string>();

const SCORES: Array<[string, number]> = [
  ['p1@example.com', 50],
  ['p2@example.com', 40],
  ['p3@example.com', 40],
  ['p4@example.com', 30],
  ['p5@example.com', 30],
  ['p6@example.com', 10],
];

beforeAll(async () => {
  server = await startServer({ AUTOMATION_TICK_SECONDS: '60' });
  org = await server.createOrganization('Board organization');
  const { addPointsBatch } = await org.client.data(AddPointsBatchDocument, {
    input: {
      entries: SCORES.map(([email, amount]) => ({ earner: { email, name: `Player ${email.slice(0, 2)}` }, amount, category: 'quiz' })),
    },
  });
  for (const [index, [email]] of SCORES.entries()) ids.set(email, addPointsBatch.results[index]!.entry.earner.id);
});
afterAll(() => server?.stop());

const quiz: LeaderboardInput = { metric: 'POINTS', category: 'quiz' };

/** The database id inside a global id. */
function rawId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
}

/** Emails in board order: score descending, then earner id ascending. */
function boardOrder(): string[] {
  return [...SCORES].sort((a, b) => b[1] - a[1] || (rawId(ids.get(a[0])!) < rawId(ids.get(b[0])!) ? -1 : 1)).map(([email]) => email);
}

async function top(board: LeaderboardInput, first = 10, after?: string) {
  return (await org.client.data(LeaderboardTopDocument, { board, first, after })).leaderboard;
}

describe('ranking', () => {
  it('ranks ties with standard competition ranking by default, and dense ranking on request', async () => {
    const competition = await top(quiz);
    expect(competition.size).toBe(6);
    expect(competition.top.entries.map((entry) => [entry.earner.email, entry.score, entry.rank, entry.position])).toEqual(
      boardOrder().map((email, index) => [email, SCORES.find(([e]) => e === email)![1], [1, 2, 2, 4, 4, 6][index], index + 1]),
    );
    expect(competition.top.hasNextPage).toBe(false);
    const dense = await top({ ...quiz, ranking: 'DENSE' });
    expect(dense.top.entries.map((entry) => entry.rank)).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('pages with cursors, ranks continuing across pages (also in the middle of a tie)', async () => {
    for (const ranking of ['COMPETITION', 'DENSE'] as const) {
      const expected = ranking === 'DENSE' ? [1, 2, 2, 3, 3, 4] : [1, 2, 2, 4, 4, 6];
      const seen: Array<[string, number]> = [];
      let after: string | undefined;
      for (;;) {
        const page = (await top({ ...quiz, ranking }, 2, after)).top;
        seen.push(...page.entries.map((entry) => [entry.earner.email, entry.rank] as [string, number]));
        if (!page.hasNextPage) break;
        after = page.endCursor!;
      }
      expect(seen).toEqual(boardOrder().map((email, index) => [email, expected[index]]));
    }
  });

  it('gives an earner’s rank and neighbours, at the top, in the middle and at the bottom', async () => {
    const order = boardOrder();
    const at = async (email: string, count: number, ranking: 'COMPETITION' | 'DENSE' = 'COMPETITION') =>
      (await org.client.data(LeaderboardRankDocument, { board: { ...quiz, ranking }, earnerId: ids.get(email)!, count })).leaderboard;

    const first = await at(order[0]!, 2);
    expect(first.rank).toMatchObject({ rank: 1, position: 1, score: 50 });
    expect(first.around!.map((entry) => entry.earner.email)).toEqual(order.slice(0, 3));

    const last = await at(order[5]!, 2);
    expect(last.rank).toMatchObject({ rank: 6, position: 6, score: 10 });
    expect(last.around!.map((entry) => [entry.earner.email, entry.rank])).toEqual([
      [order[3], 4],
      [order[4], 4],
      [order[5], 6],
    ]);

    const middle = await at(order[2]!, 1, 'DENSE');
    expect(middle.rank).toMatchObject({ rank: 2, position: 3, score: 40 });
    expect(middle.around!.map((entry) => [entry.earner.email, entry.rank, entry.position])).toEqual([
      [order[1], 2, 2],
      [order[2], 2, 3],
      [order[3], 3, 4],
    ]);
  });

  it('says null for an earner without a score, NOT_FOUND for an unknown earner', async () => {
    const { addPoints } = await org.client.data(AddPointsDocument, {
      input: { earner: { email: 'other-category@example.com', name: 'Other Category' }, amount: 5, category: 'other' },
    });
    const unranked = await org.client.data(LeaderboardRankDocument, { board: quiz, earnerId: addPoints.entry.earner.id });
    expect(unranked.leaderboard.rank).toBeNull();
    expect(unranked.leaderboard.around).toBeNull();

    const stranger = await server.createOrganization('Stranger');
    const theirs = await stranger.client.data(AddPointsDocument, {
      input: { earner: { email: 'stranger@example.com', name: 'A Stranger' }, amount: 500, category: 'quiz' },
    });
    const { errors } = await org.client.request(LeaderboardRankDocument, { board: quiz, earnerId: theirs.addPoints.entry.earner.id });
    const described = errors?.map((error) => [error.path, error.extensions?.code, error.extensions?.field]);
    expect(described?.sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([
      [['leaderboard', 'around'], 'NOT_FOUND', 'earnerId'],
      [['leaderboard', 'rank'], 'NOT_FOUND', 'earnerId'],
    ]);
    // ...and the stranger's 500 points are on their board only.
    expect((await top(quiz)).top.entries[0]!.score).toBe(50);
  });

  it('refuses bad boards with the field and rule', async () => {
    const missingDays = await org.client.error(LeaderboardTopDocument, { board: { metric: 'POINTS', period: 'ROLLING_DAYS' } });
    expect(missingDays.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'board.days', rule: 'requiredWith:ROLLING_DAYS' });
    const categoryOnAwards = await org.client.error(LeaderboardTopDocument, { board: { metric: 'AWARDS', category: 'quiz' } });
    expect(categoryOnAwards.extensions).toMatchObject({ field: 'board.category', rule: 'onlyWith:POINTS' });
    const tooMany = await org.client.error(LeaderboardTopDocument, { board: quiz, first: 101 });
    expect(tooMany.extensions).toMatchObject({ field: 'first', rule: 'range' });
    const badCursor = await org.client.error(LeaderboardTopDocument, { board: quiz, after: 'nonsense' });
    expect(badCursor.extensions).toMatchObject({ field: 'after', rule: 'cursor' });
  });

  it('reads only the earner columns a query selects, and gives every earner field the same as the earner itself', async () => {
    const order = boardOrder();
    await org.client.data(UpdateEarnerDocument, { input: { id: ids.get(order[0]!)!, externalId: 'crm-0001' } });
    server.statements.length = 0;
    const { leaderboard } = await org.client.data(LeaderboardEarnerColumnsDocument, { board: quiz, earnerId: ids.get(order[1]!)! });
    // The page's statement reads the selected columns (fragments followed), not the others.
    const pageRead = server.statements.find((sql) => sql.includes('ORDER BY s."score" DESC'))!;
    expect(pageRead).toMatch(/e\."name"/);
    expect(pageRead).toMatch(/e\."externalId"/);
    expect(pageRead).not.toMatch(/e\."email"/);
    const expected = await Promise.all(
      order.slice(0, 3).map(async (email) => (await org.client.data(EarnerColumnsDocument, { id: ids.get(email)! })).earner!),
    );
    expect(leaderboard.top.entries.map((entry) => entry.earner)).toEqual(
      expected.map(({ id, name, externalId, createdAt, updatedAt }) => ({ id, name, externalId, createdAt, updatedAt })),
    );
    expect(leaderboard.top.entries[0]!.earner!.externalId).toBe('crm-0001');
    expect(leaderboard.rank!.earner).toEqual({ __typename: 'Earner', email: order[1] });

    // Fields that are not columns (a computed balance, a relation) load through the earner.
    const computed = await org.client.data(LeaderboardEarnerComputedDocument, { board: quiz, category: 'quiz' });
    expect(computed.leaderboard.top.entries.map(({ score, earner }) => [score, earner!.name, earner!.points, earner!.pointsBalances])).toEqual(
      order.slice(0, 3).map((email) => {
        const score = SCORES.find(([scored]) => scored === email)![1];
        return [score, `Player ${email.slice(0, 2)}`, score, [{ category: 'quiz', balance: score }]];
      }),
    );
  });
});

describe('points histogram', () => {
  it('follows every balance change exactly: new earners, repeats in a batch, negatives, races', async () => {
    const hist = await server.createOrganization('Histogram');
    const person = (index: number) => ({ email: `h${index}@example.com`, name: `Histogram Person ${index}` });
    await hist.client.data(AddPointsBatchDocument, {
      input: {
        entries: [
          { earner: person(1), amount: 5 },
          { earner: person(1), amount: 2000 },
          { earner: person(2), amount: -3000 },
          { earner: person(3), amount: 1024 },
          { earner: person(4), amount: 1023 },
        ],
      },
    });
    // A batch larger than one statement's slice of rows.
    await hist.client.data(AddPointsBatchDocument, {
      input: { entries: Array.from({ length: 260 }, (_, index) => ({ earner: person(100 + (index % 130)), amount: 300 + index })) },
    });
    // Concurrent changes, new and existing earners alike.
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        hist.client.data(AddPointsDocument, { input: { earner: person(index % 7), amount: index % 3 === 0 ? -700 : 650 } }),
      ),
    );
    const organizationId = hist.id;
    const db = server.app.deps.db;
    const balances = await db.pointsBalance.findMany({ where: { organizationId } });
    const expected = new Map<string, number>();
    for (const { category, balance } of balances) {
      for (const [level, bucket] of [
        [0, balance],
        [1, Math.floor(balance / 1024)],
      ]) {
        const key = `${category}/${level}/${bucket}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    }
    const rows = await db.pointsHistogram.findMany({ where: { organizationId } });
    const actual = new Map(rows.filter((row) => row.earners !== 0).map((row) => [`${row.category}/${row.level}/${row.bucket}`, row.earners]));
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
    // ...and every earner's rank read from it agrees with the balances, negative ones included,
    // under both ranking rules.
    const board = (await hist.client.data(LeaderboardTopDocument, { board: { metric: 'POINTS' }, first: 10 })).leaderboard;
    expect(board.size).toBe(balances.length);
    expect(balances.some((row) => row.balance < -1024)).toBe(true);
    const lifetime = balances.filter((row) => row.category === 'lifetime');
    const distinct = [...new Set(lifetime.map((row) => row.balance))];
    for (const { earnerId, balance } of lifetime) {
      const earner = Buffer.from(`Earner:${earnerId}`).toString('base64');
      const ranked = await hist.client.data(LeaderboardRankDocument, { board: { metric: 'POINTS' }, earnerId: earner, count: 0 });
      expect(ranked.leaderboard.rank).toMatchObject({ score: balance, rank: 1 + lifetime.filter((row) => row.balance > balance).length });
      const dense = await hist.client.data(LeaderboardRankDocument, { board: { metric: 'POINTS', ranking: 'DENSE' }, earnerId: earner, count: 0 });
      expect(dense.leaderboard.rank!.rank).toBe(1 + distinct.filter((value) => value > balance).length);
    }
  });
});

describe('windows', () => {
  it('cuts days, weeks, months and years in the organization’s time zone', async () => {
    const paris = await server.createOrganization('Paris');
    await paris.client.data(UpdateOrganizationDocument, { input: { timeZone: 'Europe/Paris' } });
    // Tuesday 10 March 2026, 13:00 in Paris (UTC+1).
    server.clock.set('2026-03-10T12:00:00Z');
    try {
      const earner = { email: 'window@example.com', name: 'Window Person' };
      const entries = [
        { at: '2026-03-09T23:30:00Z', amount: 1 }, // 00:30 on the 10th in Paris: today
        { at: '2026-03-09T22:30:00Z', amount: 10 }, // 23:30 on Monday the 9th: this week, not today
        { at: '2026-03-08T22:30:00Z', amount: 100 }, // 23:30 on Sunday the 8th: this month, last week
        { at: '2026-02-28T22:30:00Z', amount: 1000 }, // 23:30 on 28 February: this year, last month
        { at: '2025-12-31T22:30:00Z', amount: 10000 }, // 23:30 on 31 December 2025 in Paris: last year
      ];
      await paris.client.data(AddPointsBatchDocument, { input: { entries: entries.map((entry) => ({ earner, ...entry })) } });
      const score = async (period: LeaderboardInput['period'], days?: number) => {
        const board = (await paris.client.data(LeaderboardTopDocument, { board: { metric: 'POINTS', period, days } })).leaderboard;
        return { score: board.top.entries[0]?.score ?? null, from: board.from, to: board.to };
      };
      expect(await score('DAY')).toEqual({ score: 1, from: '2026-03-09T23:00:00.000Z', to: '2026-03-10T23:00:00.000Z' });
      expect(await score('WEEK')).toEqual({ score: 11, from: '2026-03-08T23:00:00.000Z', to: '2026-03-15T23:00:00.000Z' });
      expect(await score('MONTH')).toEqual({ score: 111, from: '2026-02-28T23:00:00.000Z', to: '2026-03-31T22:00:00.000Z' });
      expect(await score('YEAR')).toEqual({ score: 1111, from: '2025-12-31T23:00:00.000Z', to: '2026-12-31T23:00:00.000Z' });
      expect((await score('ALL_TIME')).score).toBe(11111);
      // An all-time board does not need the time zone to cut its window, yet gives it when asked.
      const allTime = await paris.client.data(LeaderboardTopDocument, { board: { metric: 'POINTS' } });
      expect(allTime.leaderboard.timeZone).toBe('Europe/Paris');
      const today = await paris.client.data(LeaderboardTopDocument, { board: { metric: 'POINTS', period: 'DAY' } });
      expect(today.leaderboard.timeZone).toBe('Europe/Paris');
      // Ranks on windowed boards count the window's sums.
      const [windowed] = (await paris.client.data(LeaderboardTopDocument, { board: { metric: 'POINTS', period: 'WEEK' } })).leaderboard.top.entries;
      const weekRank = await paris.client.data(LeaderboardRankDocument, { board: { metric: 'POINTS', period: 'WEEK' }, earnerId: windowed!.earner.id });
      expect(weekRank.leaderboard.rank).toMatchObject({ rank: 1, position: 1, score: 11 });
      // The last 24 hours: since 12:00 UTC yesterday.
      expect(await score('ROLLING_DAYS', 1)).toEqual({ score: 11, from: '2026-03-09T12:00:00.000Z', to: null });
      expect((await score('ROLLING_DAYS', 2)).score).toBe(111);
    } finally {
      server.clock.set(new Date());
    }
  });
});

describe('award boards', () => {
  it('count awards issued in the window that are active now, of a template or a tag', async () => {
    const awards = await server.createOrganization('Awards');
    const plain = await createActiveTemplate(awards.client, { awardMode: 'REPEATABLE' });
    const tagged = await createActiveTemplate(awards.client, { awardMode: 'REPEATABLE', tags: ['Python'] });
    const x = await issue(awards.client, plain.id, 'x@example.com');
    await issue(awards.client, plain.id, 'x@example.com');
    await issue(awards.client, tagged.id, 'x@example.com');
    const y = await issue(awards.client, plain.id, 'y@example.com');
    await awards.client.data(RevokeAwardDocument, { id: y.award.id, reason: 'Issued by mistake.' });
    const z = await issue(awards.client, tagged.id, 'z@example.com');
    await issue(awards.client, plain.id, 'z@example.com', { expiresAt: new Date(Date.now() + 60_000).toISOString() });

    const board = async (input: Partial<LeaderboardInput>) =>
      (await awards.client.data(LeaderboardTopDocument, { board: { metric: 'AWARDS', ...input } })).leaderboard.top.entries.map(
        (entry) => [entry.earner.email, entry.score, entry.rank],
      );
    expect(await board({})).toEqual([
      ['x@example.com', 3, 1],
      ['z@example.com', 2, 2],
    ]);
    const tie = rawId(x.award.earner.id) < rawId(z.award.earner.id) ? ['x', 'z'] : ['z', 'x'];
    const tied = tie.map((name) => [`${name}@example.com`, 1, 1]);
    expect(await board({ templateId: tagged.id })).toEqual(tied);
    expect(await board({ tag: 'python' })).toEqual(tied);
    // Ranks on award boards count the awards, ties by earner id.
    const rankOn = async (input: Partial<LeaderboardInput>, earnerId: string) =>
      (await awards.client.data(LeaderboardRankDocument, { board: { metric: 'AWARDS', ...input }, earnerId, count: 1 })).leaderboard;
    expect((await rankOn({}, z.award.earner.id)).rank).toMatchObject({ rank: 2, position: 2, score: 2 });
    const second = tie[1] === 'x' ? x : z;
    const tiedRank = await rankOn({ tag: 'python', ranking: 'DENSE' }, second.award.earner.id);
    expect(tiedRank.rank).toMatchObject({ rank: 1, position: 2, score: 1 });
    expect(tiedRank.around!.map((entry) => [entry.earner.email, entry.position])).toEqual(tied.map(([email], index) => [email, index + 1]));
    expect((await rankOn({}, y.award.earner.id)).rank).toBeNull();
    // Two minutes on, z's expiring award no longer counts.
    server.clock.advance(120_000);
    try {
      expect(await board({ period: 'DAY' })).toEqual([
        ['x@example.com', 3, 1],
        ['z@example.com', 1, 2],
      ]);
    } finally {
      server.clock.set(new Date());
    }
    const stranger = await server.createOrganization('Stranger of awards');
    const error = await stranger.client.error(LeaderboardTopDocument, { board: { metric: 'AWARDS', templateId: plain.id } });
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'board.templateId' });
  });
});

describe('leaderboardChanged', () => {
  it('sends the top at once, then coalesced updates whose last one is right', async () => {
    const live = await server.createOrganization('Live');
    const { client } = liveClient(server.url, { apiKey: live.apiKey });
    const board: LeaderboardInput = { metric: 'POINTS', category: 'live' };
    const subscription = new Subscription(client, OnLeaderboardChangedDocument, { board, first: 3 });
    try {
      expect((await subscription.data()).leaderboardChanged.entries).toEqual([]);
      const people = Array.from({ length: 5 }, (_, index) => ({ email: `live-${index}@example.com`, name: `Live Person ${index}` }));
      // 100 changes, ten at a time: person i gets i + 1 points per change.
      for (let round = 0; round < 10; round += 1) {
        await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            live.client.data(AddPointsDocument, { input: { earner: people[index % 5]!, amount: (index % 5) + 1, category: 'live' } }),
          ),
        );
      }
      const expected = [
        { rank: 1, score: 100, earner: { email: 'live-4@example.com' } },
        { rank: 2, score: 80, earner: { email: 'live-3@example.com' } },
        { rank: 3, score: 60, earner: { email: 'live-2@example.com' } },
      ];
      const updates: unknown[] = [];
      await eventually(async () => {
        while (subscription.buffered > 0) updates.push((await subscription.data()).leaderboardChanged.entries);
        return JSON.stringify(updates.at(-1)) === JSON.stringify(expected);
      });
      expect(updates.length).toBeLessThanOrEqual(15);
      // Unrelated changes (another category) send nothing.
      await live.client.data(AddPointsDocument, { input: { earner: people[0]!, amount: 1, category: 'elsewhere' } });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(subscription.buffered).toBe(0);
    } finally {
      subscription.dispose();
      await client.dispose();
    }
  });

  it('recomputes the top only for points that can reach it, and for a renamed earner on it', async () => {
    const live = await server.createOrganization('Selective');
    const { addPointsBatch } = await live.client.data(AddPointsBatchDocument, {
      input: { entries: [50, 40, 30, 20].map((amount, index) => ({ earner: { email: `sel-${index}@example.com`, name: `Selective ${index}` }, amount, category: 'sel' })) },
    });
    const [leader, , , last] = addPointsBatch.results.map((result) => result.entry.earner.id);
    const { client } = liveClient(server.url, { apiKey: live.apiKey });
    const subscription = new Subscription(client, OnLeaderboardChangedDocument, { board: { metric: 'POINTS', category: 'sel' }, first: 2 });
    const pageReads = () => server.statements.filter((sql) => sql.includes('ORDER BY s."score" DESC')).length;
    const emails = async () => (await subscription.data()).leaderboardChanged.entries.map((entry) => `${entry.earner.email}:${entry.score}`);
    try {
      expect(await emails()).toEqual(['sel-0@example.com:50', 'sel-1@example.com:40']);
      server.statements.length = 0;
      // 20 -> 25: still below 30, the row after the top two.
      await live.client.data(AddPointsDocument, { input: { earnerId: last!, amount: 5, category: 'sel' } });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(pageReads()).toBe(0);
      expect(subscription.buffered).toBe(0);
      // 25 -> 60: first.
      await live.client.data(AddPointsDocument, { input: { earnerId: last!, amount: 35, category: 'sel' } });
      expect(await emails()).toEqual(['sel-3@example.com:60', 'sel-0@example.com:50']);
      await live.client.data(UpdateEarnerDocument, { input: { id: leader!, email: 'renamed-sel-0@example.com' } });
      expect(await emails()).toEqual(['sel-3@example.com:60', 'renamed-sel-0@example.com:50']);
    } finally {
      subscription.dispose();
      await client.dispose();
    }
  });

  it('gives a late subscriber of a shared board the current top at once', async () => {
    const live = await server.createOrganization('Late');
    await live.client.data(AddPointsDocument, { input: { earner: { email: 'late@example.com', name: 'Late Person' }, amount: 7 } });
    const first = liveClient(server.url, { apiKey: live.apiKey });
    const second = liveClient(server.url, { apiKey: live.apiKey });
    const board: LeaderboardInput = { metric: 'POINTS' };
    const one = new Subscription(first.client, OnLeaderboardChangedDocument, { board, first: 1 });
    const two = new Subscription(second.client, OnLeaderboardChangedDocument, { board, first: 1 });
    try {
      expect((await one.data()).leaderboardChanged.entries).toEqual([{ rank: 1, score: 7, earner: { email: 'late@example.com' } }]);
      expect((await two.data()).leaderboardChanged.entries).toEqual([{ rank: 1, score: 7, earner: { email: 'late@example.com' } }]);
    } finally {
      one.dispose();
      two.dispose();
      await first.client.dispose();
      await second.client.dispose();
    }
  });

  it('refuses a bad board when subscribing', async () => {
    const { client } = liveClient(server.url, { apiKey: org.apiKey });
    const subscription = new Subscription(client, OnLeaderboardChangedDocument, { board: { metric: 'POINTS', period: 'ROLLING_DAYS' } });
    try {
      const result = await subscription.next();
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'board.days' });
    } finally {
      subscription.dispose();
      await client.dispose();
    }
  });
});
