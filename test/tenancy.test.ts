// One organization can never read or change another's data: for every query, mutation and
// subscription, another organization's ids behave exactly like ids that do not exist. The few
// entry points open to anyone are listed with their reason, and show the same to every caller.
import { setTimeout as sleep } from 'node:timers/promises';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSchema } from '../src/schema.js';
import {
  AcceptAwardDocument,
  ActionsDocument,
  ActivateTemplateDocument,
  AddPointsBatchDocument,
  AddPointsDocument,
  AutomationJobsDocument,
  AwardsCsvDocument,
  AwardForActionDocument,
  EarnerActivityDocument,
  EndMembershipDocument,
  ImportCredentialsDocument,
  MembershipsDocument,
  RecordActionDocument,
  RemoveAwardRuleDocument,
  SetAwardRuleDocument,
  StartMembershipDocument,
  ApiKeysDocument,
  ArchiveTemplateDocument,
  AwardDocument,
  AwardsDocument,
  CreateApiKeyDocument,
  CreateTemplateDocument,
  DeleteAwardDocument,
  EmailMessageDocument,
  EmailMessagesDocument,
  PublicAwardDocument,
  SendAwardEmailDocument,
  ShareAwardDocument,
  EarnerDocument,
  EarnersDocument,
  IssueAwardDocument,
  IssueAwardsDocument,
  NodeDocument,
  NodesDocument,
  RejectAwardDocument,
  RestoreAwardDocument,
  RevokeApiKeyDocument,
  RevokeAwardDocument,
  TemplateDocument,
  TemplatesDocument,
  UpdateAwardDocument,
  UpdateEarnerDocument,
  UpdateOrganizationDocument,
  UpdateTemplateDocument,
  ViewerDocument,
  LeaderboardRankDocument,
  LeaderboardTopDocument,
  AwardEngagementDocument,
  RecordEngagementDocument,
  IssuerStatisticsDocument,
  AwardCredentialDocument,
  CredentialIssuerDocument,
  RotateCredentialKeysDocument,
  VerifyCredentialDocument,
  OnAwardIssuedDocument,
  OnAwardsIssuedDocument,
  OnAwardRevokedDocument,
  OnAwardChangedDocument,
  OnBadgeTemplateChangedDocument,
  AutomationJobChangedDocument,
  ImportAwardsDocument,
  ImportJobChangedDocument,
  ImportJobDocument,
  ImportJobsDocument,
  OnLeaderboardChangedDocument,
  OnCredentialStatusChangedDocument,
  OnLeaderboardScreenDocument,
  PublishedLeaderboardsDocument,
  PublishLeaderboardDocument,
  UnpublishLeaderboardDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  DisableWebhookEndpointDocument,
  EnableWebhookEndpointDocument,
  PingWebhookEndpointDocument,
  RedeliverWebhookDeliveryDocument,
  RotateWebhookSecretDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointDocument,
  WebhookEndpointsDocument,
  WebhookEventTypesDocument,
} from './generated/graphql.js';
import { getNamedType, type GraphQLObjectType } from 'graphql';
import type { GraphQLErrorBody } from './helpers/client.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { eventually, liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let a: TestOrganization;
let b: TestOrganization;
let mine: {
  templateId: string;
  awardId: string;
  revokedAwardId: string;
  earnerId: string;
  apiKeyId: string;
  ruledTemplateId: string;
  membershipId: string;
  actionId: string;
  emailMessageId: string;
  publicId: string;
  webhookEndpointId: string;
  webhookDeliveryId: string;
};
let snapshot: unknown;

async function snapshotOfA() {
  const [templates, awards, earners, keys, viewer] = await Promise.all([
    a.client.data(TemplatesDocument, {}),
    a.client.data(AwardsDocument, {}),
    a.client.data(EarnersDocument, {}),
    a.client.data(ApiKeysDocument),
    a.client.data(ViewerDocument),
  ]);
  const award = await a.client.data(AwardDocument, { id: mine.awardId });
  const template = await a.client.data(TemplateDocument, { id: mine.templateId });
  const [activity, memberships, actions, jobs] = await Promise.all([
    a.client.data(EarnerActivityDocument, { id: mine.earnerId }),
    a.client.data(MembershipsDocument, {}),
    a.client.data(ActionsDocument, {}),
    a.client.data(AutomationJobsDocument, {}),
  ]);
  const keyStates = keys.viewer.organization.apiKeys.edges.map((e) => e.node.active);
  // The endpoint as configured (its deliveries' attempts move on in the background).
  const { webhookEndpoint } = await a.client.data(WebhookEndpointDocument, { id: mine.webhookEndpointId });
  const endpoint = { url: webhookEndpoint?.url, events: webhookEndpoint?.events, enabled: webhookEndpoint?.enabled, description: webhookEndpoint?.description };
  return { templates, awards, earners, keys: keyStates, viewer, award, template, activity, memberships, actions, jobs, endpoint };
}

