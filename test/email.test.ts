// Award email through the outbox, against a real SMTP server: what arrives, retries with backoff,
// permanent refusals, the .eml fallback, header injection, templates that email on issue (people
// and automation), all-or-nothing recording, and several instances sharing one database.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import {
  CreateApiKeyDocument,
  EmailMessageDocument,
  EmailMessagesDocument,
  IssueAwardsDocument,
  RecordActionDocument,
  RevokeAwardDocument,
  SendAwardEmailDocument,
  SetAwardRuleDocument,
  ShareAwardDocument,
  type EmailMessageFieldsFragment,
} from './generated/graphql.js';
import type { GraphQLClient } from './helpers/client.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';
import { startSmtp, type TestSmtp } from './helpers/smtp.js';

const FAST = { EMAIL_POLL_SECONDS: '0.05', EMAIL_RETRY_BASE_SECONDS: '0.05', MAIL_FROM: 'badges@example.com' };

let smtp: TestSmtp;
let server: TestServer;
let org: TestOrganization;
let templateId: string;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startServer({ ...FAST, SMTP_URL: smtp.url });
  org = await server.createOrganization('Acme Academy');
  templateId = (await createActiveTemplate(org.client, { name: 'Rust Ranger', awardMode: 'REPEATABLE' })).id;
});

afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

