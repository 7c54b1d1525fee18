// Every rule: the error names the field and the rule, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwardsDocument,
  CreateTemplateDocument,
  IssueAwardDocument,
  TemplatesDocument,
  UpdateOrganizationDocument,
  UpdateTemplateDocument,
  type IssueAwardInput,
  type RecipientInput,
} from './generated/graphql.js';
import { DAY } from './helpers/clock.js';
import { createActiveTemplate } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let templateId: string;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization();
  templateId = (await createActiveTemplate(org.client, { awardMode: 'REPEATABLE' })).id;
});
afterAll(() => server?.stop());

async function counts() {
  const [awards, templates] = await Promise.all([
    org.client.data(AwardsDocument, { first: 1 }),
    org.client.data(TemplatesDocument, { first: 1 }),
  ]);
  return { awards: awards.awards.totalCount, templates: templates.badgeTemplates.totalCount };
}

type IssueOverrides = Omit<Partial<IssueAwardInput>, 'recipient'> & { recipient?: Partial<RecipientInput> };

function issueInput(overrides: IssueOverrides): IssueAwardInput {
  return {
    templateId,
    ...overrides,
    recipient: { email: 'valid@example.com', name: 'Valid Person', ...overrides.recipient },
  } as IssueAwardInput;
}

const issueCases: Array<[string, IssueOverrides, string, string]> = [
  ['a whole name under 5 characters', { recipient: { name: 'Bob' } }, 'recipient.name', 'minLength'],
  ['a whole name of two wide characters (width 4)', { recipient: { name: '王明' } }, 'recipient.name', 'minLength'],
  ['a whole name of four Greek letters (Greek is narrow)', { recipient: { name: 'Νίκη' } }, 'recipient.name', 'minLength'],
  ['no name at all', { recipient: { name: null, firstName: 'Ada' } }, 'recipient.name', 'required'],
  ['an invalid email', { recipient: { email: 'ada@' } }, 'recipient.email', 'email'],
  ['an email over 254 characters', { recipient: { email: `${'a'.repeat(250)}@example.com` } }, 'recipient.email', 'maxLength'],
  ['a blank first name', { recipient: { name: null, firstName: '  ', lastName: 'Lovelace' } }, 'recipient.firstName', 'notBlank'],
  ['an expiry before the issue date', { issuedAt: '2025-06-01', expiresAt: '2025-05-31' }, 'expiresAt', 'after:issuedAt'],
  ['an expiry equal to the issue date', { issuedAt: '2025-06-01', expiresAt: '2025-06-01T00:00:00Z' }, 'expiresAt', 'after:issuedAt'],
  ['an activity that ends before it starts', { activityStartedAt: '2025-01-02', activityEndedAt: '2025-01-01' }, 'activityEndedAt', 'notBefore:activityStartedAt'],
  ['notes over 10000 characters', { notes: 'x'.repeat(10_001) }, 'notes', 'maxLength'],
  ['blank notes', { notes: ' ' }, 'notes', 'notBlank'],
  ['an image URL that is not http(s)', { imageUrl: 'javascript:alert(1)' }, 'imageUrl', 'url'],
  ['details over 16 KiB', { additionalDetails: { blob: 'x'.repeat(17_000) } }, 'additionalDetails', 'maxBytes'],
  ['a malformed template id', { templateId: 'not-an-id' }, 'templateId', 'globalId'],
];