beforeAll(async () => {
  // A webhook to a documentation address (public, unreachable): attempts fail fast in the background.
  server = await startServer({ WEBHOOK_TIMEOUT_SECONDS: '0.2' });
  a = await server.createOrganization('Organization A');
  b = await server.createOrganization('Organization B');
  const template = await createActiveTemplate(a.client);
  const { award } = await issue(a.client, template.id, 'a-earner@example.com', { recipient: { email: 'a-earner@example.com', name: 'Earner of A', externalId: 'a-ext' } });
  const revoked = await issue(a.client, (await createActiveTemplate(a.client)).id, 'a-earner@example.com');
  await a.client.data(RevokeAwardDocument, { id: revoked.award.id, reason: 'Test.' });
  const key = await a.client.data(CreateApiKeyDocument, { input: { name: 'A reader', permissions: ['READ'] } });
  const ruled = await createActiveTemplate(a.client);
  await a.client.data(SetAwardRuleDocument, { input: { templateId: ruled.id, points: { category: 'lifetime', threshold: 10 } } });
  await server.app.scheduler.tick();
  const earnerId = award.earner.id;
  await a.client.data(AddPointsDocument, { input: { earnerId, amount: 5, idempotencyKey: 'shared-points-key' } });
  const membership = await a.client.data(StartMembershipDocument, { input: { earnerId, productId: 'mango' } });
  const action = await a.client.data(RecordActionDocument, { input: { earnerId, type: 'answer.accepted', idempotencyKey: 'shared-action-key' } });
  const sent = await a.client.data(SendAwardEmailDocument, { awardId: award.id });
  await server.app.outbox.tick();
  const hook = await a.client.data(CreateWebhookEndpointDocument, { input: { url: 'http://203.0.113.10/hook', events: ['award.issued'] } });
  const webhookEndpointId = hook.createWebhookEndpoint.webhookEndpoint.id;
  const ping = await a.client.data(PingWebhookEndpointDocument, { id: webhookEndpointId });
  mine = {
    webhookEndpointId,
    webhookDeliveryId: ping.pingWebhookEndpoint.webhookDelivery.id,
    emailMessageId: sent.sendAwardEmail.emailMessage.id,
    publicId: award.publicId,
    ruledTemplateId: ruled.id,
    membershipId: membership.startMembership.membership.id,
    actionId: action.recordAction.action.id,
    templateId: template.id,
    awardId: award.id,
    revokedAwardId: revoked.award.id,
    earnerId: award.earner.id,
    apiKeyId: key.createApiKey.apiKey.id,
  };
  snapshot = await snapshotOfA();
});
afterAll(() => server?.stop());

const covered = new Set<string>();

/**
 * Entry points that need no API key, each with the reason it is open. Everything else needs a
 * permission, which the coverage check below reads from the schema.
 */
const PUBLIC: Record<string, string> = {
  'Query.publicAward': 'the award page an earner shares; its public id is the secret',
  'Query.verifyCredential': 'verifiers hold no key; what they learn is in the credential they pass',
  'Query.awardEngagement': 'the counters a public award page shows: numbers only',
  'Mutation.recordEngagement': 'a public award page reports its views and shares',
  'Subscription.credentialStatusChanged': 'wallets and verifiers follow a credential’s status by its public id',
  'Subscription.leaderboardScreen': 'a published board’s screen; its public id is the secret, and it shows names and scores only',
};
/** Public entry points a test showed to give anyone (organization B, no key) the same answer. */
const sameToAnyone = new Set<string>();

function expectNotFound(error: GraphQLErrorBody) {
  expect(error.extensions?.code).toBe('NOT_FOUND');
}

