// Moving in from another badge platform: Open Badges 2.0 assertions (hosted JSON, signed JWS,
// baked PNG and SVG) and Open Badges 3.0 credentials (JSON-LD, VC-JWT, baked) become imported
// awards, issued from templates made from their BadgeClass/Achievement, all or nothing.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActivateTemplateDocument,
  ArchiveTemplateDocument,
  AwardCredentialDocument,
  AwardCredentialJwtDocument,
  CreateApiKeyDocument,
  ImportCredentialsDocument,
  ImportedAwardCountDocument,
  RevokeAwardDocument,
  type CredentialImportItem,
  type IssueAwardInput,
  type ImportCredentialsInput,
} from './generated/graphql.js';
import { bakePng, defaultBadgePng, OB2_PNG_KEYWORD } from '../src/modules/credentials/index.js';
import { GraphQLClient } from './helpers/client.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';
import { kitBytes, kitJson } from './unit/credentials/support.js';

type Json = Record<string, unknown>;

const OB2 = new URL('./fixtures/ob2/', import.meta.url);
const ob2Text = (name: string) => readFileSync(new URL(name, OB2), 'utf8');
const ob2Json = (name: string): Json => JSON.parse(ob2Text(name)) as Json;
/** The BadgeClass, issuer Profile and key that the fixtures' assertions name by URL. */
const ob2Documents = () => [ob2Json('badgeclass-robotics.json'), ob2Json('issuer.json'), ob2Json('public-key.json')];

let server: TestServer;
/** Issues awards whose credentials are exported and imported elsewhere. */
let source: TestOrganization;
let sourceTemplateId: string;

beforeAll(async () => {
  // The fixtures' addresses (badges.example.org) are not reachable: nothing is fetched here, and
  // the fetching is tested against a receiver of its own below.
  server = await startServer({ IMPORT_FETCH: 'off' });
  source = await server.createOrganization('Old Platform Guild');
  ({ id: sourceTemplateId } = await createActiveTemplate(source.client, {
    name: 'Careful Tester',
    description: 'Tests with care.',
    criteriaNarrative: 'Found three bugs.',
    tags: ['testing'],
  }));
});

afterAll(async () => {
  await server?.stop();
});

async function importing(client: GraphQLClient, input: ImportCredentialsInput) {
  return (await client.data(ImportCredentialsDocument, { input })).importCredentials;
}

async function counts(client: GraphQLClient) {
  const { awards, badgeTemplates } = await client.data(ImportedAwardCountDocument, {});
  return { importedAwards: awards.totalCount, templates: badgeTemplates.totalCount };
}

/** An award of the source organization, exported as its signed credential and as a VC-JWT. */
async function exported(email: string, input: Partial<IssueAwardInput> = {}): Promise<{ awardId: string; credential: Json; jwt: string }> {
  const { award } = await issue(source.client, sourceTemplateId, email, { recipient: { email, name: `Holder ${email.split('@')[0]}` }, ...input });
  const { award: withCredential } = await source.client.data(AwardCredentialDocument, { id: award.id });
  const { award: withJwt } = await source.client.data(AwardCredentialJwtDocument, { id: award.id });
  return { awardId: award.id, credential: withCredential!.credential, jwt: withJwt!.credentialJwt };
}

const base64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

