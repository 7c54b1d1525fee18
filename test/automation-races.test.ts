// A rule's backfill racing the live path: while the job walks the earners batch after batch,
// clients keep moving earners across the rule's line (points over and under the threshold,
// memberships started and ended, actions recorded). Whatever the interleaving, once both are done every earner who
// qualifies holds a live automated award and nobody else does. Batches are small, so many of
// them run while the live requests land, and the live requests aim at the earners the job is
// about to reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPointsBatchDocument,
  RaceAddPointsDocument,
  RaceAwardHistoryDocument,
  RaceRecordActionDocument,
  ViewerDocument,
  RaceEndMembershipDocument,
  RaceSetRuleDocument,
  RaceStartMembershipDocument,
  StartMembershipDocument,
  type AddPointsInput,
} from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { eventually } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';
import { decodeGlobalID } from '@pothos/plugin-relay';

const EARNERS = 1500;
const BATCH = 20;
const CLIENTS = 8;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ AUTOMATION_TICK_SECONDS: '60', AUTOMATION_BATCH_SIZE: String(BATCH) });
});
afterAll(() => server?.stop());

/** A deterministic pseudo-random sequence, so a failing run can be replayed. */
function randomFrom(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function jobDone(jobId: string): Promise<boolean> {
  const job = await server.app.deps.reader.automationJob.findUniqueOrThrow({ where: { id: jobId } });
  if (job.status === 'FAILED') throw new Error(`the job failed: ${job.error}`);
  return job.status === 'COMPLETED';
}

/**
 * Runs `clients` loops of `act` until the job is done. Each act is aimed at an earner among those
 * the job reaches next (its cursor is read as it moves), so live changes land beside its batches.
 */
async function raceJob(jobId: string, earnerIds: string[], act: (earnerId: string, random: () => number) => Promise<void>) {
  let done = false;
  let acts = 0;
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    const random = randomFrom(client + 1);
    while (!done) {
      const job = await server.app.deps.reader.automationJob.findUniqueOrThrow({ where: { id: jobId }, select: { cursor: true } });
      const next = job.cursor ? earnerIds.findIndex((id) => id > job.cursor!) : 0;
      if (next === -1) break;
      const index = Math.min(earnerIds.length - 1, next + Math.floor(random() * BATCH * 3));
      await act(earnerIds[index]!, random);
      acts += 1;
    }
  });
  await eventually(() => jobDone(jobId), 120_000);
  done = true;
  await Promise.all(clients);
  return acts;
}

async function liveAwardHolders(organizationId: string, templateId: string): Promise<Set<string>> {
  const awards = await server.app.deps.reader.award.findMany({
    where: { organizationId, templateId, source: 'AUTOMATION', status: { in: ['PENDING', 'ACCEPTED'] } },
    select: { earnerId: true },
  });
  return new Set(awards.map((award) => award.earnerId));
}

/** Earner ids in the order the job walks them. */
async function earnerIdsOf(organizationId: string): Promise<string[]> {
  const earners = await server.app.deps.reader.earner.findMany({ where: { organizationId }, orderBy: { id: 'asc' }, select: { id: true } });
  return earners.map((earner) => earner.id);
}

function differences(expected: Set<string>, actual: Set<string>) {
  return {
    missing: [...expected].filter((id) => !actual.has(id)),
    unexpected: [...actual].filter((id) => !expected.has(id)),
  };
}