describe('queries', () => {
  it('node and nodes return null for another organization’s ids, as for unknown ones', async () => {
    covered.add('Query.node').add('Query.nodes');
    const organizationId = (await a.client.data(ViewerDocument)).viewer.organization.id;
    for (const id of [mine.templateId, mine.awardId, mine.earnerId, mine.apiKeyId, organizationId]) {
      expect((await b.client.data(NodeDocument, { id })).node).toBeNull();
      expect((await a.client.data(NodeDocument, { id })).node?.id).toBe(id);
    }
    const nodes = await b.client.data(NodesDocument, { ids: [mine.templateId, mine.awardId, mine.earnerId] });
    expect(nodes.nodes).toEqual([null, null, null]);
  });

  it('single lookups say NOT_FOUND', async () => {
    covered.add('Query.badgeTemplate').add('Query.award').add('Query.earner');
    expectNotFound(await b.client.error(TemplateDocument, { id: mine.templateId }));
    expectNotFound(await b.client.error(AwardDocument, { id: mine.awardId }));
    expectNotFound(await b.client.error(EarnerDocument, { id: mine.earnerId }));
    expectNotFound(await b.client.error(EarnerDocument, { email: 'a-earner@example.com' }));
    expectNotFound(await b.client.error(EarnerDocument, { externalId: 'a-ext' }));
  });

  it('lists hold only the caller’s records, whatever the filter', async () => {
    covered.add('Query.badgeTemplates').add('Query.awards').add('Query.earners').add('Query.viewer');
    expect((await b.client.data(TemplatesDocument, {})).badgeTemplates.totalCount).toBe(0);
    expect((await b.client.data(AwardsDocument, {})).awards.totalCount).toBe(0);
    expect((await b.client.data(AwardsDocument, { filter: { templateId: mine.templateId } })).awards.totalCount).toBe(0);
    expect((await b.client.data(AwardsDocument, { filter: { earnerId: mine.earnerId } })).awards.totalCount).toBe(0);
    expect((await b.client.data(AwardsDocument, { filter: { search: 'earner' } })).awards.totalCount).toBe(0);
    expect((await b.client.data(EarnersDocument, { search: 'a-earner' })).earners.totalCount).toBe(0);
    const viewer = await b.client.data(ViewerDocument);
    expect(viewer.viewer.organization.name).toBe('Organization B');
    const keys = await b.client.data(ApiKeysDocument);
    expect(keys.viewer.organization.apiKeys.edges.map((edge) => edge.node.id)).not.toContain(mine.apiKeyId);
  });

  it('the CSV export holds only the caller’s awards, and another’s template or earner is NOT_FOUND', async () => {
    covered.add('Query.awardsCsv');
    const { awardsCsv } = await b.client.data(AwardsCsvDocument, {});
    expect(awardsCsv).toMatchObject({ rows: 0, nextCursor: null });
    expect(awardsCsv.csv).not.toContain('a-earner');
    expect((await a.client.data(AwardsCsvDocument, {})).awardsCsv.csv).toContain('a-earner@example.com');
    expectNotFound(await b.client.error(AwardsCsvDocument, { filter: { templateId: mine.templateId } }));
    expectNotFound(await b.client.error(AwardsCsvDocument, { filter: { earnerId: mine.earnerId } }));
  });

  it('automation lists hold only the caller’s memberships, actions and jobs', async () => {
    covered.add('Query.memberships').add('Query.actions').add('Query.automationJobs');
    expect((await a.client.data(MembershipsDocument, {})).memberships.totalCount).toBe(1);
    expect((await b.client.data(MembershipsDocument, {})).memberships.totalCount).toBe(0);
    expect((await b.client.data(MembershipsDocument, { filter: { earnerId: mine.earnerId } })).memberships.totalCount).toBe(0);
    expect((await a.client.data(ActionsDocument, {})).actions.totalCount).toBe(1);
    expect((await b.client.data(ActionsDocument, {})).actions.totalCount).toBe(0);
    expect((await b.client.data(ActionsDocument, { filter: { earnerId: mine.earnerId } })).actions.totalCount).toBe(0);
    expect((await a.client.data(AutomationJobsDocument, {})).automationJobs.totalCount).toBeGreaterThan(0);
    expect((await b.client.data(AutomationJobsDocument, {})).automationJobs.totalCount).toBe(0);
    expect((await b.client.data(AutomationJobsDocument, { filter: { templateId: mine.ruledTemplateId } })).automationJobs.totalCount).toBe(0);
  });

  it('leaderboards rank only the caller’s earners, and another organization’s ids are NOT_FOUND', async () => {
    covered.add('Query.leaderboard');
    expect((await a.client.data(LeaderboardTopDocument, { board: { metric: 'POINTS' } })).leaderboard.size).toBe(1);
    for (const board of [{ metric: 'POINTS' as const }, { metric: 'AWARDS' as const }]) {
      const theirs = await b.client.data(LeaderboardTopDocument, { board });
      expect(theirs.leaderboard.size).toBe(0);
      expect(theirs.leaderboard.top.entries).toEqual([]);
    }
    expectNotFound(await b.client.error(LeaderboardTopDocument, { board: { metric: 'AWARDS', templateId: mine.templateId } }));
    const { errors } = await b.client.request(LeaderboardRankDocument, { board: { metric: 'POINTS' }, earnerId: mine.earnerId });
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });

  it('statistics count only the caller’s awards, and another organization’s template is NOT_FOUND', async () => {
    covered.add('Query.issuerStatistics');
    const range2 = { from: '2026-01-01', to: '2030-01-01', interval: 'MONTH' as const };
    expect((await a.client.data(IssuerStatisticsDocument, range2)).issuerStatistics.issued).toBeGreaterThan(0);
    const theirs = (await b.client.data(IssuerStatisticsDocument, range2)).issuerStatistics;
    expect([theirs.issued, theirs.revoked, theirs.engagement.views]).toEqual([0, 0, 0]);
    expect(theirs.series.every((bucket) => bucket.issued === 0 && bucket.revoked === 0)).toBe(true);
    expectNotFound(await b.client.error(IssuerStatisticsDocument, { ...range2, templateId: mine.templateId }));
  });
});

describe('public entry points', () => {
  it('engagement by public id shows counters only, the same to anyone', async () => {
    covered.add('Query.awardEngagement').add('Mutation.recordEngagement');
    sameToAnyone.add('Query.awardEngagement').add('Mutation.recordEngagement');
    const { publicId } = (await a.client.data(AwardDocument, { id: mine.awardId })).award!;
    const recorded = await b.client.data(RecordEngagementDocument, { input: { publicId, kind: 'VIEW' } });
    const anonymous = await server.anonymous.data(AwardEngagementDocument, { publicId });
    expect(recorded.recordEngagement.engagement).toEqual(anonymous.awardEngagement);
    expect((await b.client.data(AwardEngagementDocument, { publicId })).awardEngagement).toEqual(anonymous.awardEngagement);
    // Nothing reachable from them but numbers: no award, earner or organization.
    const schema = getSchema();
    const leaves = new Set(['Int', 'Boolean', 'EngagementCounters', 'EngagementShares']);
    for (const name of ['RecordEngagementPayload', 'EngagementCounters', 'EngagementShares']) {
      const type = schema.getType(name) as GraphQLObjectType;
      for (const field of Object.values(type.getFields())) expect(leaves).toContain(getNamedType(field.type).name);
    }
  });
});

