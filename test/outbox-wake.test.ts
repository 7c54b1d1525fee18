// Waking the outbox workers: a change that queued mail or webhook deliveries wakes the workers of
// every instance (through Redis), so what it queued goes out at once although the polls here come
// every ten minutes; a change that queued nothing wakes no worker, and no outbox is read.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateWebhookEndpointDocument, IssueAwardsDocument } from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually } from './helpers/live.js';
import { QUIET_POLLERS, startServer, statementsSettled, type TestOrganization, type TestServer } from './helpers/server.js';
import { startSmtp, type TestSmtp } from './helpers/smtp.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let smtp: TestSmtp;
let receiver: Server;
let receiverUrl: string;
const hooks: Array<{ path: string; body: string }> = [];
/** Queues, the only instance still running its outbox workers. */
let queuing: TestServer;
let sending: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  smtp = await startSmtp();
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hooks.push({ path: request.url ?? '', body });
      response.end('ok');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const env = {
    ...QUIET_POLLERS,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'badges@example.com',
    WEBHOOK_ADDRESSES: 'all',
    REDIS_URL,
    REDIS_CHANNEL: `badges:test:${randomBytes(6).toString('hex')}`,
  };
  queuing = await startServer(env);
  sending = await startServer(env, { alongside: queuing });
  // From here on only `sending` sends, and it hears of queued rows only through Redis.
  await queuing.app.outbox.stop();
  await queuing.app.webhooks.stop();
  org = await queuing.createOrganization('Wake Academy');
});

afterAll(async () => {
  await sending?.stop();
  await queuing?.stop();
  await smtp?.close();
  receiver?.close();
});

describe('a change that queued something', () => {
  it('wakes the mail worker of another instance: an issue from a template that emails on issue is mailed at once', async () => {
    const emailing = await createActiveTemplate(org.client, { name: 'Wake-up Mail', emailOnIssue: true, awardMode: 'REPEATABLE' });
    const before = smtp.received.length;
    await org.client.data(IssueAwardsDocument, {
      input: { awards: [{ templateId: emailing.id, recipient: { email: 'woken@example.com', name: 'Woken Earner' } }] },
    });
    const [received] = (await smtp.waitFor(before + 1, 5_000)).slice(before);
    expect(received!.envelope.to).toEqual(['woken@example.com']);
    expect(received!.mail.subject).toContain('Wake-up Mail');
  });

  it('wakes the webhook worker of another instance: a delivery of an issue goes out at once', async () => {
    const template = await createActiveTemplate(org.client, { name: 'Wake-up Hook' });
    await org.client.data(CreateWebhookEndpointDocument, { input: { url: `${receiverUrl}/wake`, events: ['award.issued'] } });
    const { award } = await issue(org.client, template.id, 'hooked@example.com');
    await eventually(() => hooks.some((entry) => entry.path === '/wake'), 5_000);
    const hook = hooks.find((entry) => entry.path === '/wake')!;
    expect((JSON.parse(hook.body) as { type: string }).type).toBe('award.issued');
    expect(hook.body).toContain(award.id);
  });
});

describe('a change that queued nothing', () => {
  it('reads no outbox: an issue with no mail and no webhook endpoint wakes no worker', async () => {
    const quiet = await queuing.createOrganization('Quiet Academy');
    const template = await createActiveTemplate(quiet.client, { name: 'Silent Badge' });
    await statementsSettled(queuing);
    await statementsSettled(sending);
    queuing.statements.length = 0;
    sending.statements.length = 0;
    const { award } = await issue(quiet.client, template.id, 'silent@example.com');
    expect(award.id).toBeTruthy();
    await statementsSettled(queuing);
    await statementsSettled(sending);
    const outboxReads = [...queuing.statements, ...sending.statements].filter(
      (sql) => /[`"](EmailMessage|WebhookDelivery)[`"]/.test(sql) && /^\s*SELECT/i.test(sql),
    );
    expect(outboxReads).toEqual([]);
    // The issue itself did run: its statements were counted.
    expect(queuing.statements.some((sql) => /INSERT INTO [`"]Award[`"]/.test(sql))).toBe(true);
  });
});