describe('Open Badges 2.0', () => {
  let org: TestOrganization;
  beforeAll(async () => {
    org = await server.createOrganization('New Home for 2.0 Badges');
  });

  it('imports hosted assertions, hashed and plain, creating a template from each BadgeClass', async () => {
    const result = await importing(org.client, {
      items: [{ json: ob2Json('assertion-hosted-hashed.json'), recipientName: 'Beth Builder' }, { json: ob2Json('assertion-hosted-embedded.json') }],
      documents: ob2Documents(),
      candidateEmails: ['someone@example.org', 'Beth@Example.org'],
    });
    expect(result).toMatchObject({ dryRun: false, importedCount: 2, templatesCreatedCount: 2 });
    const [beth, sam] = result.results;
    expect(beth).toMatchObject({
      index: 0,
      standard: 'OB2',
      format: 'JSON',
      outcome: 'IMPORTED',
      templateOutcome: 'CREATED',
      legacyId: 'https://badges.example.org/assertions/beth-robotics.json',
      recipientEmail: 'Beth@Example.org',
      award: {
        imported: true,
        legacyId: 'https://badges.example.org/assertions/beth-robotics.json',
        recipientName: 'Beth Builder',
        issuedAt: '2016-12-31T23:59:59.000Z',
        expiresAt: null,
      },
      template: {
        name: 'Robotics Builder',
        description: 'Built and programmed a working robot.',
        criteriaNarrative: 'Build a robot that follows a line for five metres.',
        criteriaUrl: 'https://badges.example.org/badges/robotics-criteria.html',
        imageUrl: 'https://badges.example.org/badges/robotics.png',
        state: 'ACTIVE',
        sourceAchievementId: 'https://badges.example.org/badges/robotics.json',
        tags: ['robotics', 'engineering'],
      },
    });
    expect(beth!.award!.recipientEmail.toLowerCase()).toBe('beth@example.org');
    expect(beth!.warnings.join(' ')).toContain('Hosted assertion: could not be checked at https://badges.example.org/assertions/beth-robotics.json (IMPORT_FETCH=off)');
    expect(sam).toMatchObject({
      recipientEmail: 'sam@example.org',
      award: { recipientName: 'sam@example.org', expiresAt: '2030-05-01T12:00:00.000Z', status: 'ACCEPTED' },
      template: { name: 'First Aid', criteriaUrl: 'https://badges.example.org/badges/first-aid-criteria.html', imageUrl: null },
    });
  });

  it('imports a signed assertion (JWS) checked with the issuer’s key, into the template made the first time', async () => {
    const result = await importing(org.client, {
      items: [{ jwt: ob2Text('assertion-signed.jws').trim(), recipientName: 'Alex Signer' }],
      documents: ob2Documents(),
      candidateEmails: ['alex@example.org'],
    });
    expect(result).toMatchObject({ importedCount: 1, templatesCreatedCount: 0 });
    expect(result.results[0]).toMatchObject({
      standard: 'OB2',
      format: 'JWT',
      templateOutcome: 'MATCHED',
      legacyId: 'urn:uuid:2f6ad7b0-6b43-4d2c-9bc1-6a9f5bde4c11',
      award: { imported: true, recipientEmail: 'alex@example.org', issuedAt: '2018-03-15T09:00:00.000Z' },
      template: { sourceAchievementId: 'https://badges.example.org/badges/robotics.json' },
    });
  });

  it('refuses a signed assertion whose signature or key does not hold', async () => {
    const jws = ob2Text('assertion-signed.jws').trim();
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const altered = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Json;
    altered.issuedOn = '2019-01-01T00:00:00Z';
    const tampered = `${header}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature}`;
    const error = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ jwt: tampered }, { jwt: jws }], documents: [ob2Json('badgeclass-robotics.json'), ob2Json('issuer.json')], candidateEmails: ['alex@example.org'] },
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    // Without the key document, neither can be checked; the tampered one is not even reached.
    expect(error.extensions!.issues).toEqual([
      expect.objectContaining({ index: 0, field: 'items[0].jwt', rule: 'signingKeyGiven' }),
      expect.objectContaining({ index: 1, field: 'items[1].jwt', rule: 'signingKeyGiven' }),
    ]);
    const withKey = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ jwt: tampered }], documents: ob2Documents(), candidateEmails: ['alex@example.org'] },
    });
    expect(withKey.extensions).toMatchObject({ field: 'items[0].jwt', rule: 'signatureValid' });
  });

  it('imports assertions baked in PNG (keyword openbadges) and SVG (openbadges:assertion)', async () => {
    const assertion = {
      ...ob2Json('assertion-hosted-embedded.json'),
      id: 'https://badges.example.org/assertions/lee-first-aid.json',
      recipient: { type: 'email', hashed: false, identity: 'lee@example.org' },
    };
    const png = bakePng(defaultBadgePng({ name: 'First Aid', color: '#c0392b' }), assertion, OB2_PNG_KEYWORD);
    const result = await importing(org.client, {
      items: [{ imageBase64: base64(png) }, { imageBase64: `data:image/svg+xml;base64,${base64(ob2Text('baked-assertion.svg'))}` }],
    });
    expect(result.results).toMatchObject([
      { format: 'PNG', standard: 'OB2', templateOutcome: 'MATCHED', recipientEmail: 'lee@example.org', award: { legacyId: assertion.id } },
      { format: 'SVG', standard: 'OB2', templateOutcome: 'MATCHED', recipientEmail: 'kim@example.org', award: { legacyId: 'https://badges.example.org/assertions/kim-first-aid.json' } },
    ]);
  });

  it('refuses a hashed recipient no candidate email matches, and an image carrying only a hosted assertion’s address', async () => {
    const png = bakePng(defaultBadgePng({ name: 'Hosted', color: '#336699' }), 'https://badges.example.org/assertions/beth-robotics.json', OB2_PNG_KEYWORD);
    const error = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ json: ob2Json('assertion-hosted-hashed.json') }, { imageBase64: base64(png) }], documents: ob2Documents(), candidateEmails: ['nobody@example.org'] },
    });
    expect(error.extensions!.issues).toEqual([
      expect.objectContaining({ field: 'items[0].json', rule: 'recipientMatched' }),
      expect.objectContaining({ field: 'items[1].imageBase64', rule: 'hostedUrl' }),
    ]);
  });

  it('re-importing the same assertions issues nothing twice', async () => {
    const before = await counts(org.client);
    const result = await importing(org.client, {
      items: [{ json: ob2Json('assertion-hosted-hashed.json') }, { jwt: ob2Text('assertion-signed.jws') }],
      documents: ob2Documents(),
      candidateEmails: ['beth@example.org', 'alex@example.org'],
    });
    expect(result).toMatchObject({ importedCount: 0, templatesCreatedCount: 0 });
    expect(result.results.map((item) => [item.outcome, item.templateOutcome, item.award?.imported])).toEqual([
      ['ALREADY_IMPORTED', 'MATCHED', true],
      ['ALREADY_IMPORTED', 'MATCHED', true],
    ]);
    expect(await counts(org.client)).toEqual(before);
  });
});