describe('issueAward input rules', () => {
  it.each(issueCases)('refuses %s', async (_name, overrides, field, rule) => {
    const before = await counts();
    const error = await org.client.error(IssueAwardDocument, { input: issueInput(overrides) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, rule });
    expect(error.message).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('refuses an issue date in the future', async () => {
    const future = new Date(server.clock.now().getTime() + DAY).toISOString();
    const error = await org.client.error(IssueAwardDocument, { input: issueInput({ issuedAt: future }) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuedAt', rule: 'notInFuture' });
  });

  it('reports every broken rule at once', async () => {
    const error = await org.client.error(IssueAwardDocument, {
      input: issueInput({ recipient: { email: 'nope', name: 'Bob' }, notes: '' }),
    });
    expect(error.extensions?.issues?.map((issue) => `${issue.field}:${issue.rule}`).sort()).toEqual([
      'notes:notBlank',
      'recipient.email:email',
      'recipient.name:minLength',
    ]);
  });

  it('says a wide character counts as two when a name is too short', async () => {
    const error = await org.client.error(IssueAwardDocument, { input: issueInput({ recipient: { name: '김민' } }) });
    expect(error.extensions).toMatchObject({ field: 'recipient.name', rule: 'minLength' });
    expect(error.message).toContain('must be at least 5 characters (a wide character counts as two)');
  });

  it('accepts three-character Chinese, Korean and Japanese names (a wide character counts as two)', async () => {
    for (const name of ['王小明', '김민준', 'さくら']) {
      const { issueAward } = await org.client.data(IssueAwardDocument, { input: issueInput({ recipient: { name } }) });
      expect(issueAward.award.recipientName).toBe(name);
    }
  });

  it('issues names in every script the certificate draws, stored as written', async () => {
    for (const name of ['王小明', '佐藤 さくら', '김민준', 'محمد علي', 'דוד כהן', 'राहुल शर्मा', 'สมชาย ใจดี', 'Ελένη Παπαδοπούλου', 'Иван Петров', 'François Ørsted']) {
      const { issueAward } = await org.client.data(IssueAwardDocument, { input: issueInput({ recipient: { name } }) });
      expect(issueAward.award.recipientName).toBe(name);
    }
  });

  it('still counts a narrow letter as one: a short name in an alphabet is refused', async () => {
    // Only East Asian Wide and Fullwidth characters count double; Greek and Arabic letters are narrow.
    for (const name of ['Λίνα', 'علي', 'Ａｂ']) {
      const error = await org.client.error(IssueAwardDocument, { input: issueInput({ recipient: { name } }) });
      expect(error.extensions, name).toMatchObject({ field: 'recipient.name', rule: 'minLength' });
    }
    // Fullwidth Latin is wide: three fullwidth letters are enough.
    const { issueAward } = await org.client.data(IssueAwardDocument, { input: issueInput({ recipient: { name: 'Ａｂｃ' } }) });
    expect(issueAward.award.recipientName).toBe('Ａｂｃ');
  });

  it('accepts a whole name of exactly 5 characters, and first plus last name', async () => {
    await org.client.data(IssueAwardDocument, { input: issueInput({ recipient: { name: 'Ada L' } }) });
    const { issueAward } = await org.client.data(IssueAwardDocument, {
      input: issueInput({ recipient: { name: null, firstName: 'Li', lastName: 'Na' } }),
    });
    expect(issueAward.award.recipientName).toBe('Li Na');
  });
});

describe('dates', () => {
  it('accepts a date alone as midnight UTC, and date-times with any offset', async () => {
    const dateOnly = await org.client.data(IssueAwardDocument, { input: issueInput({ issuedAt: '2025-01-15' }) });
    expect(dateOnly.issueAward.award.issuedAt).toBe('2025-01-15T00:00:00.000Z');
    const offset = await org.client.data(IssueAwardDocument, { input: issueInput({ issuedAt: '2025-01-15T23:30:00-05:00' }) });
    expect(offset.issueAward.award.issuedAt).toBe('2025-01-16T04:30:00.000Z');
  });

  it.each([
    ['2025-13-01', 'a month that does not exist'],
    ['2025-02-30', 'a day that does not exist'],
    ['2025-01-15T10:00:00', 'a date-time without an offset'],
    ['15/01/2025', 'a non-ISO format'],
    ['yesterday', 'words'],
  ])('refuses %s (%s) in variables and in the document', async (value) => {
    const before = await counts();
    const inVariables = await org.client.error(IssueAwardDocument, { input: issueInput({ issuedAt: value }) });
    expect(inVariables.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(inVariables.message).toContain('issuedAt');
    expect(inVariables.message).toContain('ISO-8601');
    const inline = await org.client.raw(
      `mutation { issueAward(input: { templateId: "${templateId}", recipient: { email: "a@example.com", name: "Ada Lovelace" }, issuedAt: "${value}" }) { outcome } }`,
    );
    expect(inline.errors?.[0]?.message).toContain('ISO-8601');
    expect(inline.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });
});

describe('template input rules', () => {
  const templateCases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a blank name', { name: '   ' }, 'name', 'notBlank'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name', 'maxLength'],
    ['a blank description', { description: '' }, 'description', 'notBlank'],
    ['a criteria URL that is not a URL', { criteriaUrl: 'criteria' }, 'criteriaUrl', 'url'],
    ['an image URL that is not http(s)', { imageUrl: 'ftp://10.0.0.5/logo.png' }, 'imageUrl', 'url'],
    ['an image URL without a host', { imageUrl: 'http://' }, 'imageUrl', 'url'],
    ['more than 50 tags', { tags: Array.from({ length: 51 }, (_, i) => `tag${i}`) }, 'tags', 'maxItems'],
    ['a tag over 64 characters', { tags: ['t'.repeat(65)] }, 'tags[0]', 'maxLength'],
    ['a validity of 0 days', { validityDays: 0 }, 'validityDays', 'min'],
  ];
  it.each(templateCases)('refuses %s', async (_name, overrides, field, rule) => {
    const before = await counts();
    const error = await org.client.error(CreateTemplateDocument, {
      input: { name: 'Valid', description: 'Valid.', ...overrides } as never,
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, rule });
    expect(await counts()).toEqual(before);
  });

  it('accepts image URLs on IP addresses and single-label hosts (fetching them is the certificate policy’s call)', async () => {
    const urls = ['http://10.0.0.5/logo.png', 'http://intranet/logo.png', 'http://badges:8080/b.png', 'http://[fd00::5]:8080/logo.png', 'https://badges.example/b.png'];
    for (const imageUrl of urls) {
      const { createBadgeTemplate } = await org.client.data(CreateTemplateDocument, { input: { name: 'Hosts', description: 'Hosts.', imageUrl } });
      expect(createBadgeTemplate.badgeTemplate.imageUrl).toBe(imageUrl);
      const { updateOrganization } = await org.client.data(UpdateOrganizationDocument, { input: { imageUrl } });
      expect(updateOrganization.organization.imageUrl).toBe(imageUrl);
    }
    // Still refused, with the rule named: no host at all, or another scheme.
    for (const imageUrl of ['https://', 'file:///etc/passwd', 'intranet/logo.png']) {
      const error = await org.client.error(UpdateOrganizationDocument, { input: { imageUrl } });
      expect(error.extensions, imageUrl).toMatchObject({ code: 'BAD_USER_INPUT', field: 'imageUrl', rule: 'url' });
    }
  });

  it('refuses null for a field that cannot be empty', async () => {
    const error = await org.client.error(UpdateTemplateDocument, { input: { id: templateId, name: null } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', rule: 'notNull' });
  });
});

describe('lists', () => {
  it('refuses a page larger than 100', async () => {
    const error = await org.client.error(AwardsDocument, { first: 101 });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first', rule: 'max' });
    const ok = await org.client.data(AwardsDocument, { first: 100 });
    expect(ok.awards.edges.length).toBeLessThanOrEqual(100);
  });
});
