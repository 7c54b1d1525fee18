import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptAwardDocument,
  AwardDocument,
  AwardsDocument,
  DeleteAwardDocument,
  EarnerDocument,
  IssueAwardDocument,
  IssueAwardsDocument,
  RejectAwardDocument,
  RestoreAwardDocument,
  RevokeAwardDocument,
  UpdateAwardDocument,
  UpdateEarnerDocument,
  type IssueAwardInput,
} from './generated/graphql.js';
import { DAY } from './helpers/clock.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  server = await startServer({ PUBLIC_URL: 'https://badges.example.org' });
  org = await server.createOrganization('Acme Academy');
});
afterAll(() => server?.stop());

async function awardCount(client = org.client): Promise<number> {
  return (await client.data(AwardsDocument, { first: 1 })).awards.totalCount;
}

describe('award lifecycle', () => {
  it('issues with every field, then accepts and revokes with a reason', async () => {
    const template = await createActiveTemplate(org.client, {
      imageUrl: 'https://acme.example/badge.png',
      imageThumbnailUrl: 'https://acme.example/badge-thumb.png',
    });
    const { award, outcome } = await issue(org.client, template.id, 'Ada@Example.com', {
      recipient: { email: 'Ada@Example.com', firstName: 'Ada', lastName: 'Lovelace', externalId: 'user-1' },
      issuedAt: '2025-01-15',
      expiresAt: '2099-01-15T12:00:00+02:00',
      activityTitle: 'Analytical Engine workshop',
      activityStartedAt: '2025-01-10T09:00:00Z',
      activityEndedAt: '2025-01-12T17:00:00Z',
      notes: 'Top of the class.',
      additionalDetails: { score: 98, tags: ['math'] },
      imageHighResolutionUrl: 'https://acme.example/ada@2x.png',
      legacyId: 'old-42',
    });
    expect(outcome).toBe('ISSUED');
    expect(award).toMatchObject({
      status: 'PENDING',
      recipientName: 'Ada Lovelace',
      recipientFirstName: 'Ada',
      recipientLastName: 'Lovelace',
      recipientEmail: 'Ada@Example.com',
      imported: false,
      imageUrl: 'https://acme.example/badge.png',
      imageHighResolutionUrl: 'https://acme.example/ada@2x.png',
      imageThumbnailUrl: 'https://acme.example/badge-thumb.png',
      activityTitle: 'Analytical Engine workshop',
      activityStartedAt: '2025-01-10T09:00:00.000Z',
      activityEndedAt: '2025-01-12T17:00:00.000Z',
      notes: 'Top of the class.',
      additionalDetails: { score: 98, tags: ['math'] },
      issuedAt: '2025-01-15T00:00:00.000Z',
      expiresAt: '2099-01-15T10:00:00.000Z',
      legacyId: 'old-42',
      template: { id: template.id, name: template.name },
      templateVersion: { version: 1 },
      earner: { email: 'Ada@Example.com', name: 'Ada Lovelace', externalId: 'user-1' },
      organization: { name: 'Acme Academy' },
    });
    expect(award.publicUrl).toBe(`https://badges.example.org/awards/${award.publicId}`);
    expect(award.publicId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const accepted = await org.client.data(AcceptAwardDocument, { id: award.id });
    expect(accepted.acceptAward.award.status).toBe('ACCEPTED');
    expect(accepted.acceptAward.award.acceptedAt).not.toBeNull();
    const acceptTwice = await org.client.error(AcceptAwardDocument, { id: award.id });
    expect(acceptTwice.extensions).toMatchObject({ code: 'CONFLICT', status: 'ACCEPTED' });

    const missingReason = await org.client.error(RevokeAwardDocument, { id: award.id, reason: '   ' });
    expect(missingReason.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason', rule: 'notBlank' });

    const revoked = await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Issued by mistake.' });
    expect(revoked.revokeAward.award).toMatchObject({ status: 'REVOKED', revokedReason: 'Issued by mistake.' });

    // Revoking twice is an error that changes nothing.
    const before = (await org.client.data(AwardDocument, { id: award.id })).award!;
    const twice = await org.client.error(RevokeAwardDocument, { id: award.id, reason: 'Again.' });
    expect(twice.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', status: 'REVOKED' });
    const after = (await org.client.data(AwardDocument, { id: award.id })).award!;
    expect(after).toEqual(before);
    expect(after.history.map((entry) => [entry.action, entry.reason])).toEqual([
      ['ISSUED', null],
      ['ACCEPTED', null],
      ['REVOKED', 'Issued by mistake.'],
    ]);
    expect(after.history.every((entry) => entry.actor !== null)).toBe(true);

    // Restoring undoes the revocation; the history keeps both.
    const restored = await org.client.data(RestoreAwardDocument, { id: award.id, reason: 'Mistake was ours.' });
    expect(restored.restoreAward.award).toMatchObject({ status: 'ACCEPTED', revokedAt: null, revokedReason: null });
    const restoreTwice = await org.client.error(RestoreAwardDocument, { id: award.id });
    expect(restoreTwice.extensions).toMatchObject({ code: 'CONFLICT', status: 'ACCEPTED' });
  });

  it('lets the earner reject a pending award, which frees a ONCE badge', async () => {
    const template = await createActiveTemplate(org.client);
    const { award } = await issue(org.client, template.id, 'reject@example.com');
    const rejected = await org.client.data(RejectAwardDocument, { id: award.id, reason: 'Not me.' });
    expect(rejected.rejectAward.award.status).toBe('REJECTED');
    expect((await org.client.error(AcceptAwardDocument, { id: award.id })).extensions).toMatchObject({ code: 'CONFLICT' });
    expect((await org.client.error(RevokeAwardDocument, { id: award.id, reason: 'x' })).extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'REJECTED',
    });
    const again = await issue(org.client, template.id, 'reject@example.com');
    expect(again.outcome).toBe('ISSUED');
  });

  it('expires by date: queries never show an expired award as active', async () => {
    const template = await createActiveTemplate(org.client, { validityDays: 10 });
    const { award } = await issue(org.client, template.id, 'expiring@example.com', { accepted: true });
    expect(award.status).toBe('ACCEPTED');
    expect(Date.parse(award.expiresAt!) - Date.parse(award.issuedAt)).toBe(10 * DAY);

    const never = await issue(org.client, template.id, 'forever@example.com', { expiresAt: null });
    expect(never.award.expiresAt).toBeNull();

    const filter = { templateId: template.id };
    const byStatus = async (status: 'ACCEPTED' | 'PENDING' | 'EXPIRED') =>
      (await org.client.data(AwardsDocument, { filter: { ...filter, statuses: [status] } })).awards.edges.map((edge) => edge.node.id);
    expect(await byStatus('ACCEPTED')).toEqual([award.id]);
    expect(await byStatus('EXPIRED')).toEqual([]);

    server.clock.advance(11 * DAY);
    try {
      expect((await org.client.data(AwardDocument, { id: award.id })).award?.status).toBe('EXPIRED');
      expect(await byStatus('ACCEPTED')).toEqual([]);
      expect(await byStatus('EXPIRED')).toEqual([award.id]);
      expect(await byStatus('PENDING')).toEqual([never.award.id]);
      // An expired award can be accepted no more.
      const late = await org.client.error(AcceptAwardDocument, { id: award.id });
      expect(late.extensions).toMatchObject({ code: 'CONFLICT', status: 'EXPIRED' });
      // A ONCE badge held by an expired award can be issued again; the old one records its expiry.
      const reissued = await issue(org.client, template.id, 'expiring@example.com');
      expect(reissued.outcome).toBe('ISSUED');
      const old = (await org.client.data(AwardDocument, { id: award.id })).award!;
      expect(old.status).toBe('EXPIRED');
      expect(old.history.map((entry) => entry.action)).toEqual(['ISSUED', 'EXPIRED']);
      expect(old.history[1]?.actor).toBeNull();
      // Extending it would give the earner two live ONCE awards: refused.
      const extend = await org.client.error(UpdateAwardDocument, { input: { id: award.id, expiresAt: '2099-01-01' } });
      expect(extend.extensions).toMatchObject({ code: 'CONFLICT', rule: 'onceAlreadyHeld' });
      await org.client.data(RevokeAwardDocument, { id: reissued.award.id, reason: 'Make room.' });
      const revived = await org.client.data(UpdateAwardDocument, { input: { id: award.id, expiresAt: '2099-01-01' } });
      expect(revived.updateAward.award.status).toBe('ACCEPTED');
    } finally {
      server.clock.advance(-11 * DAY);
    }
  });

  it('updates notes, details, activity and expiry, checking the rules', async () => {
    const template = await createActiveTemplate(org.client);
    const { award } = await issue(org.client, template.id, 'update@example.com', { issuedAt: '2025-03-01' });
    const { updateAward } = await org.client.data(UpdateAwardDocument, {
      input: { id: award.id, notes: 'Updated.', additionalDetails: { cohort: 7 }, expiresAt: '2030-01-01', activityTitle: 'Course' },
    });
    expect(updateAward.award).toMatchObject({
      notes: 'Updated.',
      additionalDetails: { cohort: 7 },
      expiresAt: '2030-01-01T00:00:00.000Z',
      activityTitle: 'Course',
    });
    const cleared = await org.client.data(UpdateAwardDocument, { input: { id: award.id, notes: null, additionalDetails: null } });
    expect(cleared.updateAward.award).toMatchObject({ notes: null, additionalDetails: null, activityTitle: 'Course' });
    const early = await org.client.error(UpdateAwardDocument, { input: { id: award.id, expiresAt: '2025-02-01' } });
    expect(early.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expiresAt', rule: 'after:issuedAt' });
  });

  it('keeps evidence in the order given, replaces it on update, and names the item a rule refuses', async () => {
    const template = await createActiveTemplate(org.client);
    const first = { url: 'https://portfolio.example/kim/essay', name: 'Essay', narrative: 'Argues for **tests**.' };
    const second = { url: 'https://portfolio.example/kim/talk', name: null, narrative: null };
    const { award } = await issue(org.client, template.id, 'evidence@example.com', { evidence: [first, { url: second.url }] });
    expect(award.evidence).toEqual([first, second]);
    const replaced = await org.client.data(UpdateAwardDocument, { input: { id: award.id, evidence: [{ url: second.url }] } });
    expect(replaced.updateAward.award.evidence).toEqual([second]);
    // Another change leaves the evidence as it is; null clears it.
    expect((await org.client.data(UpdateAwardDocument, { input: { id: award.id, notes: 'Seen.' } })).updateAward.award.evidence).toEqual([second]);
    expect((await org.client.data(UpdateAwardDocument, { input: { id: award.id, evidence: null } })).updateAward.award.evidence).toEqual([]);

    const before = await awardCount();
    const badUrl = await org.client.error(IssueAwardDocument, {
      input: { templateId: template.id, recipient: { email: 'evidence@example.com', name: 'Kim Park' }, evidence: [first, { url: 'ftp://files.example/x' }] },
    });
    expect(badUrl.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidence[1].url' });
    const tooMany = await org.client.error(UpdateAwardDocument, { input: { id: award.id, evidence: Array.from({ length: 21 }, () => first) } });
    expect(tooMany.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidence', rule: 'maxItems' });
    expect(await awardCount()).toBe(before);
  });

  it('deletes an award for good, distinct from revoking it', async () => {
    const template = await createActiveTemplate(org.client);
    const { award } = await issue(org.client, template.id, 'erase@example.com');
    const count = await awardCount();
    const { deleteAward } = await org.client.data(DeleteAwardDocument, { id: award.id });
    expect(deleteAward.deletedAwardId).toBe(award.id);
    expect(await awardCount()).toBe(count - 1);
    expect((await org.client.error(AwardDocument, { id: award.id })).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((await org.client.error(DeleteAwardDocument, { id: award.id })).extensions).toMatchObject({ code: 'NOT_FOUND' });
    // The earner stays; they may hold other awards.
    const { earner } = await org.client.data(EarnerDocument, { email: 'erase@example.com' });
    expect(earner?.awards.totalCount).toBe(0);
  });
});

describe('award modes', () => {
  it('ONCE refuses a second live award unless asked to skip or replace it', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'ONCE' });
    const first = await issue(org.client, template.id, 'once@example.com');

    const count = await awardCount();
    const denied = await org.client.error(IssueAwardDocument, {
      input: { templateId: template.id, recipient: { email: 'ONCE@example.com', name: 'Other Name' } },
    });
    expect(denied.extensions).toMatchObject({ code: 'CONFLICT', field: 'recipient', rule: 'onceAlreadyHeld' });
    expect(await awardCount()).toBe(count);

    const skipped = await issue(org.client, template.id, 'once@example.com', { onDuplicate: 'SKIP' });
    expect(skipped).toMatchObject({ outcome: 'ALREADY_HELD', award: { id: first.award.id } });
    expect(await awardCount()).toBe(count);

    const replaced = await issue(org.client, template.id, 'once@example.com', { onDuplicate: 'REPLACE' });
    expect(replaced.outcome).toBe('REPLACED');
    expect(replaced.award.id).not.toBe(first.award.id);
    expect(replaced.replacedAward).toMatchObject({ id: first.award.id, status: 'REVOKED' });
    expect(replaced.replacedAward?.revokedReason).toMatch(/replaced/i);
    expect(await awardCount()).toBe(count + 1);

    // Once revoked, the badge can be issued again without a policy.
    await org.client.data(RevokeAwardDocument, { id: replaced.award.id, reason: 'Cheated.' });
    expect((await issue(org.client, template.id, 'once@example.com')).outcome).toBe('ISSUED');
    // Restoring the revoked one would give the earner two live awards: refused.
    const restore = await org.client.error(RestoreAwardDocument, { id: replaced.award.id });
    expect(restore.extensions).toMatchObject({ code: 'CONFLICT', rule: 'onceAlreadyHeld' });
  });

  it('REPEATABLE issues as often as asked', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const a = await issue(org.client, template.id, 'repeat@example.com');
    const b = await issue(org.client, template.id, 'repeat@example.com');
    expect(a.award.id).not.toBe(b.award.id);
    expect(a.award.earner.id).toBe(b.award.earner.id);
    const { earner } = await org.client.data(EarnerDocument, { id: a.award.earner.id });
    expect(earner?.awards.totalCount).toBe(2);
  });
});

describe('idempotency and races', () => {
  it('a retried request with the same key returns the first award', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const input: IssueAwardInput = {
      templateId: template.id,
      recipient: { email: 'retry@example.com', name: 'Retry Person' },
      idempotencyKey: 'order-1001',
      additionalDetails: { b: 2, a: 1 },
    };
    const first = await org.client.data(IssueAwardDocument, { input });
    const count = await awardCount();
    const retry = await org.client.data(IssueAwardDocument, { input: { ...input, additionalDetails: { a: 1, b: 2 } } });
    expect(retry.issueAward).toMatchObject({ outcome: 'IDEMPOTENT_REPLAY', award: { id: first.issueAward.award.id } });
    expect(await awardCount()).toBe(count);

    const reused = await org.client.error(IssueAwardDocument, { input: { ...input, notes: 'different' } });
    expect(reused.extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey', rule: 'sameRequest' });
    expect(await awardCount()).toBe(count);
  });

  it('racing requests for one ONCE award: exactly one wins', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'ONCE' });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        org.client.request(IssueAwardDocument, {
          input: { templateId: template.id, recipient: { email: 'race@example.com', name: 'Race Condition' } },
        }),
      ),
    );
    const wins = results.filter((result) => result.data?.issueAward.outcome === 'ISSUED');
    const conflicts = results.filter((result) => result.errors?.[0]?.extensions?.code === 'CONFLICT');
    expect(wins).toHaveLength(1);
    expect(conflicts).toHaveLength(11);
    const { awards } = await org.client.data(AwardsDocument, { filter: { templateId: template.id } });
    expect(awards.totalCount).toBe(1);
  });

  it('racing retries with one idempotency key issue once', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const input: IssueAwardInput = {
      templateId: template.id,
      recipient: { email: 'race-key@example.com', name: 'Race Key' },
      idempotencyKey: 'race-key-1',
    };
    const results = await Promise.all(Array.from({ length: 12 }, () => org.client.data(IssueAwardDocument, { input })));
    expect(new Set(results.map((result) => result.issueAward.award.id)).size).toBe(1);
    expect(results.filter((result) => result.issueAward.outcome === 'ISSUED')).toHaveLength(1);
    const { awards } = await org.client.data(AwardsDocument, { filter: { templateId: template.id } });
    expect(awards.totalCount).toBe(1);
  });
});

