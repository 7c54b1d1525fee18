// Concurrent issueAward calls of one key commit together (group commit). Each call still gets the
// outcome or the error it would have had alone; these tests race enough calls at once that they
// land in groups, and check that they did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssueAwardDocument, type IssueAwardInput } from './generated/graphql.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization();
  // Connections opened first, so that the calls of a test arrive together rather than one per
  // new connection.
  await Promise.all(Array.from({ length: CALLS }, () => org.client.raw('{ __typename }')));
});
afterAll(() => server?.stop());

const CALLS = 40;
const stats = () => ({ ...server.app.deps.issueGroups.stats });
const issueCall = (input: IssueAwardInput) => org.client.request(IssueAwardDocument, { input });

describe('issueAward group commit', () => {
  it('issues concurrent calls in shared transactions, each with its own award', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const before = stats();
    const answers = await Promise.all(
      Array.from({ length: CALLS }, (_, i) => issueCall({ templateId: template.id, recipient: { email: `group${i}@example.com`, name: `Group ${i}` } })),
    );
    expect(answers.map((answer) => answer.errors)).toEqual(answers.map(() => undefined));
    const awards = answers.map((answer) => answer.data!.issueAward.award);
    expect(new Set(awards.map((award) => award.id)).size).toBe(CALLS);
    expect(awards.map((award) => award.recipientEmail)).toEqual(Array.from({ length: CALLS }, (_, i) => `group${i}@example.com`));
    expect(stats().groups).toBeGreaterThan(before.groups);
  });

  it('fails only the call that breaks a rule when its group is run again call by call', async () => {
    const once = await createActiveTemplate(org.client);
    const held = await issueCall({ templateId: once.id, recipient: { email: 'holder@example.com', name: 'Holder' } });
    expect(held.data!.issueAward.outcome).toBe('ISSUED');
    const before = stats();
    const answers = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        // Call 20 asks for a ONCE badge its earner already holds: a conflict of its own.
        issueCall({ templateId: once.id, recipient: i === 20 ? { email: 'holder@example.com', name: 'Holder' } : { email: `mixed${i}@example.com`, name: `Mixed ${i}` } }),
      ),
    );
    answers.forEach((answer, i) => {
      if (i === 20) expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', rule: 'onceAlreadyHeld', field: 'recipient' });
      else expect(answer.data?.issueAward.outcome).toBe('ISSUED');
    });
    expect(stats().fallbacks).toBeGreaterThan(before.fallbacks);
  });

  it('gives one ONCE badge once when calls for the same earner race, whatever their policy', async () => {
    const once = await createActiveTemplate(org.client);
    const recipient = { email: 'racer@example.com', name: 'Racer' };
    const denied = await Promise.all(Array.from({ length: 12 }, () => issueCall({ templateId: once.id, recipient })));
    expect(denied.filter((answer) => answer.data?.issueAward.outcome === 'ISSUED')).toHaveLength(1);
    expect(denied.filter((answer) => answer.errors?.[0]?.extensions?.['rule'] === 'onceAlreadyHeld')).toHaveLength(11);

    const other = await createActiveTemplate(org.client);
    const skipped = await Promise.all(Array.from({ length: 12 }, () => issueCall({ templateId: other.id, recipient, onDuplicate: 'SKIP' })));
    const outcomes = skipped.map((answer) => answer.data!.issueAward.outcome).sort();
    expect(outcomes).toEqual([...Array.from({ length: 11 }, () => 'ALREADY_HELD'), 'ISSUED']);
    expect(new Set(skipped.map((answer) => answer.data!.issueAward.award.id)).size).toBe(1);
  });

  it('replays one idempotency key raced by many calls as one award', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const input = { templateId: template.id, recipient: { email: 'retry@example.com', name: 'Retry' }, idempotencyKey: 'order-77' };
    const answers = await Promise.all(Array.from({ length: 12 }, () => issueCall(input)));
    const outcomes = answers.map((answer) => answer.data!.issueAward.outcome).sort();
    expect(outcomes).toEqual([...Array.from({ length: 11 }, () => 'IDEMPOTENT_REPLAY'), 'ISSUED']);
    expect(new Set(answers.map((answer) => answer.data!.issueAward.award.id)).size).toBe(1);
  });

  it('refuses a call with bad input alone, before it joins a group', async () => {
    const template = await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' });
    const before = stats();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => issueCall({ templateId: template.id, recipient: { email: i === 3 ? 'not an email' : `fine${i}@example.com`, name: `Fine ${i}` } })),
    );
    answers.forEach((answer, i) => {
      if (i === 3) expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipient.email' });
      else expect(answer.data?.issueAward.outcome).toBe('ISSUED');
    });
    // Had the bad call joined a group, the group would have failed and run again call by call.
    expect(stats().fallbacks).toBe(before.fallbacks);
  });
});