describe('Open Badges 3.0', () => {
  let org: TestOrganization;
  beforeAll(async () => {
    org = await server.createOrganization('New Home for 3.0 Badges');
  });

  it('imports our own credentials exported from another organization: JSON-LD, VC-JWT and baked PNG', async () => {
    const [json, jwt, baked] = await Promise.all([exported('ada@example.com'), exported('bob@example.com'), exported('cy@example.com')]);
    const png = bakePng(defaultBadgePng({ name: 'Careful Tester', color: '#2e7d32' }), baked.credential);
    const result = await importing(org.client, {
      items: [{ json: json.credential }, { jwt: jwt.jwt }, { imageBase64: base64(png) }],
      candidateEmails: ['ada@example.com', 'bob@example.com', 'cy@example.com'],
    });
    expect(result).toMatchObject({ importedCount: 3, templatesCreatedCount: 1 });
    expect(result.results).toMatchObject([
      { standard: 'OB3', format: 'JSON', recipientEmail: 'ada@example.com', templateOutcome: 'CREATED', legacyId: json.credential.id },
      { standard: 'OB3', format: 'JWT', recipientEmail: 'bob@example.com', templateOutcome: 'CREATED' },
      { standard: 'OB3', format: 'PNG', recipientEmail: 'cy@example.com', templateOutcome: 'CREATED' },
    ]);
    const [first] = result.results;
    expect(first!.award).toMatchObject({ imported: true, legacyId: json.credential.id, recipientName: 'Holder ada' });
    expect(first!.template).toMatchObject({
      name: 'Careful Tester',
      description: 'Tests with care.',
      criteriaNarrative: 'Found three bugs.',
      tags: ['testing'],
      sourceAchievementId: (json.credential.credentialSubject as { achievement: { id: string } }).achievement.id,
    });
    // Our own issuer's key and status list are known here: nothing to warn about.
    expect(first!.warnings).toEqual([]);
    expect(new Set(result.results.map((item) => item.template!.id)).size).toBe(1);

    const again = await importing(org.client, { items: [{ jwt: json.jwt }], candidateEmails: ['ada@example.com'] });
    expect(again.results[0]).toMatchObject({ outcome: 'ALREADY_IMPORTED', templateOutcome: 'MATCHED', award: { id: first!.award!.id } });
  });

  it('imports 1EdTech’s examples, warning that their keys are unconfirmed', async () => {
    const result = await importing(org.client, {
      items: [
        { json: kitJson('fixtures/complete.json') },
        { imageBase64: base64(kitBytes('fixtures/simple-jwt.png')), recipientEmail: 'jwt-holder@example.org', recipientName: 'Jo Holder' },
      ],
    });
    expect(result.results).toMatchObject([
      { standard: 'OB3', format: 'JSON', recipientEmail: 'student@1edtech.edu', templateOutcome: 'CREATED' },
      { standard: 'OB3', format: 'PNG', recipientEmail: 'jwt-holder@example.org', award: { recipientName: 'Jo Holder' } },
    ]);
    expect(result.results[0]!.warnings.some((warning) => warning.startsWith('issuerKey: unconfirmed'))).toBe(true);
    expect(result.results[0]!.warnings.some((warning) => warning.startsWith('status: unknown'))).toBe(true);
    expect(result.results[1]!.warnings.join(' ')).toContain('recipientEmail given is used');
  });

  it('imports an expired credential as an expired award, with a warning, and refuses a revoked one', async () => {
    const expired = await exported('ivy@example.com', { issuedAt: '2020-01-01T00:00:00Z', expiresAt: '2021-01-01T00:00:00Z' });
    const result = await importing(org.client, { items: [{ json: expired.credential }], candidateEmails: ['ivy@example.com'] });
    expect(result.results[0]).toMatchObject({ outcome: 'IMPORTED', award: { status: 'EXPIRED', expiresAt: '2021-01-01T00:00:00.000Z' } });
    expect(result.results[0]!.warnings).toEqual([expect.stringMatching(/^validity: Expired/)]);

    const revoked = await exported('jon@example.com');
    await source.client.data(RevokeAwardDocument, { id: revoked.awardId, reason: 'Issued in error.' });
    const error = await org.client.error(ImportCredentialsDocument, { input: { items: [{ jwt: revoked.jwt }], candidateEmails: ['jon@example.com'] } });
    expect(error.extensions).toMatchObject({ field: 'items[0].jwt', rule: 'verified:status' });
  });

  it('uses the email when the credential’s recipient name is too short for our rules, and the caller’s name when given', async () => {
    const short = await exported('al@example.com', { recipient: { email: 'al@example.com', firstName: 'Al', lastName: 'B' } });
    const named = await importing(org.client, { items: [{ json: short.credential, recipientName: 'Albert Brown' }], candidateEmails: ['al@example.com'], dryRun: true });
    const unnamed = await importing(org.client, { items: [{ json: short.credential }], candidateEmails: ['al@example.com'] });
    expect(named.results[0]).toMatchObject({ outcome: 'IMPORTED', warnings: [] });
    expect(unnamed.results[0]).toMatchObject({ award: { recipientName: 'al@example.com' } });
    expect(unnamed.results[0]!.warnings).toEqual([expect.stringContaining('recipient name "Al B" does not meet the rules for names')]);
  });

  it('refuses a tampered credential, and one naming no email without recipientEmail', async () => {
    const { credential } = await exported('eve@example.com');
    const tampered = { ...credential, name: 'Grand Master Tester' };
    const error = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ json: tampered }, { json: kitJson('fixtures/simple-err-proof-value.json') }, { json: kitJson('fixtures/simple.json') }], candidateEmails: ['eve@example.com'] },
    });
    expect(error.extensions!.issues).toEqual([
      expect.objectContaining({ index: 0, field: 'items[0].json', rule: 'verified:proof' }),
      expect.objectContaining({ index: 1, field: 'items[1].json', rule: 'verified:proof' }),
      expect.objectContaining({ index: 2, field: 'items[2].json', rule: 'recipientEmail' }),
    ]);
  });
});

