// Backfills: a rule set on a template with existing earners is applied to all of them by a job, in
// batches, with its progress queryable and announced.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActivateTemplateDocument,
  AddPointsBatchDocument,
  AutomationJobChangedDocument,
  AutomationJobsDocument,
  SetAwardRuleDocument,
  TemplateAutomationDocument,
  type AddPointsInput,
  type AutomationJobChangedSubscription,
} from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

const EARNERS = 3000;
const BATCH = 1000;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ AUTOMATION_TICK_SECONDS: '60', AUTOMATION_BATCH_SIZE: String(BATCH) });
});
afterAll(() => server?.stop());

/** The same points for every run: earner i gets one to three entries, some of them negative. */
function pointsEntries(): AddPointsInput[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const entries: AddPointsInput[] = [];
  for (let i = 0; i < EARNERS; i += 1) {
    const earner = { email: `earner-${i}@example.com`, name: `Earner Number ${i}` };
    const count = 1 + Math.floor(random() * 3);
    for (let n = 0; n < count; n += 1) {
      const amount = Math.floor(random() * 400) - 80;
      entries.push({ earner, category: 'xp', amount: amount === 0 ? 1 : amount });
    }
  }
  return entries;
}

async function addAll(org: TestOrganization, entries: AddPointsInput[]) {
  for (let start = 0; start < entries.length; start += 1000) {
    await org.client.data(AddPointsBatchDocument, { input: { entries: entries.slice(start, start + 1000) } });
  }
}

/** Each earner's live automated awards, per template name: "email template ×count". */
async function automatedAwards(organizationId: string) {
  const awards = await server.app.deps.reader.award.groupBy({
    by: ['recipientEmail', 'templateId'],
    where: { organizationId, source: 'AUTOMATION', status: { in: ['ACCEPTED', 'PENDING'] } },
    _count: { _all: true },
  });
  const templates = new Map(
    (await server.app.deps.reader.badgeTemplate.findMany({ where: { organizationId }, select: { id: true, name: true } })).map((t) => [t.id, t.name]),
  );
  return awards.map((row) => `${row.recipientEmail} ${templates.get(row.templateId)} ×${row._count._all}`).sort();
}

async function twoTemplates(org: TestOrganization) {
  const repeatable = await createActiveTemplate(org.client, { name: 'Every hundred', awardMode: 'REPEATABLE' });
  const once = await createActiveTemplate(org.client, { name: 'Two hundred fifty', awardMode: 'ONCE' });
  return { repeatable, once };
}

function setRules(org: TestOrganization, templates: Awaited<ReturnType<typeof twoTemplates>>) {
  return Promise.all([
    org.client.data(SetAwardRuleDocument, { input: { templateId: templates.repeatable.id, points: { category: 'xp', threshold: 100 } } }),
    org.client.data(SetAwardRuleDocument, { input: { templateId: templates.once.id, points: { category: 'xp', threshold: 250 } } }),
  ]);
}