describe('email and public pages', () => {
  it('the outbox holds only the caller’s messages', async () => {
    covered.add('Query.emailMessages').add('Query.emailMessage');
    expect((await a.client.data(EmailMessagesDocument, {})).emailMessages.totalCount).toBe(1);
    expect((await b.client.data(EmailMessagesDocument, {})).emailMessages.totalCount).toBe(0);
    expect((await b.client.data(EmailMessagesDocument, { filter: { awardId: mine.awardId } })).emailMessages.totalCount).toBe(0);
    expectNotFound(await b.client.error(EmailMessageDocument, { id: mine.emailMessageId }));
    expect((await b.client.data(NodeDocument, { id: mine.emailMessageId })).node).toBeNull();
    expect((await a.client.data(EmailMessageDocument, { id: mine.emailMessageId })).emailMessage?.status).toBe('SENT');
  });

  it('another organization’s awards cannot be emailed or shared', async () => {
    covered.add('Mutation.sendAwardEmail').add('Mutation.shareAward');
    expectNotFound(await b.client.error(SendAwardEmailDocument, { awardId: mine.awardId }));
    expectNotFound(
      await b.client.error(ShareAwardDocument, {
        input: { awardId: mine.awardId, recipients: ['x@example.com'], subject: 'Hijack', message: 'Hijack.' },
      }),
    );
    expect((await a.client.data(EmailMessagesDocument, {})).emailMessages.totalCount).toBe(1);
  });

  it('the public award page is the same for anyone, and holds no internal ids or email', async () => {
    covered.add('Query.publicAward');
    sameToAnyone.add('Query.publicAward');
    const anonymous = await server.anonymous.data(PublicAwardDocument, { publicId: mine.publicId });
    expect(await b.client.data(PublicAwardDocument, { publicId: mine.publicId })).toEqual(anonymous);
    expect(anonymous.publicAward?.earnerName).toBe('Earner of A');
    const text = JSON.stringify(anonymous);
    for (const secret of [mine.awardId, mine.earnerId, mine.templateId, 'a-earner@example.com']) expect(text).not.toContain(secret);
  });
});

describe('credentials', () => {
  it('verifying a credential gives anyone the same verdict, naming no internal id or email', async () => {
    covered.add('Query.verifyCredential');
    sameToAnyone.add('Query.verifyCredential');
    const { award } = await a.client.data(AwardCredentialDocument, { id: mine.awardId });
    const input = { credential: award!.credential };
    const anonymous = await server.anonymous.data(VerifyCredentialDocument, { input });
    expect(anonymous.verifyCredential.valid).toBe(true);
    expect(await b.client.data(VerifyCredentialDocument, { input })).toEqual(anonymous);
    const { credential: _read, ...verdict } = anonymous.verifyCredential;
    const text = JSON.stringify(verdict);
    for (const secret of [mine.awardId, mine.earnerId, mine.templateId, 'a-earner@example.com']) expect(text).not.toContain(secret);
  });

  it('rotating keys retires only the caller’s keys', async () => {
    covered.add('Mutation.rotateCredentialKeys');
    const before = await a.client.data(CredentialIssuerDocument);
    expect(before.viewer.organization.credentialIssuer.keys.length).toBeGreaterThan(0);
    const rotated = await b.client.data(RotateCredentialKeysDocument);
    expect(rotated.rotateCredentialKeys.issuer.url).not.toBe(before.viewer.organization.credentialIssuer.url);
    expect(await a.client.data(CredentialIssuerDocument)).toEqual(before);
  });
});

describe('webhooks', () => {
  it('endpoints and deliveries are seen only by their organization', async () => {
    covered.add('Query.webhookEndpoints').add('Query.webhookEndpoint').add('Query.webhookDeliveries').add('Query.webhookEventTypes');
    expect((await b.client.data(WebhookEndpointsDocument, {})).webhookEndpoints.totalCount).toBe(0);
    expect((await b.client.data(WebhookDeliveriesDocument, {})).webhookDeliveries.totalCount).toBe(0);
    expect((await b.client.data(WebhookDeliveriesDocument, { filter: { endpointId: mine.webhookEndpointId } })).webhookDeliveries.totalCount).toBe(0);
    expectNotFound(await b.client.error(WebhookEndpointDocument, { id: mine.webhookEndpointId }));
    for (const id of [mine.webhookEndpointId, mine.webhookDeliveryId]) {
      expect((await b.client.data(NodeDocument, { id })).node).toBeNull();
      expect((await a.client.data(NodeDocument, { id })).node?.id).toBe(id);
    }
    expect((await a.client.data(WebhookDeliveriesDocument, { filter: { endpointId: mine.webhookEndpointId } })).webhookDeliveries.totalCount).toBe(1);
    // The list of event types is the same for everyone and holds no tenant data.
    expect(await b.client.data(WebhookEventTypesDocument)).toEqual(await a.client.data(WebhookEventTypesDocument));
  });

  it('another organization’s endpoints and deliveries cannot be changed, tested or redelivered', async () => {
    covered
      .add('Mutation.createWebhookEndpoint')
      .add('Mutation.updateWebhookEndpoint')
      .add('Mutation.disableWebhookEndpoint')
      .add('Mutation.enableWebhookEndpoint')
      .add('Mutation.deleteWebhookEndpoint')
      .add('Mutation.rotateWebhookSecret')
      .add('Mutation.pingWebhookEndpoint')
      .add('Mutation.redeliverWebhookDelivery');
    const id = mine.webhookEndpointId;
    expectNotFound(await b.client.error(UpdateWebhookEndpointDocument, { input: { id, url: 'http://203.0.113.11/stolen' } }));
    expectNotFound(await b.client.error(DisableWebhookEndpointDocument, { id }));
    expectNotFound(await b.client.error(EnableWebhookEndpointDocument, { id }));
    expectNotFound(await b.client.error(RotateWebhookSecretDocument, { id }));
    expectNotFound(await b.client.error(PingWebhookEndpointDocument, { id }));
    expectNotFound(await b.client.error(DeleteWebhookEndpointDocument, { id }));
    expectNotFound(await b.client.error(RedeliverWebhookDeliveryDocument, { id: mine.webhookDeliveryId }));
    // B's own endpoint lands in B.
    const created = await b.client.data(CreateWebhookEndpointDocument, { input: { url: 'http://203.0.113.12/hook', events: ['award.issued'] } });
    expect((await a.client.data(WebhookEndpointsDocument, {})).webhookEndpoints.totalCount).toBe(1);
    expect((await b.client.data(WebhookEndpointsDocument, {})).webhookEndpoints.totalCount).toBe(1);
    // An award of B's is delivered to B's endpoint only, though A's subscribes to award.issued too.
    await issue(b.client, (await createActiveTemplate(b.client)).id, 'b-earner@example.com');
    expect((await b.client.data(WebhookDeliveriesDocument, {})).webhookDeliveries.totalCount).toBe(1);
    expect((await a.client.data(WebhookDeliveriesDocument, {})).webhookDeliveries.totalCount).toBe(1);
    await b.client.data(DeleteWebhookEndpointDocument, { id: created.createWebhookEndpoint.webhookEndpoint.id });
  });
});