async function settled(client: GraphQLClient, id: string, timeoutMs = 10_000): Promise<EmailMessageFieldsFragment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { emailMessage } = await client.data(EmailMessageDocument, { id });
    if (emailMessage && emailMessage.status !== 'QUEUED') return emailMessage;
    if (Date.now() > deadline) throw new Error(`Message still queued: ${JSON.stringify(emailMessage)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('sendAwardEmail', () => {
  it('delivers the award email to the earner: sender named after the organization, HTML and text parts', async () => {
    const { award } = await issue(org.client, templateId, 'grace@example.com', { recipient: { email: 'grace@example.com', name: 'Grace Hopper' } });
    const before = smtp.received.length;
    const { sendAwardEmail } = await org.client.data(SendAwardEmailDocument, { awardId: award.id });
    expect(sendAwardEmail.emailMessage).toMatchObject({ kind: 'AWARD_NOTIFICATION', recipients: ['grace@example.com'], award: { id: award.id } });
    const message = await settled(org.client, sendAwardEmail.emailMessage.id);
    expect(message).toMatchObject({ status: 'SENT', attempts: 1, lastError: null });
    expect(message.sentAt).not.toBeNull();

    const [received] = (await smtp.waitFor(before + 1)).slice(before);
    expect(received!.envelope).toEqual({ from: 'badges@example.com', to: ['grace@example.com'] });
    const { mail } = received!;
    expect(mail.from?.value).toEqual([{ name: 'Acme Academy', address: 'badges@example.com' }]);
    expect(mail.subject).toBe('You have received the badge “Rust Ranger” from Acme Academy');
    expect(mail.text).toContain('Hello Grace Hopper,');
    expect(mail.text).toContain(award.publicUrl);
    expect(mail.text).toContain(`${award.publicUrl}/pdf`);
    expect(mail.html).toContain('<strong>Rust Ranger</strong>');
    expect(mail.html).toContain(`href="${award.publicUrl}"`);
    expect(mail.messageId).toMatch(/@example\.com>$/);
  });

  it('retries a server that says "try later" with backoff: one delivery, SENT after 3 attempts', async () => {
    const { award } = await issue(org.client, templateId, 'retry@example.com');
    const before = smtp.received.length;
    smtp.refuseNext(2, 451);
    const { sendAwardEmail } = await org.client.data(SendAwardEmailDocument, { awardId: award.id });
    const message = await settled(org.client, sendAwardEmail.emailMessage.id);
    expect(message).toMatchObject({ status: 'SENT', attempts: 3, lastError: null });
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives later
    const delivered = smtp.received.slice(before).filter((entry) => entry.envelope.to.includes('retry@example.com'));
    expect(delivered).toHaveLength(1);
  });

  it('gives up at once on a permanent refusal, with the reason', async () => {
    const { award } = await issue(org.client, templateId, 'refused@example.com');
    smtp.refuseNext(1, 550);
    const { sendAwardEmail } = await org.client.data(SendAwardEmailDocument, { awardId: award.id });
    const message = await settled(org.client, sendAwardEmail.emailMessage.id);
    expect(message).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(message.lastError).toContain('Mailbox unavailable');
    expect(message.failedAt).not.toBeNull();
  });

  it('refuses revoked awards, and needs the email:send permission', async () => {
    const { award } = await issue(org.client, templateId, 'revoked-mail@example.com');
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Mistake.' });
    const error = await org.client.error(SendAwardEmailDocument, { awardId: award.id });
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', field: 'awardId' });

    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Issuer', permissions: ['READ', 'AWARDS_ISSUE'] } });
    const issuer = org.client.withHeaders({ 'x-api-key': createApiKey.secret });
    expect((await issuer.error(SendAwardEmailDocument, { awardId: award.id })).extensions?.code).toBe('FORBIDDEN');
  });
});

describe('shareAward', () => {
  it('sends each address a message of its own, with the sharer’s subject and message', async () => {
    const { award } = await issue(org.client, templateId, 'linus@example.com', { recipient: { email: 'linus@example.com', name: 'Linus Ørsted' } });
    const before = smtp.received.length;
    const recipients = ['manager@example.com', 'hr@example.com', 'mentor@example.org'];
    const { shareAward } = await org.client.data(ShareAwardDocument, {
      input: { awardId: award.id, recipients, subject: 'Check out my new badge!', message: 'I just earned it.\nSee <below>.' },
    });
    // One outbox row per address, in the order given, each with its own status.
    expect(shareAward.emailMessages.map((message) => message.recipients)).toEqual(recipients.map((address) => [address]));
    expect(new Set(shareAward.emailMessages.map((message) => message.id)).size).toBe(3);
    for (const message of shareAward.emailMessages) {
      expect(message).toMatchObject({ kind: 'AWARD_SHARE', subject: 'Check out my new badge!' });
      expect(await settled(org.client, message.id)).toMatchObject({ status: 'SENT', attempts: 1 });
    }

    const delivered = (await smtp.waitFor(before + 3)).slice(before);
    expect(delivered).toHaveLength(3);
    expect(delivered.map((entry) => entry.envelope.to).sort()).toEqual(recipients.map((address) => [address]).sort());
    for (const { envelope, mail } of delivered) {
      const [own] = envelope.to;
      // Nothing in the delivered message (headers, text, HTML) names another recipient.
      const raw = [...mail.headerLines.map((header) => header.line), mail.text ?? '', String(mail.html)].join('\n');
      for (const other of recipients.filter((address) => address !== own)) expect(raw, `${own} sees ${other}`).not.toContain(other);
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((address) => address.address) : []).toEqual([own]);
      expect(mail.cc).toBeUndefined();
      expect(mail.bcc).toBeUndefined();
      expect(mail.subject).toBe('Check out my new badge!');
      expect(mail.from?.value[0]).toEqual({ name: 'Linus Ørsted via Acme Academy', address: 'badges@example.com' });
      expect(mail.text).toContain('I just earned it.\nSee <below>.');
      expect(mail.html).toContain('I just earned it.<br>See &lt;below&gt;.');
      expect(mail.html).not.toContain('<below>');
    }
  });

  it('retries and fails each recipient’s message on its own', async () => {
    const { award } = await issue(org.client, templateId, 'split@example.com');
    smtp.refuseNext(1, 550);
    const { shareAward } = await org.client.data(ShareAwardDocument, {
      input: { awardId: award.id, recipients: ['first@example.com', 'second@example.com'], subject: 'Look', message: 'Mine.' },
    });
    const settledAll = await Promise.all(shareAward.emailMessages.map((message) => settled(org.client, message.id)));
    // Whichever reached the server first met the refusal; the other was still sent.
    expect(settledAll.map((message) => message.status).sort()).toEqual(['FAILED', 'SENT']);
    expect(settledAll.every((message) => message.attempts === 1)).toBe(true);
  });

  it('refuses bad input, naming the field and rule, and queues nothing', async () => {
    const { award } = await issue(org.client, templateId, 'checks@example.com');
    const count = async () => (await org.client.data(EmailMessagesDocument, { filter: { awardId: award.id } })).emailMessages.totalCount;
    const share = (input: Partial<{ recipients: string[]; subject: string; message: string; senderName: string }>) =>
      org.client.error(ShareAwardDocument, {
        input: { awardId: award.id, recipients: ['a@example.com'], subject: 'Hello', message: 'Look.', ...input },
      });
    const cases: Array<[Parameters<typeof share>[0], string, string]> = [
      [{ recipients: Array.from({ length: 21 }, (_, i) => `r${i}@example.com`) }, 'recipients', 'maxItems'],
      [{ recipients: [] }, 'recipients', 'minItems'],
      [{ recipients: ['a@example.com', 'not an address'] }, 'recipients[1]', 'email'],
      [{ recipients: ['a@example.com', 'A@example.com'] }, 'recipients[1]', 'uniqueItems'],
      [{ recipients: ['a@example.com\r\nBcc: victim@example.com'] }, 'recipients[0]', 'email'],
      [{ subject: 'Hi\r\nBcc: victim@example.com' }, 'subject', 'singleLine'],
      [{ subject: 'Hi\nX-Injected: 1' }, 'subject', 'singleLine'],
      [{ senderName: 'Eve\r\nBcc: victim@example.com' }, 'senderName', 'singleLine'],
      [{ subject: ' ' }, 'subject', 'notBlank'],
      [{ message: 'x'.repeat(5001) }, 'message', 'maxLength'],
    ];
    for (const [input, field, rule] of cases) {
      expect((await share(input)).extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field, rule });
    }
    expect(await count()).toBe(0);
  });
});

describe('templates that email on issue', () => {
  it('queue the award email in the issuing transaction, for bulk issues, and not for failed ones', async () => {
    const emailing = await createActiveTemplate(org.client, { name: 'Auto Mail Badge', emailOnIssue: true, awardMode: 'ONCE' });
    expect(emailing.emailOnIssue).toBe(true);
    const before = smtp.received.length;
    const { issueAwards } = await org.client.data(IssueAwardsDocument, {
      input: {
        awards: [
          { templateId: emailing.id, recipient: { email: 'auto1@example.com', name: 'Auto One' } },
          { templateId: emailing.id, recipient: { email: 'auto2@example.com', name: 'Auto Two' } },
          { templateId, recipient: { email: 'auto3@example.com', name: 'Not emailed' } },
        ],
      },
    });
    const received = (await smtp.waitFor(before + 2)).slice(before);
    expect(received.map((entry) => entry.envelope.to[0]).sort()).toEqual(['auto1@example.com', 'auto2@example.com']);
    const first = issueAwards.results[0]!.award.id;
    const { emailMessages } = await org.client.data(EmailMessagesDocument, { filter: { awardId: first } });
    expect(emailMessages.totalCount).toBe(1);
    const third = issueAwards.results[2]!.award.id;
    expect((await org.client.data(EmailMessagesDocument, { filter: { awardId: third } })).emailMessages.totalCount).toBe(0);

    // A bulk issue that fails (a ONCE badge already held) records no message at all.
    const total = async () => (await org.client.data(EmailMessagesDocument, {})).emailMessages.totalCount;
    const queuedBefore = await total();
    const failed = await org.client.error(IssueAwardsDocument, {
      input: {
        awards: [
          { templateId: emailing.id, recipient: { email: 'auto4@example.com', name: 'Auto Four' } },
          { templateId: emailing.id, recipient: { email: 'auto1@example.com', name: 'Auto One' } },
        ],
      },
    });
    expect(failed.extensions?.code).toBe('CONFLICT');
    expect(await total()).toBe(queuedBefore);
  });

  it('also when automation issues the award', async () => {
    const ruled = await createActiveTemplate(org.client, { name: 'Helpful Answerer', emailOnIssue: true });
    await org.client.data(SetAwardRuleDocument, { input: { templateId: ruled.id, action: { type: 'answer.accepted', minCount: 1 } } });
    await server.app.scheduler.tick();
    const before = smtp.received.length;
    await org.client.data(RecordActionDocument, {
      input: { earner: { email: 'helper@example.com', name: 'Helpful Person' }, type: 'answer.accepted' },
    });
    const [{ mail, envelope }] = (await smtp.waitFor(before + 1)).slice(before) as [(typeof smtp.received)[number]];
    expect(envelope.to).toEqual(['helper@example.com']);
    expect(mail.subject).toContain('Helpful Answerer');
  });
});

describe('the outbox', () => {
  // These tests stop the test server's own worker, so they come last.
  const silent = pino({ level: 'silent' });

  it('loses nothing when the sending instance dies: another instance on the database sends it later', async () => {
    const { award } = await issue(org.client, templateId, 'survivor@example.com');
    await server.app.outbox.stop(); // from here on, only the instances below send
    // An instance whose mail server is down, and that stops (as if it died) before its retry.
    const config = { ...server.app.deps.config, smtpUrl: 'smtp://127.0.0.1:1', emailRetryBaseMs: 60_000, port: 0 };
    const doomed = await createApp({ config, migrate: false, logger: silent, clock: server.clock });
    const { sendAwardEmail } = await org.client.data(SendAwardEmailDocument, { awardId: award.id });
    const id = sendAwardEmail.emailMessage.id;
    await doomed.outbox.tick();
    await doomed.stop();
    let message = (await org.client.data(EmailMessageDocument, { id })).emailMessage!;
    expect(message).toMatchObject({ status: 'QUEUED', attempts: 1 });
    expect(message.lastError).toMatch(/ECONNREFUSED|connect/i);

    const before = smtp.received.length;
    const successor = await createApp({ config: { ...config, smtpUrl: smtp.url }, migrate: false, logger: silent, clock: server.clock });
    try {
      await successor.outbox.tick();
      expect((await org.client.data(EmailMessageDocument, { id })).emailMessage!.status).toBe('QUEUED'); // not due yet
      server.clock.advance(61_000);
      await successor.outbox.tick();
      message = (await org.client.data(EmailMessageDocument, { id })).emailMessage!;
      expect(message).toMatchObject({ status: 'SENT', attempts: 2 });
      expect(smtp.received.slice(before).map((entry) => entry.envelope.to[0])).toEqual(['survivor@example.com']);
    } finally {
      await successor.stop();
    }
  });

  it('does not send the award email of an award revoked before it went out', async () => {
    const { award } = await issue(org.client, templateId, 'withdrawn@example.com');
    const { sendAwardEmail } = await org.client.data(SendAwardEmailDocument, { awardId: award.id });
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Withdrawn.' });
    const before = smtp.received.length;
    const worker = await createApp({ config: { ...server.app.deps.config, smtpUrl: smtp.url, port: 0 }, migrate: false, logger: silent, clock: server.clock });
    try {
      await worker.outbox.tick();
    } finally {
      await worker.stop();
    }
    const message = (await org.client.data(EmailMessageDocument, { id: sendAwardEmail.emailMessage.id })).emailMessage!;
    expect(message).toMatchObject({ status: 'FAILED', attempts: 1, lastError: 'The award was revoked before the message was sent.' });
    expect(smtp.received.length).toBe(before);
  });

  it('sends each message once when several instances work the same database', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const { award } = await issue(org.client, templateId, `parallel${index}@example.com`);
      ids.push((await org.client.data(SendAwardEmailDocument, { awardId: award.id })).sendAwardEmail.emailMessage.id);
    }
    const before = smtp.received.length;
    const config = { ...server.app.deps.config, smtpUrl: smtp.url, port: 0 };
    const instances = await Promise.all([1, 2, 3].map(() => createApp({ config, migrate: false, logger: silent, clock: server.clock })));
    try {
      await Promise.all(instances.map((instance) => instance.outbox.tick()));
      // A pass that lost a race (or met a busy database) leaves the rest to the next pass.
      for (let pass = 0; pass < 20 && smtp.received.length < before + 12; pass += 1) {
        await Promise.all(instances.map((instance) => instance.outbox.tick()));
      }
      const delivered = smtp.received.slice(before).map((entry) => entry.envelope.to[0]);
      expect(delivered.sort()).toEqual(Array.from({ length: 12 }, (_, index) => `parallel${index}@example.com`).sort());
      for (const id of ids) {
        expect((await org.client.data(EmailMessageDocument, { id })).emailMessage).toMatchObject({ status: 'SENT', attempts: 1 });
      }
    } finally {
      await Promise.all(instances.map((instance) => instance.stop()));
    }
  });
});

describe('without SMTP', () => {
  it('writes each message as an .eml file that parses', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const local = await startServer({ ...FAST, EMAIL_OUTBOX_DIR: dir });
    try {
      const other = await local.createOrganization('Local Org');
      const template = await createActiveTemplate(other.client, { name: 'Offline Badge' });
      const { award } = await issue(other.client, template.id, 'offline@example.com', { recipient: { email: 'offline@example.com', name: 'Анна Каренина' } });
      const { sendAwardEmail } = await other.client.data(SendAwardEmailDocument, { awardId: award.id });
      expect(await settled(other.client, sendAwardEmail.emailMessage.id)).toMatchObject({ status: 'SENT', attempts: 1 });
      const files = (await readdir(dir)).filter((file) => file.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const mail = await simpleParser(await readFile(path.join(dir, files[0]!)));
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : []).toEqual([{ name: 'Анна Каренина', address: 'offline@example.com' }]);
      expect(mail.from?.value).toEqual([{ name: 'Local Org', address: 'badges@example.com' }]);
      expect(mail.subject).toBe('You have received the badge “Offline Badge” from Local Org');
      expect(mail.text).toContain('Hello Анна Каренина,');
      expect(mail.html).toContain('Offline Badge');
    } finally {
      await local.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
