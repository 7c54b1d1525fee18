// Every award is an Open Badges 3.0 credential: served without a key, signed with the
// organization's own keys, valid against 1EdTech's JSON Schema, verifiable by anyone, and its status
// (revoked, restored, deleted, expired) is what the status list and the live stream say.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwardCredentialDocument,
  AwardCredentialJwtDocument,
  CreateApiKeyDocument,
  CredentialIssuerDocument,
  DeleteAwardDocument,
  OnCredentialStatusChangedDocument,
  PublicAwardCredentialLinksDocument,
  RestoreAwardDocument,
  RevokeAwardDocument,
  RotateCredentialKeysDocument,
  VerifyCredentialDocument,
} from './generated/graphql.js';
import { getBit, readStatusList, signCredential, unbakePng, unbakeSvg, validateCredentialSchema } from '../src/modules/credentials/index.js';
import { GraphQLClient } from './helpers/client.js';
import { createActiveTemplate, issue } from './helpers/fixtures.js';
import { liveClient, Subscription } from './helpers/live.js';
import { startServer, type TestOrganization, type TestServer } from './helpers/server.js';
import { kitBytes, kitJson } from './unit/credentials/support.js';

let server: TestServer;
let org: TestOrganization;
let other: TestOrganization;
let templateId: string;

// Credentials are JSON documents, read here by path.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment */
type Json = Record<string, any>;

beforeAll(async () => {
  server = await startServer();
  org = await server.createOrganization('Guild of Testers');
  other = await server.createOrganization('Other Guild', 'badges.other.test');
  ({ id: templateId } = await createActiveTemplate(org.client, { name: 'Careful Tester', description: 'Tests with care.' }));
});

afterAll(async () => {
  await server?.stop();
});

/** A link the server gave (on its public URL) as an address of the test server. */
function local(link: string): string {
  const url = new URL(link);
  return `${server.url}${url.pathname}${url.search}`;
}

async function issued(email: string, input = {}) {
  const { award } = await issue(org.client, templateId, email, input);
  const { award: withCredential } = await org.client.data(AwardCredentialDocument, { id: award!.id });
  return withCredential!;
}

async function verify(input: { credential?: Json; jwt?: string; image?: string }, client: GraphQLClient = server.anonymous) {
  const { verifyCredential } = await client.data(VerifyCredentialDocument, { input });
  const failed = verifyCredential.checks.filter((check) => !check.passed).map((check) => check.name);
  return { ...verifyCredential, failed };
}

/** Whether the award's bit is set in the status list its credential points to. */
async function statusBit(credential: Json): Promise<boolean> {
  const status = credential.credentialStatus as Json;
  const response = await fetch(local(status.statusListCredential as string));
  expect(response.status).toBe(200);
  const { bitstring } = readStatusList((await response.json()) as Json);
  return getBit(bitstring, Number(status.statusListIndex));
}