describe('a backfill racing live changes', () => {
  it('leaves points awards that match the committed balances, round after round', async () => {
    const org = await server.createOrganization('Points race');
    const template = await createActiveTemplate(org.client, { name: 'Over the line', awardMode: 'ONCE' });
    const random = randomFrom(7);
    const entries: AddPointsInput[] = Array.from({ length: EARNERS }, (_, i) => ({
      earner: { email: `racer-${i}@example.com`, name: `Racer Number ${i}` },
      category: 'xp',
      amount: 80 + Math.floor(random() * 80),
    }));
    for (let start = 0; start < entries.length; start += 1000) {
      await org.client.data(AddPointsBatchDocument, { input: { entries: entries.slice(start, start + 1000) } });
    }
    const earnerIds = await earnerIdsOf(org.id);

    for (const threshold of [100, 120, 110, 130, 120]) {
      const { setAwardRule } = await org.client.data(RaceSetRuleDocument, {
        input: { templateId: template.id, points: { category: 'xp', threshold } },
      });
      const acts = await raceJob(decode(setAwardRule.job!.id), earnerIds, async (earnerId, next) => {
        const balance = await server.app.deps.reader.pointsBalance.findUniqueOrThrow({
          where: { earnerId_category: { earnerId, category: 'xp' } },
        });
        // Across the line, by a little more than needed.
        const step = 1 + Math.floor(next() * 6);
        const amount = balance.balance >= threshold ? threshold - balance.balance - step : threshold - balance.balance + step - 1;
        await org.client.data(RaceAddPointsDocument, {
          input: { earnerId: globalId('Earner', earnerId), category: 'xp', amount: amount === 0 ? 1 : amount },
        });
      });
      expect(acts).toBeGreaterThan(20);

      const balances = await server.app.deps.reader.pointsBalance.findMany({ where: { organizationId: org.id, category: 'xp' } });
      const qualified = new Set(balances.filter((row) => row.balance >= threshold).map((row) => row.earnerId));
      expect({ threshold, ...differences(qualified, await liveAwardHolders(org.id, decode(template.id))) }).toEqual({
        threshold,
        missing: [],
        unexpected: [],
      });
    }
  }, 600_000);

  it('leaves membership awards that match the active memberships, round after round', async () => {
    const org = await server.createOrganization('Membership race');
    const template = await createActiveTemplate(org.client, { name: 'Members', awardMode: 'ONCE' });
    const products = ['gold', 'silver', 'bronze'];
    const random = randomFrom(11);
    for (let i = 0; i < EARNERS / 3; i += 1) {
      await startMembershipFor(org, `member-${i}@example.com`, products[Math.floor(random() * products.length)]!);
    }
    const earnerIds = await earnerIdsOf(org.id);

    for (const productIds of [['gold'], ['gold', 'silver'], ['silver'], ['bronze', 'gold']]) {
      const { setAwardRule } = await org.client.data(RaceSetRuleDocument, { input: { templateId: template.id, membership: { productIds } } });
      await raceJob(decode(setAwardRule.job!.id), earnerIds, async (earnerId, next) => {
        const active = await server.app.deps.reader.membership.findFirst({ where: { earnerId, status: 'ACTIVE' } });
        if (active && next() < 0.6) {
          // Two clients may end the same membership: one wins, the other is told it has ended.
          const ended = await org.client.request(RaceEndMembershipDocument, { input: { id: globalId('Membership', active.id), reason: 'CANCELLED' } });
          if (ended.errors) expect(ended.errors.map((error) => error.extensions?.rule)).toEqual(['active']);
        } else if (!active) {
          await org.client.data(RaceStartMembershipDocument, {
            input: { earnerId: globalId('Earner', earnerId), productId: products[Math.floor(next() * products.length)]! },
          });
        }
      });

      const memberships = await server.app.deps.reader.membership.findMany({
        where: { organizationId: org.id, status: 'ACTIVE', productId: { in: productIds } },
        select: { earnerId: true },
      });
      const qualified = new Set(memberships.map((membership) => membership.earnerId));
      expect({ productIds, ...differences(qualified, await liveAwardHolders(org.id, decode(template.id))) }).toEqual({
        productIds,
        missing: [],
        unexpected: [],
      });
    }
  }, 600_000);
});