describe('all or nothing', () => {
  let org: TestOrganization;
  beforeAll(async () => {
    org = await server.createOrganization('Careful Importer');
  });

  it('one bad item writes nothing', async () => {
    const { credential } = await exported('fay@example.com');
    const error = await org.client.error(ImportCredentialsDocument, {
      input: {
        items: [{ json: credential }, { json: ob2Json('assertion-hosted-embedded.json') }, { json: { ...credential, validFrom: '2001-01-01T00:00:00Z' } }],
        candidateEmails: ['fay@example.com'],
      },
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items[2].json', rule: 'verified:proof' });
    expect(await counts(org.client)).toEqual({ importedAwards: 0, templates: 0 });
  });

  it('an item giving two sources, or none, is refused', async () => {
    const error = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ json: ob2Json('assertion-hosted-embedded.json'), jwt: 'a.b.c' }, {}] as CredentialImportItem[] },
    });
    expect(error.extensions!.issues).toEqual([
      expect.objectContaining({ field: 'items[0].json', rule: 'exactlyOne' }),
      expect.objectContaining({ field: 'items[1].json', rule: 'exactlyOne' }),
    ]);
  });

  it('a dry run reports what would be created and writes nothing', async () => {
    const { credential } = await exported('gus@example.com');
    const result = await importing(org.client, {
      items: [{ json: credential }, { json: ob2Json('assertion-hosted-embedded.json') }],
      candidateEmails: ['gus@example.com'],
      dryRun: true,
    });
    expect(result).toMatchObject({ dryRun: true, importedCount: 2, templatesCreatedCount: 2 });
    expect(result.results).toMatchObject([
      { outcome: 'IMPORTED', templateOutcome: 'CREATED', award: null, template: null, templateName: 'Careful Tester', recipientEmail: 'gus@example.com' },
      { outcome: 'IMPORTED', templateOutcome: 'CREATED', award: null, template: null, templateName: 'First Aid' },
    ]);
    expect(await counts(org.client)).toEqual({ importedAwards: 0, templates: 0 });
  });

  it('more than 100 items are refused', async () => {
    const items = Array.from({ length: 101 }, () => ({ json: ob2Json('assertion-hosted-embedded.json') }));
    const error = await org.client.error(ImportCredentialsDocument, { input: { items } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items', rule: 'maxItems' });
  });

  it('the same credential twice in one import is refused', async () => {
    const error = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ json: ob2Json('assertion-hosted-embedded.json') }, { json: ob2Json('assertion-hosted-embedded.json') }] },
    });
    expect(error.extensions).toMatchObject({ field: 'items[1]', rule: 'uniqueInBatch' });
  });

  it('issuing’s own rules hold, with the item named: an archived template, a ONCE badge already held', async () => {
    const holder = await server.createOrganization('Strict Importer');
    const first = await importing(holder.client, { items: [{ json: ob2Json('assertion-hosted-embedded.json') }] });
    const templateId = first.results[0]!.template!.id;
    const again = { ...ob2Json('assertion-hosted-embedded.json'), id: 'https://badges.example.org/assertions/sam-first-aid-again.json' };
    const svg = { imageBase64: base64(ob2Text('baked-assertion.svg')) };

    await holder.client.data(ArchiveTemplateDocument, { id: templateId });
    const archived = await holder.client.error(ImportCredentialsDocument, { input: { items: [svg] } });
    expect(archived.extensions).toMatchObject({ code: 'CONFLICT', field: 'items[0].templateId', rule: 'templateActive' });
    expect(archived.extensions!.issues).toEqual([expect.objectContaining({ index: 0, field: 'items[0].templateId' })]);

    await holder.client.data(ActivateTemplateDocument, { id: templateId });
    const held = await holder.client.error(ImportCredentialsDocument, { input: { items: [svg, { json: again }] } });
    expect(held.extensions!.issues).toEqual([expect.objectContaining({ index: 1, field: 'items[1].recipient', rule: 'onceAlreadyHeld' })]);
    expect(await counts(holder.client)).toEqual({ importedAwards: 1, templates: 1 });
  });

  it('two imports of one credential at once issue it once, from one template', async () => {
    const racer = await server.createOrganization('Racing Importer');
    const { credential } = await exported('hal@example.com');
    const input = { items: [{ json: credential }], candidateEmails: ['hal@example.com'] };
    const results = await Promise.all([importing(racer.client, input), importing(racer.client, input), importing(racer.client, input)]);
    const outcomes = results.map((result) => result.results[0]!);
    expect(outcomes.map((item) => item.outcome).sort()).toEqual(['ALREADY_IMPORTED', 'ALREADY_IMPORTED', 'IMPORTED']);
    expect(new Set(outcomes.map((item) => item.award!.id)).size).toBe(1);
    expect(new Set(outcomes.map((item) => item.template!.id)).size).toBe(1);
    expect(await counts(racer.client)).toEqual({ importedAwards: 1, templates: 1 });
  });

  it('needs the permission to issue awards', async () => {
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Reader', permissions: ['READ'] } });
    const reader = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    const error = await reader.error(ImportCredentialsDocument, { input: { items: [{ json: ob2Json('assertion-hosted-embedded.json') }] } });
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', permissions: ['awards:issue'] });
  });
});

