// Award rules through the real server: points thresholds, memberships and actions award and
// revoke in the same transaction as the change that earned or lost them.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AddPointsBatchDocument,
  AddPointsDocument,
  AutomatedAwardsDocument,
  AwardForActionDocument,
  CreateApiKeyDocument,
  EarnerActivityDocument,
  EndMembershipDocument,
  MembershipsDocument,
  OnAwardChangedDocument,
  RecordActionDocument,
  RemoveAwardRuleDocument,
  RevokeAwardDocument,
  SetAwardRuleDocument,
  StartMembershipDocument,
  UpdateTemplateDocument,
  type AddPointsInput,
  type CreateBadgeTemplateInput,
  type SetAwardRuleInput,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { DAY } from './helpers/clock.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  // The scheduler's own timer stays out of the way: tests tick it when they mean to.
  server = await startServer({ AUTOMATION_TICK_SECONDS: '60' });
});
afterAll(() => server?.stop());
// Rules apply organization-wide: each test gets an organization of its own.
beforeEach(async () => {
  org = await server.createOrganization();
});

let people = 0;
function person(prefix = 'earner') {
  people += 1;
  return { email: `${prefix}-${people}@example.com`, name: `Earner Number ${people}` };
}

async function templateWithRule(rule: Omit<SetAwardRuleInput, 'templateId'>, input: Partial<CreateBadgeTemplateInput> = {}) {
  const template = await createActiveTemplate(org.client, input);
  const { setAwardRule } = await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, ...rule } });
  await server.app.scheduler.tick(); // the backfill of a rule set before there are earners: nothing to do
  return { template, setAwardRule };
}

function points(input: AddPointsInput) {
  return org.client.data(AddPointsDocument, { input }).then((result) => result.addPoints);
}

async function awardsOf(templateId: string) {
  const { awards } = await org.client.data(AutomatedAwardsDocument, { templateId, first: 100 });
  return awards.edges.map((edge) => edge.node);
}

