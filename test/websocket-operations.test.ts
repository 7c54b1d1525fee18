// Queries and mutations sent over the websocket, as the graphql-ws client sends them when an app
// routes every operation through it: answered with the same auth, limits and tenancy as over
// HTTP, and never at the cost of the socket or of the subscriptions it carries.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwardDocument,
  CreateApiKeyDocument,
  IssueAwardDocument,
  OnAwardIssuedDocument,
  OnAwardChangedDocument,
  ViewerDocument,
} from './generated/graphql.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;
let other: TestOrganization;
let templateId: string;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Socket School');
  other = await server.createOrganization('Other School');
  templateId = (await createActiveTemplate(org.client, { name: 'Socket Badge', awardMode: 'REPEATABLE' })).id;
});
afterAll(() => server?.stop());

/** The one result of a query or mutation sent over the socket. */
async function overSocket<Data>(client: Client, document: TypedDocumentNode<Data, any>, variables: Record<string, unknown> = {}) {
  const results = [];
  for await (const result of client.iterate<Data>({ query: print(document), variables })) results.push(result);
  expect(results).toHaveLength(1);
  return results[0]!;
}

/** The errors of an operation the server refuses before running it (graphql-ws `error` message). */
async function refusedOverSocket(client: Client, query: string) {
  try {
    for await (const _ of client.iterate({ query })) throw new Error('the operation ran');
  } catch (errors) {
    return errors as Array<{ message: string }>;
  }
  throw new Error('the operation completed without a result');
}

describe('queries and mutations over the websocket', () => {
  it('are answered on the socket that carries a subscription, which keeps running', async () => {
    const live = liveClient(server.url, { apiKey: org.apiKey });
    try {
      const joined = server.app.subscriptions.stats.joined;
      const issued = new Subscription(live.client, OnAwardIssuedDocument);
      await eventually(() => server.app.subscriptions.stats.joined > joined);

      const viewer = await overSocket(live.client, ViewerDocument);
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data?.viewer.organization.name).toBe('Socket School');

      const mutation = await overSocket(live.client, IssueAwardDocument, {
        input: { templateId, recipient: { email: 'ws@example.com', name: 'Wendy Socket' } },
      });
      expect(mutation.errors).toBeUndefined();
      const awardId = mutation.data!.issueAward.award.id;
      expect((await issued.data()).awardIssued.awardId).toBe(awardId);

      // A mistake in one operation answers that operation with an error, nothing more.
      const invalid = await refusedOverSocket(live.client, '{ viewer { nosuchfield } }');
      expect(invalid[0]?.message).toMatch(/nosuchfield/);
      const refused = await overSocket(live.client, IssueAwardDocument, { input: { templateId, recipient: { email: 'not an email', name: 'Nobody Here' } } });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipient.email' });

      // The subscription and the socket survived all of it.
      await issue(org.client, templateId, 'after@example.com');
      expect((await issued.data()).awardIssued.award?.earner.email).toBe('after@example.com');
      expect(live.closes).toEqual([]);
      expect(live.connections).toBe(1);
      issued.dispose();
    } finally {
      await live.client.dispose();
    }
  });

  it('see only their own organization and need the same permissions as over HTTP', async () => {
    const { award } = await issue(org.client, templateId, 'private@example.com');
    const outsider = liveClient(server.url, { apiKey: other.apiKey });
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Reader', permissions: ['READ'] } });
    const reader = liveClient(server.url, { apiKey: createApiKey.secret });
    try {
      const foreign = await overSocket(outsider.client, AwardDocument, { id: award.id });
      expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(foreign.data?.award ?? null).toBeNull();

      const own = await overSocket(reader.client, AwardDocument, { id: award.id });
      expect(own.data?.award?.id).toBe(award.id);
      const forbidden = await overSocket(reader.client, IssueAwardDocument, { input: { templateId, recipient: { email: 'x@example.com', name: 'Xavier Example' } } });
      expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect([...outsider.closes, ...reader.closes]).toEqual([]);
    } finally {
      await outsider.client.dispose();
      await reader.client.dispose();
    }
  });
});

describe('subscriptions filtered on a record', () => {
  it('refuse an unknown or another organization’s template or earner, as queries do', async () => {
    const foreignTemplate = await createActiveTemplate(other.client, { name: 'Foreign' });
    const live = liveClient(server.url, { apiKey: org.apiKey });
    try {
      for (const filter of [{ templateId: foreignTemplate.id }, { earnerId: Buffer.from('Earner:00000000-0000-7000-8000-000000000000').toString('base64') }]) {
        const subscription = new Subscription(live.client, OnAwardChangedDocument, { filter });
        const refused = await subscription.next();
        expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
      }
      expect(live.closes).toEqual([]);
    } finally {
      await live.client.dispose();
    }
  });
});