describe('an action rule’s backfill racing recorded actions', () => {
  it('leaves every earner with enough actions holding the award, round after round, and never revokes one', async () => {
    const org = await server.createOrganization('Action race');
    const template = await createActiveTemplate(org.client, { name: 'Helpful', awardMode: 'ONCE' });
    const random = randomFrom(13);
    const recordFor = (earner: { earnerId: string } | { earner: { email: string; name: string } }) =>
      org.client.data(RaceRecordActionDocument, { input: { ...earner, type: 'answer.accepted' } });
    for (let i = 0; i < EARNERS / 3; i += 1) {
      const earner = { email: `helper-${i}@example.com`, name: `Helper Number ${i}` };
      // Every earner exists; most have a few actions already.
      await recordFor({ earner });
      for (let more = Math.floor(random() * 3); more > 0; more -= 1) await recordFor({ earner });
    }
    const earnerIds = await earnerIdsOf(org.id);

    const rules: number[] = [];
    for (const minCount of [3, 2, 4]) {
      rules.push(minCount);
      const { setAwardRule } = await org.client.data(RaceSetRuleDocument, {
        input: { templateId: template.id, action: { type: 'answer.accepted', minCount } },
      });
      const acts = await raceJob(decode(setAwardRule.job!.id), earnerIds, async (earnerId) => {
        await recordFor({ earnerId: globalId('Earner', earnerId) });
      });
      expect(acts).toBeGreaterThan(20);

      const counts = await server.app.deps.reader.action.groupBy({
        by: ['earnerId'],
        where: { organizationId: org.id, type: 'answer.accepted' },
        _count: { _all: true },
      });
      const countOf = new Map(counts.map((row) => [row.earnerId, row._count._all]));
      const qualified = new Set(earnerIds.filter((id) => (countOf.get(id) ?? 0) >= minCount));
      const holders = await liveAwardHolders(org.id, decode(template.id));
      // Everyone the rule now calls for holds the award; anyone else holding it qualified under an
      // earlier rule (actions only add up, and an action award is never revoked).
      const { missing, unexpected } = differences(qualified, holders);
      expect({ minCount, missing }).toEqual({ minCount, missing: [] });
      expect(unexpected.filter((id) => (countOf.get(id) ?? 0) < Math.min(...rules))).toEqual([]);
      const revoked = await server.app.deps.reader.award.count({ where: { organizationId: org.id, status: 'REVOKED' } });
      expect(revoked).toBe(0);
      const duplicates = await server.app.deps.reader.award.groupBy({
        by: ['earnerId'],
        where: { organizationId: org.id, templateId: decode(template.id) },
        _count: { _all: true },
        having: { earnerId: { _count: { gt: 1 } } },
      });
      expect(duplicates).toEqual([]);
    }
  }, 600_000);
});

describe('an award changed by many concurrent requests', () => {
  it('keeps its history in commit order, the last entry agreeing with its status', async () => {
    const org = await server.createOrganization('History race');
    const template = await createActiveTemplate(org.client, { name: 'Hundred', awardMode: 'ONCE' });
    await org.client.data(RaceSetRuleDocument, { input: { templateId: template.id, points: { category: 'xp', threshold: 100 } } });
    const earner = { email: 'swinger@example.com', name: 'Swinging Earner' };
    await org.client.data(RaceAddPointsDocument, { input: { earner, category: 'xp', amount: 95 } });

    // ±10 around the threshold, all at once: most of them move the earner across it.
    const amounts = Array.from({ length: 32 }, (_, index) => (index % 2 === 0 ? 10 : -10));
    await Promise.all(amounts.map((amount) => org.client.data(RaceAddPointsDocument, { input: { earner, category: 'xp', amount } })));

    const award = await server.app.deps.reader.award.findFirstOrThrow({ where: { organizationId: org.id, recipientEmail: earner.email } });
    const { award: read } = await org.client.data(RaceAwardHistoryDocument, { id: globalId('Award', award.id) });
    const history = read!.history;
    expect(history.map((entry) => entry.sequence)).toEqual(history.map((_, index) => index + 1));
    const times = history.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Issued, then revoked and restored by turns.
    history.forEach((entry, index) => {
      expect(entry.action).toBe(index === 0 ? 'ISSUED' : index % 2 === 1 ? 'REVOKED' : 'RESTORED');
    });
    expect(read!.status).toBe(history.at(-1)!.action === 'REVOKED' ? 'REVOKED' : 'ACCEPTED');
    const balance = await server.app.deps.reader.pointsBalance.findFirstOrThrow({ where: { organizationId: org.id, category: 'xp' } });
    expect(balance.balance).toBe(95);
    expect(read!.status).toBe('REVOKED');

    // Made by the rule, not by the key that sent the points, which is kept as the trigger.
    const { viewer } = await org.client.data(ViewerDocument);
    for (const entry of history) {
      expect(entry).toMatchObject({ origin: 'AUTOMATION', actor: null, triggeredBy: { id: viewer.apiKey!.id } });
    }
    expect(read!.automation).toEqual({ kind: 'POINTS', level: 1, slot: 'p1' });
  }, 60_000);
});

async function startMembershipFor(org: TestOrganization, email: string, productId: string) {
  await org.client.data(StartMembershipDocument, { input: { earner: { email, name: `Member ${email}` }, productId } });
}

function globalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString('base64');
}

function decode(id: string): string {
  return decodeGlobalID(id).id;
}