describe('mutations', () => {
  it('changes to another organization’s records say NOT_FOUND', async () => {
    for (const name of [
      'updateBadgeTemplate',
      'activateBadgeTemplate',
      'archiveBadgeTemplate',
      'issueAward',
      'issueAwards',
      'acceptAward',
      'rejectAward',
      'revokeAward',
      'restoreAward',
      'updateAward',
      'deleteAward',
      'updateEarner',
      'revokeApiKey',
    ]) {
      covered.add(`Mutation.${name}`);
    }
    expectNotFound(await b.client.error(UpdateTemplateDocument, { input: { id: mine.templateId, name: 'Hijacked' } }));
    expectNotFound(await b.client.error(ActivateTemplateDocument, { id: mine.templateId }));
    expectNotFound(await b.client.error(ArchiveTemplateDocument, { id: mine.templateId }));
    const issueError = await b.client.error(IssueAwardDocument, {
      input: { templateId: mine.templateId, recipient: { email: 'b@example.com', name: 'Earner of B' } },
    });
    expect(issueError.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'templateId' });
    const bulkError = await b.client.error(IssueAwardsDocument, {
      input: { awards: [{ templateId: mine.templateId, recipient: { email: 'b@example.com', name: 'Earner of B' } }] },
    });
    expect(bulkError.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'awards[0].templateId' });
    expectNotFound(await b.client.error(AcceptAwardDocument, { id: mine.awardId }));
    expectNotFound(await b.client.error(RejectAwardDocument, { id: mine.awardId }));
    expectNotFound(await b.client.error(RevokeAwardDocument, { id: mine.awardId, reason: 'Hijack.' }));
    expectNotFound(await b.client.error(RestoreAwardDocument, { id: mine.revokedAwardId }));
    expectNotFound(await b.client.error(UpdateAwardDocument, { input: { id: mine.awardId, notes: 'Hijacked.' } }));
    expectNotFound(await b.client.error(DeleteAwardDocument, { id: mine.awardId }));
    expectNotFound(await b.client.error(UpdateEarnerDocument, { input: { id: mine.earnerId, email: 'hijack@example.com' } }));
    expectNotFound(await b.client.error(RevokeApiKeyDocument, { id: mine.apiKeyId }));
  });

  it('automation against another organization’s templates, earners, memberships and actions says NOT_FOUND', async () => {
    for (const name of ['setAwardRule', 'removeAwardRule', 'addPoints', 'addPointsBatch', 'startMembership', 'endMembership', 'recordAction', 'awardForAction']) {
      covered.add(`Mutation.${name}`);
    }
    const earnerId = mine.earnerId;
    expectNotFound(await b.client.error(SetAwardRuleDocument, { input: { templateId: mine.templateId, points: { category: 'lifetime', threshold: 1 } } }));
    expectNotFound(await b.client.error(RemoveAwardRuleDocument, { templateId: mine.ruledTemplateId }));
    expectNotFound(await b.client.error(AddPointsDocument, { input: { earnerId, amount: 100 } }));
    expectNotFound(await b.client.error(AddPointsBatchDocument, { input: { entries: [{ earnerId, amount: 100 }] } }));
    expectNotFound(await b.client.error(StartMembershipDocument, { input: { earnerId, productId: 'mango' } }));
    expectNotFound(await b.client.error(EndMembershipDocument, { input: { id: mine.membershipId } }));
    expectNotFound(await b.client.error(RecordActionDocument, { input: { earnerId, type: 'answer.accepted' } }));
    expectNotFound(await b.client.error(AwardForActionDocument, { templateId: mine.ruledTemplateId, actionId: mine.actionId }));
    const own = await createActiveTemplate(b.client);
    expectNotFound(await b.client.error(AwardForActionDocument, { templateId: own.id, actionId: mine.actionId }));
  });

  it('idempotency keys and recipient e-mails are scoped to the caller’s organization', async () => {
    // The same key as A's entry is a new entry for B, never a replay of A's.
    const recipient = { email: 'a-earner@example.com', name: 'Earner of B' };
    const pointsOfB = await b.client.data(AddPointsDocument, { input: { earner: recipient, amount: 7, idempotencyKey: 'shared-points-key' } });
    expect(pointsOfB.addPoints).toMatchObject({ replayed: false, balance: 7 });
    expect(pointsOfB.addPoints.entry.earner.id).not.toBe(mine.earnerId);
    const actionOfB = await b.client.data(RecordActionDocument, { input: { earner: recipient, type: 'answer.accepted', idempotencyKey: 'shared-action-key' } });
    expect(actionOfB.recordAction.replayed).toBe(false);
    expect(actionOfB.recordAction.action.id).not.toBe(mine.actionId);
  });

  it('creations and profile changes land in the caller’s organization only', async () => {
    covered.add('Mutation.createBadgeTemplate').add('Mutation.createApiKey').add('Mutation.updateOrganization');
    await b.client.data(CreateTemplateDocument, { input: { name: 'B template', description: 'Of B.' } });
    await b.client.data(CreateApiKeyDocument, { input: { name: 'B key', permissions: ['READ'] } });
    await b.client.data(UpdateOrganizationDocument, { input: { name: 'Organization B renamed' } });
    const ofB = await b.client.data(TemplatesDocument, {});
    expect(ofB.badgeTemplates.edges.map((edge) => edge.node.name)).toContain('B template');
    expect(ofB.badgeTemplates.edges.map((edge) => edge.node.id)).not.toContain(mine.templateId);
  });

  it('an import lands in the caller’s organization only, with its own template, whatever another imported', async () => {
    covered.add('Mutation.importCredentials');
    const { award } = await a.client.data(AwardCredentialDocument, { id: mine.awardId });
    const input = { items: [{ json: award!.credential, recipientEmail: 'a-earner@example.com' }], candidateEmails: ['a-earner@example.com'] };
    const first = (await b.client.data(ImportCredentialsDocument, { input })).importCredentials.results[0]!;
    // A's template is never matched, nor A's award taken for an earlier import.
    expect(first).toMatchObject({ outcome: 'IMPORTED', templateOutcome: 'CREATED' });
    expect(first.template!.id).not.toBe(mine.templateId);
    expect(first.award!.id).not.toBe(mine.awardId);
    const again = (await b.client.data(ImportCredentialsDocument, { input })).importCredentials.results[0]!;
    expect(again).toMatchObject({ outcome: 'ALREADY_IMPORTED', templateOutcome: 'MATCHED', award: { id: first.award!.id }, template: { id: first.template!.id } });
  });

  it('left organization A exactly as it was', async () => {
    expect(await snapshotOfA()).toEqual(snapshot);
  });
});