describe('backfill', () => {
  it(`over ${EARNERS} earners gives the same awards as awarding one by one, with progress announced`, async () => {
    const entries = pointsEntries();

    // One by one: the rules exist first; every points change applies them as it is recorded.
    const live = await server.createOrganization('Live path');
    const liveTemplates = await twoTemplates(live);
    await setRules(live, liveTemplates);
    await server.app.scheduler.tick();
    await addAll(live, entries);

    // Backfill: the points exist first; then the rules are set and applied by jobs.
    const backfilled = await server.createOrganization('Backfill path');
    const templates = await twoTemplates(backfilled);
    await addAll(backfilled, entries);
    const socket = liveClient(server.url, { apiKey: backfilled.apiKey });
    try {
      const joined = server.app.subscriptions.stats.joined;
      const progress = new Subscription(socket.client, AutomationJobChangedDocument, { templateId: templates.repeatable.id });
      await eventually(() => server.app.subscriptions.stats.joined > joined);

      const [repeatableRule] = await setRules(backfilled, templates);
      const jobId = repeatableRule.setAwardRule.job!.id;
      // The answer reads the job after the commit, and this instance's worker may already have
      // claimed it; the first event is the one that tells the job as queued.
      expect(['QUEUED', 'RUNNING']).toContain(repeatableRule.setAwardRule.job!.status);

      const events: AutomationJobChangedSubscription['automationJobChanged'][] = [];
      while (events.at(-1)?.status !== 'COMPLETED') events.push((await progress.data(30_000)).automationJobChanged);
      expect(events[0]!.status).toBe('QUEUED');
      expect(events.map((event) => event.status)).toContain('RUNNING');
      // The subscription reads the job when it delivers; the batches' counts only ever grow.
      const processed = events.map((event) => event.job.processed);
      expect(processed).toEqual([...processed].sort((x, y) => x - y));
      expect(events.at(-1)!.job).toMatchObject({ id: jobId, processed: EARNERS, totalEarners: EARNERS, progress: 1, revoked: 0 });
      progress.dispose();
    } finally {
      await socket.client.dispose();
    }
    await eventually(async () => {
      const { automationJobs } = await backfilled.client.data(AutomationJobsDocument, { filter: { statuses: ['COMPLETED'] } });
      return automationJobs.totalCount === 2;
    }, 30_000);

    const expected = await automatedAwards(live.id);
    expect(expected.length).toBeGreaterThan(EARNERS / 2);
    expect(await automatedAwards(backfilled.id)).toEqual(expected.map((line) => line));
    const { automationJobs } = await backfilled.client.data(AutomationJobsDocument, { filter: { templateId: templates.repeatable.id } });
    const repeatableAwards = expected
      .filter((line) => line.includes('Every hundred'))
      .reduce((sum, line) => sum + Number(line.split('×')[1]), 0);
    expect(automationJobs.edges[0]!.node).toMatchObject({ status: 'COMPLETED', awarded: repeatableAwards });
  });

  it('runs when a template with a rule is activated, and again when the rule changes', async () => {
    const org = await server.createOrganization();
    await addAll(org, Array.from({ length: 50 }, (_, i) => ({ earner: { email: `p${i}@example.com`, name: `Person ${i}` }, amount: i * 10 + 5 })));
    const draft = await createActiveTemplate(org.client, { activate: false });
    const templateId = decodeGlobalID(draft.id).id;
    const onDraft = await org.client.data(SetAwardRuleDocument, { input: { templateId: draft.id, points: { category: 'lifetime', threshold: 200 } } });
    expect(onDraft.setAwardRule.job).toBeNull();

    await org.client.data(ActivateTemplateDocument, { id: draft.id });
    await server.app.scheduler.tick();
    const live = () => server.app.deps.reader.award.count({ where: { templateId, status: 'ACCEPTED' } });
    expect(await live()).toBe(30); // balances 205 to 495

    const changed = await org.client.data(SetAwardRuleDocument, { input: { templateId: draft.id, points: { category: 'lifetime', threshold: 400 } } });
    await server.app.scheduler.tick();
    expect(await live()).toBe(10); // balances 405 to 495
    const { badgeTemplate } = await org.client.data(TemplateAutomationDocument, { id: draft.id });
    const jobs = badgeTemplate!.automationJobs.edges.map((edge) => edge.node);
    expect(jobs.map((job) => [job.ruleRevision, job.status, job.awarded, job.revoked])).toEqual([
      [2, 'COMPLETED', 0, 20],
      [1, 'COMPLETED', 30, 0],
    ]);
    expect(jobs[0]!.id).toBe(changed.setAwardRule.job!.id);

    // A job of an older revision stops at its next batch, changing nothing.
    const stale = await server.app.deps.db.automationJob.create({
      data: { organizationId: org.id, templateId, ruleRevision: 1, status: 'RUNNING', claimedUntil: new Date(0), startedAt: new Date() },
    });
    await server.app.scheduler.tick();
    expect(await server.app.deps.reader.automationJob.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ status: 'SUPERSEDED', processed: 0 });
    expect(await live()).toBe(10);
  });

  it('resumes a job whose instance stopped mid-way, after its last batch', async () => {
    const org = await server.createOrganization();
    await addAll(org, Array.from({ length: 2500 }, (_, i) => ({ earner: { email: `r${i}@example.com`, name: `Resumed ${i}` }, amount: 100 })));
    const template = await createActiveTemplate(org.client, { activate: false });
    await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, points: { category: 'lifetime', threshold: 100 } } });
    const templateId = decodeGlobalID(template.id).id;
    const earners = await server.app.deps.reader.earner.findMany({ where: { organizationId: org.id }, orderBy: { id: 'asc' }, select: { id: true } });
    // What a crashed instance leaves: a RUNNING job, claimed until a moment now past, one batch done.
    const rule = await server.app.deps.reader.awardRule.findUniqueOrThrow({ where: { templateId } });
    await server.app.deps.db.badgeTemplate.update({ where: { id: templateId }, data: { state: 'ACTIVE' } });
    const job = await server.app.deps.db.automationJob.create({
      data: {
        organizationId: org.id,
        templateId,
        ruleRevision: rule.revision,
        status: 'RUNNING',
        claimedBy: 'crashed-instance',
        claimedUntil: new Date(server.clock.now().getTime() - 1000),
        startedAt: server.clock.now(),
        totalEarners: earners.length,
        processed: BATCH,
        cursor: earners[BATCH - 1]!.id,
      },
    });
    await server.app.scheduler.tick();
    const done = await server.app.deps.reader.automationJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(done).toMatchObject({ status: 'COMPLETED', processed: earners.length, awarded: earners.length - BATCH });
    // The earners of the batch the crashed instance had "done" were left alone (it had done them).
    const awarded = await server.app.deps.reader.award.findMany({ where: { templateId }, select: { earnerId: true } });
    expect(new Set(awarded.map((award) => award.earnerId))).toEqual(new Set(earners.slice(BATCH).map((earner) => earner.id)));
  });
});