/** A GET with a chosen Host header (fetch may not set one). */
function getOnHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the credential of an award', () => {
  it('is served without a key, matches the API, follows 1EdTech’s schema, and verifies', async () => {
    const award = await issued('ada@example.com', {
      recipient: { email: 'ada@example.com', name: 'Ada Lovelace' },
      notes: 'Private: paid the fee late',
      activityTitle: 'Spring testing camp',
      additionalDetails: { cohort: 7 },
      evidence: [
        { url: 'https://portfolio.example/ada/test-plan', name: 'Test plan', narrative: 'Plans the tests of a **payment** service.' },
        { url: 'https://portfolio.example/ada/report' },
      ],
    });
    const response = await fetch(local(award.credentialLinks.credential));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/ld\+json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const served = (await response.json()) as Json;
    expect(served).toEqual(award.credential);
    expect(served.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(served.credentialSubject.achievement.name).toBe('Careful Tester');
    // The recipient's email is never in the credential in clear, nor the issuer's private notes.
    expect(JSON.stringify(served)).not.toContain('ada@example.com');
    expect(JSON.stringify(served)).not.toContain('paid the fee late');
    expect(served.credentialSubject).toMatchObject({ activityTitle: 'Spring testing camp', additionalDetails: { cohort: 7 } });
    expect(served.evidence).toEqual([
      { id: 'https://portfolio.example/ada/test-plan', type: ['Evidence'], name: 'Test plan', narrative: 'Plans the tests of a **payment** service.' },
      { id: 'https://portfolio.example/ada/report', type: ['Evidence'] },
    ]);
    const identity = served.credentialSubject.identifier[0];
    const expectedHash = createHash('sha256').update(`ada@example.com${identity.salt}`).digest('hex');
    expect(identity).toMatchObject({ type: 'IdentityObject', identityType: 'emailAddress', hashed: true, identityHash: `sha256$${expectedHash}` });
    expect(served.credentialSubject.name).toBe('Ada Lovelace');

    expect(validateCredentialSchema(served)).toMatchObject({ valid: true });

    const verdict = await verify({ credential: served });
    expect(verdict.failed).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.awardPublicId).toBe(award.publicId);

    // The ETag answers a revalidation with 304.
    const etag = response.headers.get('etag')!;
    expect((await fetch(local(award.credentialLinks.credential), { headers: { 'if-none-match': etag } })).status).toBe(304);

    // The same links from the public award, without a key.
    const { publicAward } = await server.anonymous.data(PublicAwardCredentialLinksDocument, { publicId: award.publicId });
    expect(publicAward?.credentialLinks).toEqual(award.credentialLinks);
  });

  it('is refused when changed after signing', async () => {
    const award = await issued('tamper@example.com');
    const tampered = structuredClone(award.credential) as Json;
    tampered.credentialSubject.achievement.name = 'Grand Master of Everything';
    const verdict = await verify({ credential: tampered });
    expect(verdict.valid).toBe(false);
    expect(verdict.failed).toContain('proof');
  });

  it('is refused when signed with another organization’s key for this issuer', async () => {
    const award = await issued('forged@example.com');
    const { proof: _proof, ...unsigned } = award.credential as Json;
    // The other organization's real key, used to sign a credential that names this issuer.
    const otherIssuer = `${server.app.deps.config.publicUrl}/issuers/${other.id}`;
    const keyPair = await server.app.deps.credentials.keys.ed25519(other.id, otherIssuer);
    const forged = await signCredential(unsigned, { keyPair, documentLoader: server.app.deps.credentials.documentLoader });
    const verdict = await verify({ credential: forged });
    expect(verdict.valid).toBe(false);
    expect(verdict.failed).toContain('issuerKey');
  });

  it('is given as a VC-JWT, EdDSA or RS256, each verifiable', async () => {
    const award = await issued('jwt@example.com');
    for (const algorithm of ['EDDSA', 'RS256'] as const) {
      const { award: withJwt } = await org.client.data(AwardCredentialJwtDocument, { id: award.id, algorithm });
      const jwt = withJwt!.credentialJwt;
      const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as Json;
      expect(header.alg).toBe(algorithm === 'EDDSA' ? 'EdDSA' : 'RS256');
      const verdict = await verify({ jwt });
      expect(verdict.failed).toEqual([]);
      expect(verdict.awardPublicId).toBe(award.publicId);
    }
    const served = await fetch(local(award.credentialLinks.jwt));
    expect(served.headers.get('content-type')).toMatch(/^application\/vc\+jwt/);
    expect((await verify({ jwt: await served.text() })).valid).toBe(true);
  });

  it('is baked into the badge image, PNG and SVG, and verifies from the image', async () => {
    const award = await issued('baked@example.com');
    const png = Buffer.from(await (await fetch(local(award.credentialLinks.png))).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.parse(unbakePng(png)!)).toEqual(award.credential);
    expect((await verify({ image: png.toString('base64') })).failed).toEqual([]);

    const svgResponse = await fetch(local(award.credentialLinks.svg));
    expect(svgResponse.headers.get('content-security-policy')).toBeTruthy();
    const svg = await svgResponse.text();
    expect(JSON.parse(unbakeSvg(svg)!)).toEqual(award.credential);
    expect((await verify({ image: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` })).failed).toEqual([]);
  });
});

describe('status', () => {
  it('follows revocation and restoration in the status list, the verdict and the live stream', async () => {
    const award = await issued('status@example.com');
    const credential = award.credential as Json;
    expect(await statusBit(credential)).toBe(false);

    // A relying party watching without a key, over a websocket.
    const live = liveClient(server.url, {});
    const watching = new Subscription(live.client, OnCredentialStatusChangedDocument, { publicId: award.publicId });
    expect((await watching.data()).credentialStatusChanged.status).toBe('VALID');

    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Issued by mistake' });
    expect((await watching.data()).credentialStatusChanged.status).toBe('SUSPENDED');
    expect(await statusBit(credential)).toBe(true);
    const revoked = await verify({ credential });
    expect(revoked.valid).toBe(false);
    expect(revoked.failed).toEqual(['status']);

    await org.client.data(RestoreAwardDocument, { id: award.id, reason: 'It was right after all' });
    expect((await watching.data()).credentialStatusChanged.status).toBe('VALID');
    expect(await statusBit(credential)).toBe(false);
    expect((await verify({ credential })).valid).toBe(true);
    watching.dispose();
    await live.client.dispose();
  });

  it('streams over Server-Sent Events without a key', async () => {
    const award = await issued('sse-status@example.com');
    const controller = new AbortController();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription { credentialStatusChanged(publicId: "${award.publicId}") { status } }` }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('"VALID"')) text += new TextDecoder().decode((await reader.read()).value);
    await org.client.data(RevokeAwardDocument, { id: award.id, reason: 'Withdrawn' });
    while (!text.includes('"SUSPENDED"')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
  });

  it('reports expiry', async () => {
    const now = server.clock.now();
    const award = await issued('expiring@example.com', { expiresAt: new Date(now.getTime() + 86_400_000).toISOString() });
    expect((await verify({ credential: award.credential })).valid).toBe(true);
    server.clock.advance(2 * 86_400_000);
    try {
      const verdict = await verify({ credential: award.credential });
      expect(verdict.failed).toEqual(['validity']);
    } finally {
      server.clock.advance(-2 * 86_400_000);
    }
  });

  it('answers 410 Gone for a deleted award and keeps its bit set', async () => {
    const award = await issued('deleted@example.com');
    await org.client.data(DeleteAwardDocument, { id: award.id });
    for (const link of Object.values(award.credentialLinks).filter((value) => value.startsWith('http'))) {
      expect((await fetch(local(link))).status).toBe(410);
    }
    expect(await statusBit(award.credential as Json)).toBe(true);
    const verdict = await verify({ credential: award.credential });
    expect(verdict.failed).toEqual(['status']);
    expect(verdict.awardPublicId).toBeNull();
  });
});

describe('issuer keys', () => {
  it('are published on the issuer profile, and rotation keeps earlier credentials verifiable', async () => {
    const before = await issued('rotation@example.com');
    // An RS256 JWT makes the organization's RSA key (made on first need).
    expect((await fetch(`${local(before.credentialLinks.jwt)}?alg=RS256`)).status).toBe(200);
    const { viewer } = await org.client.data(CredentialIssuerDocument);
    const issuer = viewer.organization.credentialIssuer;
    const profile = (await (await fetch(local(issuer.url))).json()) as Json;
    expect(profile.id).toBe(issuer.url);
    expect(JSON.stringify(profile)).toContain(issuer.keys.find((key) => key.type === 'ED25519')!.publicKey);
    expect(JSON.stringify(profile)).not.toMatch(/secret|privateKey|"d":/i);
    // Nor does the API: each key is its public part only (an RSA JWK has no private members).
    expect(issuer.keys.map((key) => key.type).sort()).toEqual(['ED25519', 'RSA']);
    for (const key of issuer.keys) expect(key.publicKey).not.toMatch(/"(d|p|q|dp|dq|qi)":/);

    const { rotateCredentialKeys } = await org.client.data(RotateCredentialKeysDocument);
    expect(rotateCredentialKeys.retired).toBeGreaterThanOrEqual(1);
    // The earlier credential still verifies with the retired key.
    expect((await verify({ credential: before.credential })).failed).toEqual([]);
    const { award: after } = await org.client.data(AwardCredentialDocument, { id: before.id });
    const proofKey = (credential: unknown) => ((credential as Json).proof as Json[])[0]!.verificationMethod as string;
    expect(proofKey(after!.credential)).not.toBe(proofKey(before.credential));
    expect((await verify({ credential: after!.credential })).failed).toEqual([]);
    const { viewer: rotated } = await org.client.data(CredentialIssuerDocument);
    const retired = rotated.organization.credentialIssuer.keys.filter((key) => key.retiredAt !== null);
    expect(retired.map((key) => key.id)).toContain(proofKey(before.credential));
  });

  it('rotate only with keys:manage, never anonymously', async () => {
    expect((await server.anonymous.error(RotateCredentialKeysDocument)).extensions?.code).toBe('UNAUTHENTICATED');
    const { createApiKey } = await org.client.data(CreateApiKeyDocument, { input: { name: 'Reader', permissions: ['READ'] } });
    const reader = new GraphQLClient(server.url, { 'x-api-key': createApiKey.secret });
    expect((await reader.error(RotateCredentialKeysDocument)).extensions?.code).toBe('FORBIDDEN');
  });
});

describe('cost', () => {
  it('lets a page of 100 credentials through the cost limit, and refuses two before signing any', async () => {
    const page = 'awards(first: 100) { edges { node { id credential } } }';
    const one = await org.client.raw(`{ ${page} }`);
    expect(one.errors).toBeUndefined();
    // Refused at validation: nothing of it runs.
    const two = await org.client.raw(`{ a: ${page} b: ${page} }`);
    expect(two.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'complexity' });
    expect(two.data ?? null).toBeNull();
  });
});