describe('points thresholds', () => {
  it('award on the way up, revoke on the way down, and restore the same award on the way up again', async () => {
    const { template } = await templateWithRule({ points: { category: 'lifetime', threshold: 100 } });
    const earner = person();

    const first = await points({ earner, amount: 60, reason: 'Course finished', source: 'lms' });
    expect(first.balance).toBe(60);
    expect(first.effects.issued).toEqual([]);
    const earnerId = first.entry.earner.id;

    const up = await points({ earnerId, amount: 50 });
    expect(up.balance).toBe(110);
    expect(up.effects.issued).toHaveLength(1);
    const awardId = up.effects.issued[0]!.id;
    expect(up.effects.issued[0]).toMatchObject({ status: 'ACCEPTED', source: 'AUTOMATION', template: { id: template.id }, earner: { email: earner.email } });
    // Committed with the response: a query right after sees it.
    expect(await awardsOf(template.id)).toMatchObject([{ id: awardId, status: 'ACCEPTED' }]);

    const down = await points({ earnerId, amount: -20, reason: 'Refund' });
    expect(down.balance).toBe(90);
    expect(down.effects.revoked).toMatchObject([{ id: awardId, status: 'REVOKED' }]);
    expect(down.effects.revoked[0]!.revokedReason).toMatch(/^Automation: fewer lifetime points/);

    const again = await points({ earnerId, amount: 30 });
    expect(again.balance).toBe(120);
    expect(again.effects.issued).toEqual([]);
    expect(again.effects.restored).toMatchObject([{ id: awardId, status: 'ACCEPTED', revokedReason: null }]);

    const [award] = await awardsOf(template.id);
    expect(award!.history.map((entry) => entry.action)).toEqual(['ISSUED', 'REVOKED', 'RESTORED']);
    expect(award!.history[1]!.reason).toMatch(/^Automation:/);
    // Moving within the same side of the threshold changes nothing.
    const more = await points({ earnerId, amount: 5 });
    expect(more.effects).toEqual({ issued: [], restored: [], revoked: [] });
  });

  it('negative amounts take points below zero; zero is refused', async () => {
    await templateWithRule({ points: { category: 'karma', threshold: 10 } });
    const earner = person();
    const down = await points({ earner, category: 'karma', amount: -15 });
    expect(down.balance).toBe(-15);
    const up = await points({ earnerId: down.entry.earner.id, category: 'karma', amount: 24 });
    expect(up.balance).toBe(9);
    expect(up.effects.issued).toEqual([]);
    const crossed = await points({ earnerId: down.entry.earner.id, category: 'karma', amount: 1 });
    expect(crossed.effects.issued).toHaveLength(1);

    const error = await org.client.error(AddPointsDocument, { input: { earnerId: down.entry.earner.id, amount: 0 } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount', rule: 'notZero' });
  });

  it('keeps categories apart: points of one never award a rule of another', async () => {
    const { template: xpTemplate } = await templateWithRule({ points: { category: 'xp', threshold: 50 } });
    const { template: coinsTemplate } = await templateWithRule({ points: { category: 'coins', threshold: 50 } });
    const earner = person();
    const lifetime = await points({ earner, amount: 500 });
    expect(lifetime.effects.issued).toEqual([]);
    const earnerId = lifetime.entry.earner.id;
    const xp = await points({ earnerId, category: 'xp', amount: 70 });
    expect(xp.effects.issued).toMatchObject([{ template: { id: xpTemplate.id } }]);
    const coins = await points({ earnerId, category: 'coins', amount: 20 });
    expect(coins.effects.issued).toEqual([]);

    const { earner: activity } = await org.client.data(EarnerActivityDocument, { id: earnerId, category: 'xp' });
    expect(activity).toMatchObject({ points: 70, lifetime: 500 });
    expect(activity!.pointsBalances).toEqual([
      { category: 'coins', balance: 20 },
      { category: 'lifetime', balance: 500 },
      { category: 'xp', balance: 70 },
    ]);
    expect(activity!.pointsEntries.totalCount).toBe(3);
    expect(await awardsOf(coinsTemplate.id)).toEqual([]);
  });

  it('awards one badge per multiple of the threshold on a REPEATABLE template', async () => {
    const { template } = await templateWithRule({ points: { category: 'stars', threshold: 100 } }, { awardMode: 'REPEATABLE' });
    const earner = person();
    const jump = await points({ earner, category: 'stars', amount: 250 });
    expect(jump.effects.issued).toHaveLength(2);
    const earnerId = jump.entry.earner.id;
    const fall = await points({ earnerId, category: 'stars', amount: -120 });
    expect(fall.effects.revoked).toHaveLength(1);
    const rise = await points({ earnerId, category: 'stars', amount: 200 });
    expect(rise.effects.restored).toHaveLength(1);
    expect(rise.effects.issued).toHaveLength(1);
    const awards = await awardsOf(template.id);
    expect(awards.filter((award) => award.status === 'ACCEPTED')).toHaveLength(3);
  });

  it('never touches awards people issued or revoked', async () => {
    const { template } = await templateWithRule({ points: { category: 'lifetime', threshold: 100 } });
    const earner = person('manual');
    const manual = await issue(org.client, template.id, earner.email, { recipient: earner });
    // The earner holds the ONCE badge already: crossing the threshold issues nothing more.
    const up = await points({ earner, amount: 150 });
    expect(up.effects.issued).toEqual([]);
    // Falling below leaves the manual award alone.
    const down = await points({ earnerId: up.entry.earner.id, amount: -100 });
    expect(down.effects.revoked).toEqual([]);
    expect(await awardsOf(template.id)).toMatchObject([{ id: manual.award.id, status: 'PENDING', source: 'MANUAL' }]);

    // An automated award a person revoked stays revoked when the threshold is crossed again.
    const other = person('manual');
    const earned = await points({ earner: other, amount: 100 });
    const automated = earned.effects.issued[0]!.id;
    await org.client.data(RevokeAwardDocument, { id: automated, reason: 'Cheating.' });
    const otherId = earned.entry.earner.id;
    await points({ earnerId: otherId, amount: -50 });
    const back = await points({ earnerId: otherId, amount: 50 });
    expect(back.effects).toEqual({ issued: [], restored: [], revoked: [] });
    const awards = await awardsOf(template.id);
    expect(awards.find((award) => award.id === automated)).toMatchObject({ status: 'REVOKED', revokedReason: 'Cheating.' });
  });

  it('replays an idempotency key instead of adding twice, and refuses it for another request', async () => {
    const earner = person();
    const first = await points({ earner, amount: 10, idempotencyKey: 'order-1' });
    const again = await points({ earner, amount: 10, idempotencyKey: 'order-1' });
    expect(again).toMatchObject({ replayed: true, balance: 10, entry: { id: first.entry.id } });
    const conflict = await org.client.error(AddPointsDocument, { input: { earner, amount: 11, idempotencyKey: 'order-1' } });
    expect(conflict.extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey', rule: 'sameRequest' });
  });

  it('records a batch all or nothing, naming the row at fault', async () => {
    const { template } = await templateWithRule({ points: { category: 'batch', threshold: 30 } });
    const [x, y] = [person(), person()];
    const error = await org.client.error(AddPointsBatchDocument, {
      input: {
        entries: [
          { earner: x, category: 'batch', amount: 40 },
          { earner: y, category: 'batch', amount: 10 },
          { earner: y, category: 'bad category!', amount: 10 },
          { earner: y, category: 'batch', amount: 0 },
        ],
      },
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entries[2].category', rule: 'pattern' });
    expect(error.extensions?.issues).toHaveLength(2);
    expect(await awardsOf(template.id)).toEqual([]);

    const { addPointsBatch } = await org.client.data(AddPointsBatchDocument, {
      input: {
        entries: [
          { earner: x, category: 'batch', amount: 40 },
          { earner: y, category: 'batch', amount: 10 },
          { earner: y, category: 'batch', amount: 25 },
          { earner: y, category: 'batch', amount: -1 },
        ],
      },
    });
    expect(addPointsBatch.results.map((result) => result.balance)).toEqual([40, 10, 35, 34]);
    expect(addPointsBatch.results.map((result) => result.entry.balanceAfter)).toEqual([40, 10, 35, 34]);
    expect(addPointsBatch.effects.issued.map((award) => award.earner.email).sort()).toEqual([x.email, y.email].sort());
  });

  it('refuses points for an earner of another id type, or in the future, naming the field', async () => {
    const future = new Date(Date.now() + DAY).toISOString();
    const error = await org.client.error(AddPointsDocument, { input: { earner: person(), amount: 1, at: future } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at', rule: 'notInFuture' });
    const both = await org.client.error(AddPointsDocument, { input: { amount: 1 } });
    expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'earnerId', rule: 'exactlyOne' });
    const wrongType = await org.client.error(AddPointsDocument, { input: { earnerId: (await createActiveTemplate(org.client)).id, amount: 1 } });
    expect(wrongType.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'earnerId', rule: 'globalId' });
  });
});

describe('memberships', () => {
  it('award while a listed product’s membership is active, and revoke when it is cancelled', async () => {
    const { template } = await templateWithRule({ membership: { productIds: ['mango', 'papaya'] } });
    const earner = person();
    const other = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'kiwi' } });
    expect(other.startMembership.effects.issued).toEqual([]);
    const started = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'mango' } });
    expect(started.startMembership).toMatchObject({ renewed: false, membership: { productId: 'mango', status: 'ACTIVE' } });
    expect(started.startMembership.effects.issued).toMatchObject([{ template: { id: template.id }, status: 'ACCEPTED' }]);
    const awardId = started.startMembership.effects.issued[0]!.id;

    // A second qualifying product keeps the ONCE badge as it is; ending one of two keeps it too.
    const papaya = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'papaya' } });
    expect(papaya.startMembership.effects.issued).toEqual([]);
    const endPapaya = await org.client.data(EndMembershipDocument, { input: { id: papaya.startMembership.membership.id } });
    expect(endPapaya.endMembership.effects.revoked).toEqual([]);

    const cancelled = await org.client.data(EndMembershipDocument, { input: { id: started.startMembership.membership.id, reason: 'CANCELLED' } });
    expect(cancelled.endMembership.membership).toMatchObject({ status: 'ENDED', endReason: 'CANCELLED' });
    expect(cancelled.endMembership.effects.revoked).toMatchObject([{ id: awardId, status: 'REVOKED' }]);
    expect(cancelled.endMembership.effects.revoked[0]!.revokedReason).toMatch(/membership .* has ended/);

    const again = await org.client.error(EndMembershipDocument, { input: { id: started.startMembership.membership.id } });
    expect(again.extensions).toMatchObject({ code: 'CONFLICT', rule: 'active' });

    // Joining again restores the award.
    const rejoined = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'mango' } });
    expect(rejoined.startMembership.effects.restored).toMatchObject([{ id: awardId, status: 'ACCEPTED' }]);
  });

  it('renews the active membership of a product rather than starting a second one', async () => {
    const earner = person();
    const endsAt = new Date(Date.now() + 30 * DAY).toISOString();
    const first = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'club', endsAt } });
    const later = new Date(Date.now() + 60 * DAY).toISOString();
    const renewed = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'club', endsAt: later } });
    expect(renewed.startMembership).toMatchObject({ renewed: true, membership: { id: first.startMembership.membership.id, endsAt: later } });
    const { memberships } = await org.client.data(MembershipsDocument, { filter: { productId: 'club' } });
    expect(memberships.totalCount).toBe(1);
  });

  it('revokes when the end date passes, on the scheduler’s tick, with no request arriving', async () => {
    const { template } = await templateWithRule({ membership: { productIds: ['season-pass'] } }, { awardMode: 'REPEATABLE' });
    const earner = person();
    const endsAt = new Date(server.clock.now().getTime() + 7 * DAY);
    const started = await org.client.data(StartMembershipDocument, { input: { earner, productId: 'season-pass', endsAt: endsAt.toISOString() } });
    const awardId = started.startMembership.effects.issued[0]!.id;
    const live = liveClient(server.url, { apiKey: org.apiKey });
    try {
      const joined = server.app.subscriptions.stats.joined;
      const changes = new Subscription(live.client, OnAwardChangedDocument, { filter: { templateId: template.id } });
      await eventually(() => server.app.subscriptions.stats.joined > joined);
      await server.app.scheduler.tick();
      expect((await awardsOf(template.id))[0]).toMatchObject({ status: 'ACCEPTED' });

      server.clock.advance(7 * DAY + 1000);
      // Reads show the membership ended as soon as the date passes...
      const { memberships } = await org.client.data(MembershipsDocument, { filter: { productId: 'season-pass' } });
      expect(memberships.edges[0]!.node).toMatchObject({ status: 'ENDED', endReason: 'EXPIRED' });
      // ...and the scheduler records it and revokes.
      await server.app.scheduler.tick();
      const event = (await changes.data()).awardChanged;
      expect(event).toMatchObject({ change: 'REVOKED', awardId, award: { status: 'REVOKED' } });
      await server.app.scheduler.tick();
      expect(changes.buffered).toBe(0);
      changes.dispose();
    } finally {
      await live.client.dispose();
    }
  });

  it('refuses an end date in the past or before the start, and start, action and entry dates in the future', async () => {
    const past = await org.client.error(StartMembershipDocument, {
      input: { earner: person(), productId: 'x', endsAt: new Date(Date.now() - DAY).toISOString() },
    });
    expect(past.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endsAt', rule: 'future' });
    const future = new Date(server.clock.now().getTime() + DAY).toISOString();
    const early = await org.client.error(StartMembershipDocument, { input: { earner: person(), productId: 'x', startedAt: future } });
    expect(early.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'startedAt', rule: 'notInFuture' });
    const action = await org.client.error(RecordActionDocument, { input: { earner: person(), type: 'answer.accepted', occurredAt: future } });
    expect(action.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredAt', rule: 'notInFuture' });
    // Each entry of a batch names its own field.
    const batch = await org.client.error(AddPointsBatchDocument, { input: { entries: [{ earner: person(), amount: 1 }, { earner: person(), amount: 1, at: future }] } });
    expect(batch.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entries[1].at', rule: 'notInFuture' });
  });
});

