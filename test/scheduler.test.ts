// Changes due at a time, with no request arriving: the scheduler inside each server ends
// memberships at their end date and expires awards, and when several instances tick at once
// each change happens, and is announced, exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutomatedAwardsDocument,
  OnAwardChangedDocument,
  SetAwardRuleDocument,
  StartMembershipDocument,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { DAY } from './helpers/clock.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestServer } from './helpers/server.js';

describe('the scheduler’s own timer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ AUTOMATION_TICK_SECONDS: '0.1' });
  });
  afterAll(() => server?.stop());

  it('revokes a membership award when its end date passes, with no request arriving', async () => {
    const org = await server.createOrganization();
    const template = await createActiveTemplate(org.client);
    await org.client.data(SetAwardRuleDocument, { input: { templateId: template.id, membership: { productIds: ['season-pass'] } } });
    const live = liveClient(server.url, { apiKey: org.apiKey });
    const revoked = new Subscription(live.client, OnAwardChangedDocument, { filter: { templateId: template.id }, changes: ['REVOKED'] });

    const endsAt = new Date(Date.now() + 1_500);
    const started = await org.client.data(StartMembershipDocument, {
      input: { earner: { email: 'season@example.com', name: 'Season Holder' }, productId: 'season-pass', endsAt: endsAt.toISOString() },
    });
    const awardId = started.startMembership.effects.issued[0]!.id;

    const event = (await revoked.data(10_000)).awardChanged;
    expect(event).toMatchObject({ change: 'REVOKED', awardId, award: { status: 'REVOKED' } });
    // Within a few ticks of the due time (the issue's bound is a minute).
    expect(new Date(event.at).getTime() - endsAt.getTime()).toBeGreaterThanOrEqual(0);
    expect(new Date(event.at).getTime() - endsAt.getTime()).toBeLessThan(2_000);
    const { awards } = await org.client.data(AutomatedAwardsDocument, { templateId: template.id });
    expect(awards.edges[0]!.node.revokedReason).toMatch(/membership/i);
    revoked.dispose();
    await live.client.dispose();
  });

  it('expires an award at its expiry date and announces it', async () => {
    const org = await server.createOrganization();
    const template = await createActiveTemplate(org.client);
    const live = liveClient(server.url, { apiKey: org.apiKey });
    const expired = new Subscription(live.client, OnAwardChangedDocument, { filter: { templateId: template.id }, changes: ['EXPIRED'] });
    const { award } = await issue(org.client, template.id, 'short@example.com', { expiresAt: new Date(Date.now() + 1_500).toISOString() });

    const event = (await expired.data(10_000)).awardChanged;
    expect(event).toMatchObject({ change: 'EXPIRED', awardId: award.id, award: { status: 'EXPIRED' } });
    const { awards } = await org.client.data(AutomatedAwardsDocument, { templateId: template.id });
    expect(awards.edges[0]!.node.history.filter((entry) => entry.action === 'EXPIRED')).toHaveLength(1);
    expired.dispose();
    await live.client.dispose();
  });
});

describe('two instances on one database', () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    // Timers out of the way: the test makes both instances tick at the same moments.
    first = await startServer({ AUTOMATION_TICK_SECONDS: '60' });
    second = await startServer({ AUTOMATION_TICK_SECONDS: '60' }, { alongside: first });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('end each due membership and expire each due award once, announced once', async () => {
    const COUNT = 25;
    const org = await first.createOrganization();
    const ruled = await createActiveTemplate(org.client);
    await org.client.data(SetAwardRuleDocument, { input: { templateId: ruled.id, membership: { productIds: ['gold'] } } });
    const expiring = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const due = new Date(first.clock.now().getTime() + DAY).toISOString();
    for (let index = 0; index < COUNT; index += 1) {
      const earner = { email: `member-${index}@example.com`, name: `Member ${index}` };
      await org.client.data(StartMembershipDocument, { input: { earner, productId: 'gold', endsAt: due } });
      await issue(org.client, expiring.id, earner.email, { expiresAt: due });
    }

    // A subscriber on each instance; each instance announces only what it changed itself.
    const subscriptions = [first, second].map((server) => {
      const live = liveClient(server.url, { apiKey: org.apiKey });
      return { live, events: new Subscription(live.client, OnAwardChangedDocument, { changes: ['ISSUED', 'REVOKED', 'EXPIRED'] }) };
    });
    // Both subscriptions are live once each has seen an award issued on its own instance.
    const warmup = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    for (const [index, server] of [first, second].entries()) {
      const client = new GraphQLClient(server.url, { 'x-api-key': org.apiKey });
      const { events } = subscriptions[index]!;
      let seen;
      for (let attempt = 0; attempt < 50 && !seen; attempt += 1) {
        await issue(client, warmup.id, `warmup-${index}-${attempt}@example.com`);
        seen = await events.data(200).catch(() => undefined);
      }
      expect(seen?.awardChanged.change).toBe('ISSUED');
      while (events.buffered) await events.next();
    }

    first.clock.advance(2 * DAY);
    for (let round = 0; round < 3; round += 1) {
      await Promise.all([first.app.scheduler.tick(), second.app.scheduler.tick()]);
    }

    const changes: string[] = [];
    const announced = new Set<string>();
    for (const { events } of subscriptions) {
      for (;;) {
        const result = await events.next(500).catch(() => undefined);
        if (!result) break;
        const event = result.data!.awardChanged;
        changes.push(event.change);
        announced.add(`${event.change}:${event.awardId}`);
      }
    }
    expect(changes.filter((change) => change === 'REVOKED')).toHaveLength(COUNT);
    expect(changes.filter((change) => change === 'EXPIRED')).toHaveLength(COUNT);
    expect(announced.size).toBe(2 * COUNT);

    const revoked = await org.client.data(AutomatedAwardsDocument, { templateId: ruled.id, first: 100 });
    expect(revoked.awards.edges.map((edge) => edge.node.status)).toEqual(Array(COUNT).fill('REVOKED'));
    for (const { node } of revoked.awards.edges) expect(node.history.filter((entry) => entry.action === 'REVOKED')).toHaveLength(1);
    const expired = await org.client.data(AutomatedAwardsDocument, { templateId: expiring.id, first: 100 });
    expect(expired.awards.edges.map((edge) => edge.node.status)).toEqual(Array(COUNT).fill('EXPIRED'));
    for (const { node } of expired.awards.edges) expect(node.history.filter((entry) => entry.action === 'EXPIRED')).toHaveLength(1);

    for (const { live, events } of subscriptions) {
      events.dispose();
      await live.client.dispose();
    }
  });
});