describe('bulk issue', () => {
  it('issues 1,000 awards in one call', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'ONCE' });
    const awards = Array.from({ length: 1000 }, (_, index) => ({
      templateId: template.id,
      recipient: { email: `bulk${index}@example.com`, name: `Bulk Earner ${index}` },
    }));
    const { issueAwards } = await org.client.data(IssueAwardsDocument, { input: { awards } });
    expect(issueAwards.issuedCount).toBe(1000);
    expect(issueAwards.results).toHaveLength(1000);
    expect(issueAwards.results.map((result) => result.award.recipientEmail)).toEqual(awards.map((row) => row.recipient.email));
    const listed = await org.client.data(AwardsDocument, { filter: { templateId: template.id }, first: 1 });
    expect(listed.awards.totalCount).toBe(1000);

    // A second run with SKIP issues nothing new and says so row by row.
    const again = await org.client.data(IssueAwardsDocument, {
      input: { awards: awards.slice(0, 3).map((row) => ({ ...row, onDuplicate: 'SKIP' as const })) },
    });
    expect(again.issueAwards.issuedCount).toBe(0);
    expect(again.issueAwards.results.map((result) => result.outcome)).toEqual(['ALREADY_HELD', 'ALREADY_HELD', 'ALREADY_HELD']);
  });

  it('is all or nothing, and names every broken row', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const count = await awardCount();
    const result = await org.client.request(IssueAwardsDocument, {
      input: {
        awards: [
          { templateId: template.id, recipient: { email: 'fine@example.com', name: 'Fine Person' } },
          { templateId: template.id, recipient: { email: 'not-an-email', name: 'Bad Email' } },
          { templateId: template.id, recipient: { email: 'short@example.com', name: 'Bob' } },
        ],
      },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'awards[1].recipient.email',
      rule: 'email',
      issues: [
        { field: 'awards[1].recipient.email', rule: 'email' },
        { field: 'awards[2].recipient.name', rule: 'minLength' },
      ],
    });
    expect(await awardCount()).toBe(count);

    // A conflict in one row (a ONCE badge already held) also stops the whole batch.
    const once = await createActiveTemplate(org.client, { awardMode: 'ONCE' });
    await issue(org.client, once.id, 'held@example.com');
    const conflict = await org.client.request(IssueAwardsDocument, {
      input: {
        awards: [
          { templateId: once.id, recipient: { email: 'new@example.com', name: 'New Person' } },
          { templateId: once.id, recipient: { email: 'held@example.com', name: 'Held Person' } },
        ],
      },
    });
    expect(conflict.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'awards[1].recipient', rule: 'onceAlreadyHeld' });
    expect(await awardCount()).toBe(count + 1);

    const tooMany = await org.client.request(IssueAwardsDocument, {
      input: { awards: Array.from({ length: 1001 }, () => ({ templateId: once.id, recipient: { email: 'x@example.com', name: 'Xavier X' } })) },
    });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'awards', rule: 'maxItems' });
  });
});