describe('actions', () => {
  it('awards a ONCE template at the action’s minimum count, within the window', async () => {
    const { template } = await templateWithRule({ action: { type: 'answer.accepted', minCount: 2, windowDays: 30 } });
    const earner = person();
    const one = await org.client.data(RecordActionDocument, { input: { earner, type: 'answer.accepted', metadata: { questionId: 7 } } });
    expect(one.recordAction.effects.issued).toEqual([]);
    expect(one.recordAction.action).toMatchObject({ type: 'answer.accepted', metadata: { questionId: 7 } });
    const earnerId = one.recordAction.action.earner.id;
    // An action from long ago does not count within a 30-day window.
    const old = new Date(Date.now() - 90 * DAY).toISOString();
    const stale = await org.client.data(RecordActionDocument, { input: { earnerId, type: 'answer.accepted', occurredAt: old } });
    expect(stale.recordAction.effects.issued).toEqual([]);
    const two = await org.client.data(RecordActionDocument, { input: { earnerId, type: 'answer.accepted' } });
    expect(two.recordAction.effects.issued).toMatchObject([{ template: { id: template.id } }]);
    const three = await org.client.data(RecordActionDocument, { input: { earnerId, type: 'answer.accepted' } });
    expect(three.recordAction.effects.issued).toEqual([]);
  });

  it('awards a REPEATABLE template once per action, never twice for a retried action', async () => {
    const { template } = await templateWithRule({ action: { type: 'slack.applause' } }, { awardMode: 'REPEATABLE' });
    const earner = person();
    const first = await org.client.data(RecordActionDocument, { input: { earner, type: 'slack.applause', idempotencyKey: 'msg-1' } });
    expect(first.recordAction.effects.issued).toHaveLength(1);
    const retry = await org.client.data(RecordActionDocument, { input: { earner, type: 'slack.applause', idempotencyKey: 'msg-1' } });
    expect(retry.recordAction).toMatchObject({ replayed: true, action: { id: first.recordAction.action.id } });
    expect(retry.recordAction.effects.issued).toEqual([]);
    await org.client.data(RecordActionDocument, { input: { earner, type: 'slack.applause', idempotencyKey: 'msg-2' } });
    expect(await awardsOf(template.id)).toHaveLength(2);

    // awardForAction for an action the rule already awarded says so.
    const replay = await org.client.data(AwardForActionDocument, { templateId: template.id, actionId: first.recordAction.action.id });
    expect(replay.awardForAction).toMatchObject({ outcome: 'ALREADY_AWARDED', award: { id: first.recordAction.effects.issued[0]!.id } });
  });

  it('awardForAction: ONCE already held is a no-op that says so; REPEATABLE raced calls award once', async () => {
    // Every third applause earns a badge by rule; awardForAction awards any one applause explicitly.
    const { template } = await templateWithRule({ action: { type: 'kudos', minCount: 3 } }, { awardMode: 'REPEATABLE' });
    const earner = person();
    const action = await org.client.data(RecordActionDocument, { input: { earner, type: 'kudos' } });
    expect(action.recordAction.effects.issued).toEqual([]);
    const actionId = action.recordAction.action.id;

    const raced = await Promise.all(
      Array.from({ length: 6 }, () => org.client.data(AwardForActionDocument, { templateId: template.id, actionId })),
    );
    const outcomes = raced.map((result) => result.awardForAction.outcome).sort();
    expect(outcomes).toEqual(['ALREADY_AWARDED', 'ALREADY_AWARDED', 'ALREADY_AWARDED', 'ALREADY_AWARDED', 'ALREADY_AWARDED', 'ISSUED']);
    expect(new Set(raced.map((result) => result.awardForAction.award.id)).size).toBe(1);
    expect(await awardsOf(template.id)).toHaveLength(1);

    const { template: once } = await templateWithRule({ action: { type: 'kudos', minCount: 5 } });
    const held = await org.client.data(AwardForActionDocument, { templateId: once.id, actionId });
    expect(held.awardForAction.outcome).toBe('ISSUED');
    const second = await org.client.data(RecordActionDocument, { input: { earner, type: 'kudos' } });
    const noop = await org.client.data(AwardForActionDocument, { templateId: once.id, actionId: second.recordAction.action.id });
    expect(noop.awardForAction).toMatchObject({ outcome: 'ALREADY_HELD', award: { id: held.awardForAction.award.id } });
    expect(await awardsOf(once.id)).toHaveLength(1);
  });

  it('awardForAction needs a template whose rule recognizes the action, and awards:issue', async () => {
    const { template } = await templateWithRule({ action: { type: 'edit' } });
    const action = await org.client.data(RecordActionDocument, { input: { earner: person(), type: 'review' } });
    const error = await org.client.error(AwardForActionDocument, { templateId: template.id, actionId: action.recordAction.action.id });
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', field: 'templateId', rule: 'recognizesAction' });

    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Activity only', permissions: ['ACTIVITY_WRITE'] } });
    const activityOnly = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    const forbidden = await activityOnly.error(AwardForActionDocument, { templateId: template.id, actionId: action.recordAction.action.id });
    expect(forbidden.extensions?.code).toBe('FORBIDDEN');
    // ...while the activity itself is allowed.
    await activityOnly.data(RecordActionDocument, { input: { earner: person(), type: 'review' } });
    const noRules = await activityOnly.error(SetAwardRuleDocument, { input: { templateId: template.id, points: { category: 'x', threshold: 1 } } });
    expect(noRules.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('rules', () => {
  it('are of exactly one kind: two kinds at once, or another kind while one is set, are refused', async () => {
    const template = await createActiveTemplate(org.client);
    const both = await org.client.error(SetAwardRuleDocument, {
      input: { templateId: template.id, points: { category: 'lifetime', threshold: 10 }, action: { type: 'edit' } },
    });
    expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'points', rule: 'exactlyOne' });
    const none = await org.client.error(SetAwardRuleDocument, { input: { templateId: template.id } });
    expect(none.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'exactlyOne' });

    const set = await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, points: { category: 'lifetime', threshold: 10 } } });
    expect(set.setAwardRule.badgeTemplate.rule).toMatchObject({ kind: 'POINTS', revision: 1, points: { category: 'lifetime', threshold: 10 }, membership: null, action: null });
    const other = await org.client.error(SetAwardRuleDocument, { input: { templateId: template.id, membership: { productIds: ['mango'] } } });
    expect(other.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'membership', rule: 'oneKindPerTemplate' });
    const changed = await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, points: { category: 'lifetime', threshold: 20 } } });
    expect(changed.setAwardRule.badgeTemplate.rule).toMatchObject({ revision: 2, points: { threshold: 20 } });

    const removed = await org.client.data(RemoveAwardRuleDocument, { templateId: template.id });
    expect(removed.removeAwardRule.badgeTemplate.rule).toBeNull();
    const membership = await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, membership: { productIds: ['mango', 'mango', 'kiwi'] } } });
    expect(membership.setAwardRule.badgeTemplate.rule).toMatchObject({ kind: 'MEMBERSHIP', membership: { productIds: ['mango', 'kiwi'] } });
  });

  it('validate their parameters, naming the field and the rule', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const cases: Array<[Omit<SetAwardRuleInput, 'templateId'>, string, string]> = [
      [{ points: { category: 'lifetime', threshold: 0 } }, 'points.threshold', 'min'],
      [{ points: { category: 'has space', threshold: 5 } }, 'points.category', 'pattern'],
      [{ membership: { productIds: [] } }, 'membership.productIds', 'minItems'],
      [{ action: { type: 'edit', minCount: 0 } }, 'action.minCount', 'min'],
      [{ action: { type: 'edit', windowDays: 7 } }, 'action.windowDays', 'onceOnly'],
    ];
    for (const [rule, field, name] of cases) {
      const error = await org.client.error(SetAwardRuleDocument, { input: { templateId: template.id, ...rule } });
      expect(error.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field, rule: name });
    }
    const { setAwardRule } = await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, points: { category: 'lifetime', threshold: 5 } } });
    expect(setAwardRule.badgeTemplate.rule?.revision).toBe(1);
  });

  it('cannot switch a template with a windowed action rule to REPEATABLE', async () => {
    const { template } = await templateWithRule({ action: { type: 'login', windowDays: 7, minCount: 5 } });
    const error = await org.client.error(UpdateTemplateDocument, { input: { id: template.id, awardMode: 'REPEATABLE' } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'awardMode', rule: 'actionWindowOnceOnly' });
  });

  it('removing a rule leaves its awards as they are and stops automation', async () => {
    const { template } = await templateWithRule({ points: { category: 'removal', threshold: 10 } });
    const earned = await points({ earner: person(), category: 'removal', amount: 10 });
    await org.client.data(RemoveAwardRuleDocument, { templateId: template.id });
    const down = await points({ earnerId: earned.entry.earner.id, category: 'removal', amount: -10 });
    expect(down.effects.revoked).toEqual([]);
    expect(await awardsOf(template.id)).toMatchObject([{ status: 'ACCEPTED' }]);
    const again = await org.client.error(RemoveAwardRuleDocument, { templateId: template.id });
    expect(again.extensions).toMatchObject({ code: 'CONFLICT', rule: 'hasRule' });
  });
});