describe('subscriptions', () => {
  // After the mutations, so the events organization A makes here leave its snapshot alone.
  let live: ReturnType<typeof liveClient>;
  beforeAll(() => {
    live = liveClient(server.url, { apiKey: b.apiKey });
  });
  afterAll(() => live?.client.dispose());

  /** Subscribes as organization B and waits until the server has registered it. */
  async function subscribed<Data>(subscribe: () => Subscription<Data>) {
    const joined = server.app.subscriptions.stats.joined;
    const subscription = subscribe();
    await eventually(() => server.app.subscriptions.stats.joined > joined);
    return subscription;
  }

  /** Subscribing as organization B with these (organization A's) ids is refused as NOT_FOUND. */
  async function expectRefused<Data, Variables>(document: TypedDocumentNode<Data, Variables>, variables: Variables & Record<string, unknown>) {
    const spying = new Subscription(live.client, document, variables);
    expect((await spying.next()).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    spying.dispose();
  }

  it('award events of another organization never arrive, and filtering on its ids says NOT_FOUND', async () => {
    covered.add('Subscription.awardIssued').add('Subscription.awardsIssued').add('Subscription.awardRevoked').add('Subscription.awardChanged');
    for (const filter of [{ templateId: mine.templateId }, { earnerId: mine.earnerId }]) {
      await expectRefused(OnAwardIssuedDocument, { filter });
      await expectRefused(OnAwardsIssuedDocument, { filter });
      await expectRefused(OnAwardRevokedDocument, { filter });
      await expectRefused(OnAwardChangedDocument, { filter });
    }
    const [issued, issuedBatch, revoked, changed] = [
      await subscribed(() => new Subscription(live.client, OnAwardIssuedDocument)),
      await subscribed(() => new Subscription(live.client, OnAwardsIssuedDocument)),
      await subscribed(() => new Subscription(live.client, OnAwardRevokedDocument)),
      await subscribed(() => new Subscription(live.client, OnAwardChangedDocument)),
    ];
    // A's events first, then B's own: B's are the first and only ones it receives.
    const ofA = await issue(a.client, mine.templateId, 'a-live@example.com');
    await a.client.data(RevokeAwardDocument, { id: ofA.award.id, reason: 'Test.' });
    const ownTemplate = await createActiveTemplate(b.client);
    const ofB = await issue(b.client, ownTemplate.id, 'b-live@example.com');
    await b.client.data(RevokeAwardDocument, { id: ofB.award.id, reason: 'Test.' });
    expect((await issued.data()).awardIssued.awardId).toBe(ofB.award.id);
    expect((await issuedBatch.data()).awardsIssued.awards.map((award) => award.id)).toEqual([ofB.award.id]);
    expect((await revoked.data()).awardRevoked.awardId).toBe(ofB.award.id);
    expect((await changed.data()).awardChanged).toMatchObject({ awardId: ofB.award.id, change: 'REVOKED' });
    await sleep(200);
    for (const subscription of [issued, issuedBatch, revoked, changed]) {
      expect(subscription.buffered).toBe(0);
      subscription.dispose();
    }
  });

  it('template and automation job events of another organization never arrive, and its template ids are NOT_FOUND', async () => {
    covered.add('Subscription.badgeTemplateChanged').add('Subscription.automationJobChanged');
    await expectRefused(OnBadgeTemplateChangedDocument, { templateId: mine.templateId });
    await expectRefused(AutomationJobChangedDocument, { templateId: mine.templateId });
    const templates = await subscribed(() => new Subscription(live.client, OnBadgeTemplateChangedDocument));
    const jobs = await subscribed(() => new Subscription(live.client, AutomationJobChangedDocument));

    await a.client.data(UpdateTemplateDocument, { input: { id: mine.templateId, name: 'Renamed by A' } });
    const ruledOfA = await createActiveTemplate(a.client);
    await a.client.data(SetAwardRuleDocument, { input: { templateId: ruledOfA.id, points: { category: 'live', threshold: 5 } } });
    const ownTemplate = await createActiveTemplate(b.client);
    const ruleOfB = await b.client.data(SetAwardRuleDocument, { input: { templateId: ownTemplate.id, points: { category: 'live', threshold: 5 } } });
    const jobOfB = ruleOfB.setAwardRule.job!.id;

    // B's template was created (and activated) after A's changes: its events are the first B sees.
    expect((await templates.data()).badgeTemplateChanged.badgeTemplate?.id).toBe(ownTemplate.id);
    expect((await jobs.data()).automationJobChanged.job.id).toBe(jobOfB);
    await server.app.scheduler.tick();
    await sleep(200);
    const later: string[] = [];
    while (templates.buffered > 0) later.push((await templates.data()).badgeTemplateChanged.badgeTemplate.id);
    while (jobs.buffered > 0) later.push((await jobs.data()).automationJobChanged.job.id);
    expect(later.filter((id) => id !== ownTemplate.id && id !== jobOfB)).toEqual([]);
    templates.dispose();
    jobs.dispose();
  });

  it('CSV imports: another organization’s jobs are invisible, its templates are NOT_FOUND, and its job events never arrive', async () => {
    covered.add('Mutation.importAwards').add('Query.importJob').add('Query.importJobs').add('Subscription.importJobChanged');
    // A's import issues nothing (its one row is REVOKED), so A stays as the snapshot has it.
    const fileOfA = `template_id,recipient_email,recipient_name,status\r\n${mine.templateId},x@example.com,Xavier X,REVOKED\r\n`;
    const jobOfA = (await a.client.data(ImportAwardsDocument, { input: { csv: fileOfA } })).importAwards.job!.id;
    await eventually(async () => (await a.client.data(ImportJobDocument, { id: jobOfA })).importJob?.status === 'SUCCEEDED', 10_000);
    expect((await b.client.data(ImportJobDocument, { id: jobOfA })).importJob).toBeNull();
    expect((await b.client.data(ImportJobsDocument, {})).importJobs.totalCount).toBe(0);
    expect((await a.client.data(ImportJobsDocument, {})).importJobs.totalCount).toBe(1);
    await expectRefused(ImportJobChangedDocument, { id: jobOfA });
    // A's template as B's default, or named by id in B's file, is not B's.
    expectNotFound(await b.client.error(ImportAwardsDocument, { input: { csv: 'recipient_email,recipient_name\r\nx@example.com,Xavier X\r\n', templateId: mine.templateId, dryRun: true } }));
    const fileOfB = `template_id,recipient_email,recipient_name\r\n${mine.templateId},x@example.com,Xavier X\r\n`;
    const dry = await b.client.data(ImportAwardsDocument, { input: { csv: fileOfB, dryRun: true } });
    expect(dry.importAwards.problems).toEqual([expect.objectContaining({ line: 2, column: 'template_id', rule: 'exists' })]);

    const jobs = await subscribed(() => new Subscription(live.client, ImportJobChangedDocument, {}));
    await a.client.data(ImportAwardsDocument, { input: { csv: fileOfA } });
    const jobOfB = (await b.client.data(ImportAwardsDocument, { input: { csv: fileOfB } })).importAwards.job!.id;
    const seen: string[] = [];
    await eventually(async () => {
      while (jobs.buffered > 0) {
        const { job, status } = (await jobs.data()).importJobChanged;
        seen.push(job.id);
        if (status === 'SUCCEEDED') expect(job).toMatchObject({ issued: 0, failed: 1 });
      }
      return (await b.client.data(ImportJobDocument, { id: jobOfB })).importJob?.status === 'SUCCEEDED';
    }, 10_000);
    await sleep(200);
    while (jobs.buffered > 0) seen.push((await jobs.data()).importJobChanged.job.id);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((id) => id !== jobOfB)).toEqual([]);
    jobs.dispose();
  });

  it('live boards rank only the caller’s earners, and another organization’s template is NOT_FOUND', async () => {
    covered.add('Subscription.leaderboardChanged');
    await expectRefused(OnLeaderboardChangedDocument, { board: { metric: 'AWARDS', templateId: mine.templateId } });

    const board = { metric: 'POINTS' as const, category: 'tenancy-live' };
    await b.client.data(AddPointsDocument, { input: { earner: { email: 'b-board@example.com', name: 'On the board of B' }, amount: 3, category: board.category } });
    const updates = new Subscription(live.client, OnLeaderboardChangedDocument, { board, first: 10 });
    const first = (await updates.data()).leaderboardChanged.entries;
    expect(first.map((entry) => [entry.earner.email, entry.score])).toEqual([['b-board@example.com', 3]]);
    // A's points in a category of the same name, then B's own: B sees its own board only.
    await a.client.data(AddPointsDocument, { input: { earnerId: mine.earnerId, amount: 1000, category: board.category } });
    await b.client.data(AddPointsDocument, { input: { earner: { email: 'b-board@example.com', name: 'On the board of B' }, amount: 1, category: board.category } });
    const seen: Array<Array<[string, number]>> = [];
    await eventually(async () => {
      while (updates.buffered > 0) seen.push((await updates.data()).leaderboardChanged.entries.map((entry) => [entry.earner.email, entry.score]));
      return seen.at(-1)?.[0]?.[1] === 4;
    });
    expect(seen.flat().filter(([email]) => email !== 'b-board@example.com')).toEqual([]);
    updates.dispose();
  });

  it('a published board’s screen is the same to anyone, and its board is its organization’s only', async () => {
    covered.add('Subscription.leaderboardScreen').add('Query.publishedLeaderboards').add('Mutation.publishLeaderboard').add('Mutation.unpublishLeaderboard');
    sameToAnyone.add('Subscription.leaderboardScreen');
    const { publishLeaderboard } = await a.client.data(PublishLeaderboardDocument, {
      input: { board: { metric: 'AWARDS', templateId: mine.templateId }, title: 'A’s board' },
    });
    // B cannot list, unpublish, or publish a board over A's template.
    expect((await b.client.data(PublishedLeaderboardsDocument)).publishedLeaderboards).toEqual([]);
    expectNotFound(await b.client.error(UnpublishLeaderboardDocument, { publicId: publishLeaderboard.publicId }));
    expectNotFound(await b.client.error(PublishLeaderboardDocument, { input: { board: { metric: 'AWARDS', templateId: mine.templateId }, title: 'Spy' } }));
    const anonymous = liveClient(server.url, {});
    try {
      const ofB = new Subscription(live.client, OnLeaderboardScreenDocument, { publicId: publishLeaderboard.publicId });
      const ofAnyone = new Subscription(anonymous.client, OnLeaderboardScreenDocument, { publicId: publishLeaderboard.publicId });
      const [seenByB, seenByAnyone] = [(await ofB.data()).leaderboardScreen, (await ofAnyone.data()).leaderboardScreen];
      expect(seenByB).toEqual(seenByAnyone);
      expect(seenByB.entries[0]?.name).toBe('Earner of A');
      const text = JSON.stringify(seenByB);
      for (const secret of [mine.awardId, mine.earnerId, mine.templateId, 'a-earner@example.com']) expect(text).not.toContain(secret);
      ofB.dispose();
      ofAnyone.dispose();
    } finally {
      await anonymous.client.dispose();
      await a.client.data(UnpublishLeaderboardDocument, { publicId: publishLeaderboard.publicId });
    }
  });

  it('a credential’s status is public by its public id, and the same to anyone', async () => {
    covered.add('Subscription.credentialStatusChanged');
    sameToAnyone.add('Subscription.credentialStatusChanged');
    const anonymous = liveClient(server.url, {});
    try {
      const ofB = new Subscription(live.client, OnCredentialStatusChangedDocument, { publicId: mine.publicId });
      const ofAnyone = new Subscription(anonymous.client, OnCredentialStatusChangedDocument, { publicId: mine.publicId });
      // The first event is the status as each subscription read it, at its own time.
      const [firstOfB, firstOfAnyone] = [(await ofB.data()).credentialStatusChanged, (await ofAnyone.data()).credentialStatusChanged];
      expect({ ...firstOfB, at: null }).toEqual({ ...firstOfAnyone, at: null });
      expect(firstOfB).toMatchObject({ publicId: mine.publicId, status: 'VALID' });
      await a.client.data(RevokeAwardDocument, { id: mine.awardId, reason: 'Test.' });
      const [changedOfB, changedOfAnyone] = [(await ofB.data()).credentialStatusChanged, (await ofAnyone.data()).credentialStatusChanged];
      expect(changedOfB).toEqual(changedOfAnyone);
      expect(changedOfB.status).not.toBe('VALID');
      // Only the public id, a status and a time: nothing internal to organization A.
      expect(Object.keys(changedOfB).sort()).toEqual(['at', 'publicId', 'status']);
      ofB.dispose();
      ofAnyone.dispose();
    } finally {
      await anonymous.client.dispose();
    }
  });
});

describe('coverage', () => {
  it('every query, mutation and subscription of the schema has a tenancy check above', () => {
    const schema = getSchema();
    const entryPoints = [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!].flatMap((type) =>
      Object.keys(type.getFields()).map((name) => `${type.name}.${name}`),
    );
    expect(entryPoints.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('the entry points open without a key are exactly the listed public ones, each shown the same to anyone', () => {
    const schema = getSchema();
    const open = [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!].flatMap((type) =>
      Object.values(type.getFields())
        .filter((field) => !(field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes)
        .map((field) => `${type.name}.${field.name}`),
    );
    expect(open.sort()).toEqual(Object.keys(PUBLIC).sort());
    expect([...sameToAnyone].sort()).toEqual(Object.keys(PUBLIC).sort());
  });
});
