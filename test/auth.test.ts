import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateTemplateDocument,
  IssueAwardDocument,
  NodeDocument,
  RevokeApiKeyDocument,
  TemplatesDocument,
  UpdateOrganizationDocument,
  ViewerDocument,
} from './generated/graphql.js';
import { GraphQLClient } from './helpers/client.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';

let server: TestServer;
let org: TestOrganization;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Keyholders', 'badges.keyholders.example');
});
afterAll(() => server?.stop());

describe('authentication', () => {
  it('needs an API key for data, but not for introspection', async () => {
    const error = await server.anonymous.error(TemplatesDocument, {});
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(error.message).toMatch(/X-Api-Key/);
    const introspection = await server.anonymous.raw('{ __schema { queryType { name } } }');
    expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('refuses unknown keys, and accepts a key as X-Api-Key or as a Bearer token', async () => {
    const wrong = new GraphQLClient(server.url, { 'x-api-key': 'bdg_not-a-real-key' });
    expect((await wrong.error(ViewerDocument)).extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const bearer = new GraphQLClient(server.url, { authorization: `Bearer ${org.apiKey}` });
    expect((await bearer.data(ViewerDocument)).viewer.organization.name).toBe('Keyholders');
  });

  it('checks X-Whitelabel-Host against the key’s organization', async () => {
    const matching = org.client.withHeaders({ 'x-whitelabel-host': 'Badges.Keyholders.Example' });
    expect((await matching.data(ViewerDocument)).viewer.organization.whitelabelHost).toBe('badges.keyholders.example');
    const other = org.client.withHeaders({ 'x-whitelabel-host': 'badges.someone-else.example' });
    expect((await other.error(ViewerDocument)).extensions).toMatchObject({ code: 'FORBIDDEN', field: 'X-Whitelabel-Host' });
  });
});

describe('permissions', () => {
  it('a key does only what its permissions allow', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Reporting', permissions: ['READ'] } });
    expect(createApiKey.secret).toMatch(/^bdg_/);
    expect(createApiKey.apiKey).toMatchObject({ name: 'Reporting', permissions: ['READ'], active: true });
    expect(createApiKey.secret.startsWith(createApiKey.apiKey.prefix)).toBe(true);
    const reader = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });

    expect((await reader.data(TemplatesDocument, {})).badgeTemplates.totalCount).toBeGreaterThanOrEqual(0);
    const write = await reader.error(CreateTemplateDocument, { input: { name: 'Nope', description: 'Nope.' } });
    expect(write.extensions).toMatchObject({ code: 'FORBIDDEN', permissions: ['templates:write'] });
    const issue = await reader.error(IssueAwardDocument, {
      input: { templateId: 'QmFkZ2VUZW1wbGF0ZTp4', recipient: { email: 'a@example.com', name: 'Ada Lovelace' } },
    });
    expect(issue.extensions).toMatchObject({ code: 'FORBIDDEN', permissions: ['awards:issue'] });
    expect((await reader.error(UpdateOrganizationDocument, { input: { name: 'Nope' } })).extensions).toMatchObject({ code: 'FORBIDDEN' });

    // A key cannot hand out more than it holds.
    const escalate = await reader.error(CreateApiKeyDocument, { input: { name: 'Sneaky', permissions: ['READ', 'AWARDS_ISSUE'] } });
    expect(escalate.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const { createApiKey: manager } = await org.client.data(CreateApiKeyDocument, {
      input: { name: 'Key manager', permissions: ['API_KEYS_MANAGE'] },
    });
    const managerClient = new GraphQLClient(server.url, { 'x-api-key': manager.secret });
    const escalation = await managerClient.error(CreateApiKeyDocument, { input: { name: 'Admin', permissions: ['AWARDS_DELETE'] } });
    expect(escalation.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'permissions', rule: 'subsetOfOwn' });

    // Any valid key may ask who it is, even without `read`.
    expect((await managerClient.data(ViewerDocument)).viewer.permissions).toEqual(['API_KEYS_MANAGE']);
  });

  it('a revoked key stops working at once; revoking twice is a conflict', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Temporary', permissions: ['READ'] } });
    const temporary = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    await temporary.data(ViewerDocument);
    const { revokeApiKey } = await org.client.data(RevokeApiKeyDocument, { id: createApiKey.apiKey.id });
    expect(revokeApiKey.apiKey.active).toBe(false);
    expect(revokeApiKey.apiKey.revokedAt).not.toBeNull();
    const refused = await temporary.error(ViewerDocument);
    expect(refused.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refused.message).toMatch(/revoked/);
    expect((await org.client.error(RevokeApiKeyDocument, { id: createApiKey.apiKey.id })).extensions).toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('a key sees and revokes only keys that may do no more than itself, and listing needs keys:manage', async () => {
    const { createApiKey: manager } = await org.client.data(CreateApiKeyDocument, {
      input: { name: 'Reader manager', permissions: ['READ', 'API_KEYS_MANAGE'] },
    });
    const { createApiKey: readOnly } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Read only', permissions: ['READ'] } });
    const managerClient = new GraphQLClient(server.url, { 'x-api-key': manager.secret });
    const readOnlyClient = new GraphQLClient(server.url, { 'x-api-key': readOnly.secret });
    const admin = (await org.client.data(ViewerDocument)).viewer.apiKey!;

    // The administrator key cannot be revoked, nor seen, by a key that holds fewer permissions.
    const revokeAdmin = await managerClient.error(RevokeApiKeyDocument, { id: admin.id });
    expect(revokeAdmin.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'id', rule: 'subsetOfOwn' });
    expect((await org.client.data(ViewerDocument)).viewer.apiKey!.active).toBe(true);
    const listed = (await managerClient.data(ApiKeysDocument)).viewer.organization.apiKeys.edges.map((edge) => edge.node.name);
    expect(listed).toContain('Read only');
    expect(listed).toContain('Reader manager');
    expect(listed).not.toContain(admin.name);
    expect((await managerClient.data(NodeDocument, { id: admin.id })).node).toBeNull();
    expect((await org.client.data(NodeDocument, { id: admin.id })).node?.id).toBe(admin.id);

    // A key without keys:manage lists none.
    const readerList = await readOnlyClient.request(ApiKeysDocument);
    expect(readerList.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', permissions: ['keys:manage'] });

    // Within its own permissions it may revoke.
    const { revokeApiKey } = await managerClient.data(RevokeApiKeyDocument, { id: readOnly.apiKey.id });
    expect(revokeApiKey.apiKey.active).toBe(false);
  });

  it('concurrent first requests with a key share one lookup of it and record one use', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Busy', permissions: ['READ'] } });
    const busy = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    // Connections opened first (with a key already known), so the twelve requests arrive together.
    // (On SQLite a lookup ends within one turn of the event loop: only PostgreSQL shows a race.)
    await Promise.all(Array.from({ length: 12 }, () => org.client.data(ViewerDocument)));
    server.statements.length = 0;
    const answers = await Promise.all(Array.from({ length: 12 }, () => busy.data(ViewerDocument)));
    expect(answers.every((answer) => answer.viewer.permissions.join() === 'READ')).toBe(true);
    // Identifiers are quoted with backticks on SQLite and double quotes on PostgreSQL.
    const lookups = () => server.statements.filter((sql) => /FROM\s+\S*ApiKey\S*[\s\S]*\bWHERE\s+\S*secretHash\S*\s*=/.test(sql));
    const useRecords = () => server.statements.filter((sql) => /UPDATE\s+\S*ApiKey\S*\s+SET\s+\S*lastUsedAt/.test(sql));
    expect(lookups()).toHaveLength(1);
    await expect.poll(() => useRecords().length).toBe(1);
  });

  it('records when a key was last used, even where the list of keys was read (and cached) before', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Audited', permissions: ['READ'] } });
    const lastUsedAt = async () => {
      const { viewer } = await org.client.data(ApiKeysDocument);
      return viewer.organization.apiKeys.edges.find((edge) => edge.node.id === createApiKey.apiKey.id)?.node.lastUsedAt;
    };
    expect(await lastUsedAt()).toBeNull();
    await new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret }).data(ViewerDocument);
    await expect.poll(lastUsedAt).not.toBeNull();
  });
});

describe('organization profile', () => {
  it('updates and validates the profile', async () => {
    const { updateOrganization } = await org.client.data(UpdateOrganizationDocument, {
      input: { name: 'Keyholders Inc.', url: 'https://keyholders.example', contactEmail: 'hi@keyholders.example', timeZone: 'Europe/Paris' },
    });
    expect(updateOrganization.organization).toMatchObject({ name: 'Keyholders Inc.', timeZone: 'Europe/Paris' });
    const zone = await org.client.error(UpdateOrganizationDocument, { input: { timeZone: 'Mars/Olympus' } });
    expect(zone.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone', rule: 'timeZone' });
    const other = await server.createOrganization('Squatter');
    const taken = await other.client.error(UpdateOrganizationDocument, { input: { whitelabelHost: 'badges.keyholders.example' } });
    expect(taken.extensions).toMatchObject({ code: 'CONFLICT', field: 'whitelabelHost', rule: 'unique' });
  });
});