describe('events', () => {
  it('announce automated awards and revocations like manual ones', async () => {
    const { template } = await templateWithRule({ points: { category: 'live', threshold: 10 } });
    const live = liveClient(server.url, { apiKey: org.apiKey });
    try {
      const joined = server.app.subscriptions.stats.joined;
      const changes = new Subscription(live.client, OnAwardChangedDocument, {
        filter: { templateId: template.id },
        changes: ['ISSUED', 'REVOKED', 'RESTORED'],
      });
      await eventually(() => server.app.subscriptions.stats.joined > joined);
      const earned = await points({ earner: person(), category: 'live', amount: 12 });
      expect((await changes.data()).awardChanged).toMatchObject({ change: 'ISSUED', awardId: earned.effects.issued[0]!.id, award: { status: 'ACCEPTED' } });
      await points({ earnerId: earned.entry.earner.id, category: 'live', amount: -5 });
      expect((await changes.data()).awardChanged).toMatchObject({ change: 'REVOKED', award: { status: 'REVOKED' } });
      await points({ earnerId: earned.entry.earner.id, category: 'live', amount: 5 });
      expect((await changes.data()).awardChanged).toMatchObject({ change: 'RESTORED', award: { status: 'ACCEPTED' } });
      changes.dispose();
    } finally {
      await live.client.dispose();
    }
  });
});