describe('earners', () => {
  it('finds earners by external id, then by email ignoring case; a new address keeps the awards', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const a = await issue(org.client, template.id, 'Mixed.Case@Example.com');
    const b = await issue(org.client, template.id, 'mixed.case@example.COM', {
      recipient: { email: 'mixed.case@example.COM', name: 'Mixed Case', externalId: 'crm-9' },
    });
    expect(b.award.earner.id).toBe(a.award.earner.id);
    expect(b.award.earner.externalId).toBe('crm-9');

    const moved = await org.client.data(UpdateEarnerDocument, { input: { id: a.award.earner.id, email: 'new.address@example.com' } });
    expect(moved.updateEarner.earner.email).toBe('new.address@example.com');
    // The external id still identifies them, whatever address the integrator sends.
    const c = await issue(org.client, template.id, 'whatever@example.com', {
      recipient: { email: 'whatever@example.com', name: 'Mixed Case', externalId: 'crm-9' },
    });
    expect(c.award.earner.id).toBe(a.award.earner.id);
    const { earner } = await org.client.data(EarnerDocument, { externalId: 'crm-9' });
    expect(earner?.awards.totalCount).toBe(3);

    const other = await issue(org.client, template.id, 'someone.else@example.com');
    const clash = await org.client.error(UpdateEarnerDocument, { input: { id: other.award.earner.id, email: 'NEW.address@example.com' } });
    expect(clash.extensions).toMatchObject({ code: 'CONFLICT', field: 'email', rule: 'unique' });
    const mismatch = await org.client.error(IssueAwardDocument, {
      input: { templateId: template.id, recipient: { email: 'new.address@example.com', name: 'Mixed Case', externalId: 'crm-other' } },
    });
    expect(mismatch.extensions).toMatchObject({ code: 'CONFLICT', field: 'recipient.externalId', rule: 'matchesEarner' });
  });
});