describe('tenancy and white label', () => {
  it('never gives one organization another’s credential', async () => {
    const award = await issued('private-credential@example.com');
    const result = await other.client.request(AwardCredentialDocument, { id: award.id });
    expect(result.data?.award ?? null).toBeNull();
    const jwt = await other.client.request(AwardCredentialJwtDocument, { id: award.id });
    expect(jwt.data?.award ?? null).toBeNull();
  });

  it('serves on a white-label host only that organization’s credentials', async () => {
    const award = await issued('whitelabel@example.com');
    const { award: theirs } = await issue(other.client, (await createActiveTemplate(other.client)).id, 'theirs@example.com');
    const { award: theirCredential } = await other.client.data(AwardCredentialDocument, { id: theirs!.id });
    expect(new URL(theirCredential!.credentialLinks.credential).host).toBe('badges.other.test');
    expect(await getOnHost(local(award.credentialLinks.credential), 'badges.other.test')).toBe(404);
    expect(await getOnHost(local(theirCredential!.credentialLinks.credential), 'badges.other.test')).toBe(200);
    // The default host serves every organization.
    expect((await fetch(local(theirCredential!.credentialLinks.credential))).status).toBe(200);
  });
});

describe('credentials of other issuers (1EdTech’s validator fixtures)', () => {
  const manifest = kitJson<{ files: Array<{ file: string; expected: string; failingCheck?: string; format: string }> }>('fixtures/manifest.json');

  it('accepts the valid ones and refuses the invalid ones, through the API', async () => {
    const judged: string[] = [];
    for (const entry of manifest.files) {
      if (entry.file.startsWith('bit-string-list/') || entry.file === 'complete.json' || entry.file === 'endorsement-valid.json') continue;
      const bytes = kitBytes(`fixtures/${entry.file}`);
      const input = entry.file.endsWith('.json') ? { credential: JSON.parse(bytes.toString('utf8')) as Json } : { image: bytes.toString('base64') };
      const verdict = await verify(input);
      expect(verdict.valid, entry.file).toBe(entry.expected === 'valid');
      judged.push(entry.file);
    }
    expect(judged.length).toBeGreaterThanOrEqual(20);
  });

  it('names the rule when the input is not one credential', async () => {
    const error = await server.anonymous.error(VerifyCredentialDocument, { input: { jwt: 'a.b.c', credential: {} } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
  });
});