describe('one id scheme', () => {
  it('gives manual, live automated and backfilled awards and their history the same id and public id shapes', async () => {
    const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const manualTemplate = await createActiveTemplate(org.client);
    await issue(org.client, manualTemplate.id, person().email);

    const { template: liveTemplate } = await templateWithRule({ points: { category: 'ids', threshold: 10 } });
    const live = await points({ earner: person(), category: 'ids', amount: 10 });
    expect(live.effects.issued).toHaveLength(1);

    // An earner who already has the points when the rule is set is awarded by the backfill job.
    await points({ earner: person(), category: 'later', amount: 10 });
    const backfillTemplate = await createActiveTemplate(org.client);
    await org.client.data(SetAwardRuleDocument, { input: { templateId: backfillTemplate.id, points: { category: 'later', threshold: 5 } } });
    await server.app.scheduler.tick();

    const templateIds = [manualTemplate, liveTemplate, backfillTemplate].map((template) => decodeGlobalID(template.id).id);
    const rows = await server.app.deps.db.award.findMany({ where: { templateId: { in: templateIds } }, include: { history: true } });
    expect(rows.map((row) => [templateIds.indexOf(row.templateId), row.source]).sort()).toEqual([
      [0, 'MANUAL'],
      [1, 'AUTOMATION'],
      [2, 'AUTOMATION'],
    ]);
    for (const row of rows) {
      expect(row.id).toMatch(uuidV7);
      expect(row.publicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(row.history.length).toBeGreaterThan(0);
      for (const entry of row.history) expect(entry.id).toMatch(uuidV7);
    }
  });
});