describe('Open Badges 2.0 hosted assertions, checked at their address', () => {
  /** What the issuer's server answers, by path: a document, or a bare status. */
  const published = new Map<string, Json | number>();
  let issuerServer: Server;
  let issuerUrl: string;
  let fetching: TestServer;
  let org: TestOrganization;
  const requested: string[] = [];

  beforeAll(async () => {
    issuerServer = createServer((request, response) => {
      requested.push(request.url ?? '');
      const answer = published.get(request.url ?? '');
      if (answer === undefined || typeof answer === 'number') {
        response.writeHead(answer ?? 404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
    issuerUrl = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    // The receiver is on the loopback address, which only IMPORT_FETCH=all lets an import call.
    fetching = await startServer({ IMPORT_FETCH: 'all' });
    org = await fetching.createOrganization('Checks Hosted Badges');
    published.set('/badges/welding.json', {
      '@context': 'https://w3id.org/openbadges/v2',
      type: 'BadgeClass',
      id: `${issuerUrl}/badges/welding.json`,
      name: 'Welder',
      description: 'Welds safely.',
      criteria: { narrative: 'Passed the welding test.' },
      issuer: { type: 'Profile', id: `${issuerUrl}/issuer.json`, name: 'Welding School' },
    });
  });
  afterAll(async () => {
    await fetching?.stop();
    await new Promise((resolve) => issuerServer?.close(resolve));
  });

  /** A hosted assertion of the issuer's server, naming its BadgeClass by URL. */
  const assertion = (name: string): Json => ({
    '@context': 'https://w3id.org/openbadges/v2',
    type: 'Assertion',
    id: `${issuerUrl}/assertions/${name}.json`,
    recipient: { type: 'email', hashed: false, identity: `${name}@example.org` },
    badge: `${issuerUrl}/badges/welding.json`,
    issuedOn: '2024-03-01T10:00:00Z',
    verification: { type: 'hosted' },
  });

  it('imports an assertion its issuer still publishes, fetching the BadgeClass it names by URL', async () => {
    published.set('/assertions/ana.json', assertion('ana'));
    const result = await importing(org.client, { items: [{ json: assertion('ana') }] });
    expect(result.results[0]).toMatchObject({ outcome: 'IMPORTED', warnings: [], template: { name: 'Welder', sourceAchievementId: `${issuerUrl}/badges/welding.json` } });
    expect(requested).toEqual(expect.arrayContaining(['/assertions/ana.json', '/badges/welding.json']));
  });

  it('refuses an assertion its issuer revoked (410 Gone, or published as revoked) or publishes differently, and writes nothing', async () => {
    published.set('/assertions/ben.json', 410);
    published.set('/assertions/cai.json', { ...assertion('cai'), revoked: true, revocationReason: 'Cheated.' });
    published.set('/assertions/dee.json', { ...assertion('dee'), recipient: { type: 'email', hashed: false, identity: 'someone-else@example.org' } });
    published.set('/assertions/eve.json', assertion('eve'));
    const before = await counts(org.client);
    const { extensions } = await org.client.error(ImportCredentialsDocument, {
      input: { items: [{ json: assertion('ben') }, { json: assertion('cai') }, { json: assertion('dee') }, { json: assertion('eve') }] },
    });
    expect(extensions?.['issues']).toEqual([
      expect.objectContaining({ index: 0, field: 'items[0].json', rule: 'notRevoked', message: expect.stringContaining('410 Gone') as unknown }),
      expect.objectContaining({ index: 1, field: 'items[1].json', rule: 'notRevoked' }),
      expect.objectContaining({ index: 2, field: 'items[2].json', rule: 'hostedMatches', message: expect.stringContaining('(recipient)') as unknown }),
    ]);
    expect(await counts(org.client)).toEqual(before);
  });

  it('imports with a warning when the address gives no usable answer', async () => {
    published.set('/assertions/fay.json', 503);
    const result = await importing(org.client, { items: [{ json: assertion('fay') }, { json: assertion('gus') }] });
    expect(result.results.map((item) => item.outcome)).toEqual(['IMPORTED', 'IMPORTED']);
    expect(result.results[0]!.warnings).toEqual([expect.stringContaining(`could not be checked at ${issuerUrl}/assertions/fay.json (it answered 503)`)]);
    expect(result.results[1]!.warnings).toEqual([expect.stringContaining('(it answered 404)')]);
  });

  it('refuses an assertion whose BadgeClass cannot be fetched, naming why', async () => {
    const orphan = { ...assertion('hal'), badge: `${issuerUrl}/badges/missing.json` };
    const { extensions } = await org.client.error(ImportCredentialsDocument, { input: { items: [{ json: orphan }] } });
    expect(extensions?.['issues']).toEqual([
      expect.objectContaining({ field: 'items[0].json.badge', rule: 'badgeClassGiven', message: expect.stringContaining('could not be fetched: it answered 404') as unknown }),
    ]);
  });

  it('calls no loopback or private address under IMPORT_FETCH=public (the default)', async () => {
    published.set('/assertions/ida.json', assertion('ida'));
    const calls = requested.length;
    const strict = await startServer();
    try {
      const strictOrg = await strict.createOrganization('Strict');
      const { extensions } = await strictOrg.client.error(ImportCredentialsDocument, { input: { items: [{ json: assertion('ida') }] } });
      expect(extensions?.['issues']).toEqual([
        expect.objectContaining({ rule: 'badgeClassGiven', message: expect.stringContaining('IMPORT_FETCH=public does not allow') as unknown }),
      ]);
      const withBadge = { ...assertion('ida'), badge: published.get('/badges/welding.json') as Json };
      const result = await importing(strictOrg.client, { items: [{ json: withBadge }] });
      expect(result.results[0]!.warnings).toEqual([expect.stringContaining('IMPORT_FETCH=public does not allow')]);
      expect(requested.length).toBe(calls);
    } finally {
      await strict.stop();
    }
  });
});
