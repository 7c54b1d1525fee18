// 1EdTech's validator fixtures (test/fixtures/ob3/fixtures), driven by its manifest.json: each
// valid file verifies, each invalid one is refused by the check the manifest names. No fixture
// key can be fetched: keys come from the verification method's fragment or the JWT header (so
// issuerKey passes as "unconfirmed"), and the revoked credential's status list is the kit's file.
import { describe, expect, it } from 'vitest';
import { defaultBadgePng } from '../../../src/modules/credentials/default-badge.js';
import type { JsonObject } from '../../../src/modules/credentials/types.js';
import { verifyCredential, type CheckName, type VerificationResult, type VerifyInput } from '../../../src/modules/credentials/verify.js';
import { documentLoader, kitBytes, kitJson, NOW } from './support.js';

interface ManifestEntry {
  file: string;
  format: string;
  expected: 'valid' | 'invalid';
  failingCheck?: string;
}

const manifest = kitJson<{ files: ManifestEntry[] }>('fixtures/manifest.json');
const STATUS_LIST_FILE = 'bit-string-list/testlist';
const statusList = kitJson(`fixtures/${STATUS_LIST_FILE}`);

// The manifest's check names, as our checks: an unusable verification method leaves no key (the
// signature cannot be checked either); context and type are what the JSON Schema checks.
const OUR_CHECK: Record<string, CheckName> = {
  proof: 'proof',
  verificationMethod: 'issuerKey',
  validFrom: 'validity',
  validUntil: 'validity',
  schema: 'schema',
  context: 'schema',
  type: 'schema',
  status: 'status',
};

function inputFor(file: string): VerifyInput {
  const bytes = kitBytes(`fixtures/${file}`);
  if (/\.(png|svg)$/.test(file)) return { image: bytes.toString('base64') };
  return { credential: JSON.parse(bytes.toString('utf8')) as unknown };
}

function verify(file: string): Promise<VerificationResult> {
  return verifyCredential(inputFor(file), {
    documentLoader,
    now: NOW,
    resolveStatusList: (url) => (url.endsWith(`/${STATUS_LIST_FILE}`) ? statusList : undefined),
  });
}

function failed(result: VerificationResult): CheckName[] {
  return result.checks.filter((check) => !check.passed).map((check) => check.name);
}

const validCredentials = manifest.files.filter((entry) => entry.expected === 'valid' && entry.file !== STATUS_LIST_FILE);
const invalidCredentials = manifest.files.filter((entry) => entry.expected === 'invalid');

describe('valid fixtures', () => {
  it('the manifest lists the files the kit README promises', () => {
    expect(validCredentials.map((entry) => entry.file)).toEqual([
      'simple.json',
      'simple-context-alias.json',
      'complete.json',
      'endorsement-valid.json',
      'simple-json.png',
      'simple-json.svg',
      'simple-jwt.png',
      'simple-jwt.svg',
    ]);
  });

  it.each(validCredentials.map((entry) => [entry.file]))('%s verifies, its issuer key unconfirmed', async (file) => {
    const result = await verify(file);
    expect(failed(result), JSON.stringify(result.checks, null, 1)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.checks.find((check) => check.name === 'issuerKey')!.message).toMatch(/^unconfirmed/);
  });

  it('reads the JSON-LD credential out of the baked PNG and SVG, and the JWT one without its claims', async () => {
    for (const file of ['simple-json.png', 'simple-json.svg']) {
      const { checks, credential } = await verify(file);
      expect(checks[0]!.message).toBe(`JSON-LD credential baked in ${file.slice(-3).toUpperCase()}`);
      expect(credential).toMatchObject({ id: 'http://example.com/credentials/3527', name: 'Teamwork Badge' });
    }
    for (const file of ['simple-jwt.png', 'simple-jwt.svg']) {
      const { checks, credential } = await verify(file);
      expect(checks[0]!.message).toBe(`VC-JWT baked in ${file.slice(-3).toUpperCase()}`);
      expect(credential).toMatchObject({ id: 'http://example.com/credentials/3527', issuer: { id: 'https://1edtech.edu/issuers/565049' } });
      for (const claim of ['iss', 'nbf', 'jti', 'aud', 'iat']) expect(credential).not.toHaveProperty(claim);
    }
  });

  it("complete.json's 1EdTechRevocationList status is reported unknown, not refused", async () => {
    const status = (await verify('complete.json')).checks.find((check) => check.name === 'status')!;
    expect(status).toEqual({ name: 'status', passed: true, message: 'unknown: status of type 1EdTechRevocationList is not read here' });
  });

  // The manifest calls the status list "valid": its signature is, but it is a
  // BitstringStatusListCredential, not an Open Badges credential, so our OB verifier's schema
  // check refuses it. Its proof, key and dates pass; its bits are checked in status-list.test.ts.
  it('the status list credential has a valid proof, but is no Open Badges credential', async () => {
    const result = await verify(STATUS_LIST_FILE);
    expect(failed(result)).toEqual(['schema']);
    expect(result.checks.find((check) => check.name === 'schema')!.message).toMatch(/type must include OpenBadgeCredential/);
  });
});

describe('invalid fixtures', () => {
  it('every invalid fixture names a check we map', () => {
    for (const entry of invalidCredentials) expect(OUR_CHECK[entry.failingCheck!], entry.file).toBeDefined();
  });

  it.each(invalidCredentials.map((entry) => [entry.file, entry.failingCheck!]))('%s is refused by its %s check', async (file, failingCheck) => {
    const result = await verify(file);
    expect(result.valid).toBe(false);
    expect(failed(result)).toContain(OUR_CHECK[failingCheck]);
    if (failingCheck === 'verificationMethod') expect(failed(result)).toContain('proof');
  });

  it('says which term JSON-LD safe mode found undefined', async () => {
    const proof = (await verify('simple-err-context.json')).checks.find((check) => check.name === 'proof')!;
    expect(proof.message).toBe('The signature does not verify: Safe mode validation error. (no context defines "credentialSubject")');
    const type = (await verify('simple-err-type.json')).checks.find((check) => check.name === 'proof')!;
    expect(type.message).toMatch(/no context defines the type "OtherCredential"/);
  });

  it('refuses the revoked credential only for its status', async () => {
    const result = await verify('bit-string-list/credential-status-revoked.json');
    expect(failed(result)).toEqual(['status']);
    expect(result.checks.find((check) => check.name === 'status')!.message).toMatch(/^revoked \(index 23 of https:\/\/raw\.githubusercontent\.com\//);
  });

  it('reports the status unknown, and passes it, when the list cannot be had', async () => {
    const result = await verifyCredential(inputFor('bit-string-list/credential-status-revoked.json'), { documentLoader, now: NOW });
    expect(result.valid).toBe(true);
    expect(result.checks.find((check) => check.name === 'status')!.message).toMatch(/^unknown: the status list .* is not available$/);
  });

  it('refuses the revoked credential when the status list was altered', async () => {
    const altered = structuredClone(statusList) as JsonObject & { credentialSubject: JsonObject };
    altered.credentialSubject.statusPurpose = 'suspension';
    const result = await verifyCredential(inputFor('bit-string-list/credential-status-revoked.json'), {
      documentLoader,
      now: NOW,
      resolveStatusList: () => altered,
    });
    expect(failed(result)).toEqual(['status']);
    expect(result.checks.find((check) => check.name === 'status')!.message).toMatch(/cannot be trusted: The signature does not verify/);
  });
});

describe('unreadable input', () => {
  it.each([
    ['a JSON array', { credential: [] }, 'The credential is not a JSON object'],
    ['a broken JWT', { jwt: 'abc.def' }, /^Not a readable JWT/],
    ['a PNG without a credential', { image: defaultBadgePng({ name: 'Plain', size: 64 }).toString('base64') }, 'The PNG image carries no credential'],
    ['bytes that are no image', { image: Buffer.from('hello').toString('base64') }, 'The image is neither PNG nor SVG'],
    ['an object without @context', { credential: { type: ['VerifiableCredential'] } }, 'Not a verifiable credential: it has no @context'],
  ] as const)('%s fails the format check, and every other check is marked not checked', async (_label, input, message) => {
    const result = await verifyCredential(input as VerifyInput, { documentLoader, now: NOW });
    expect(result.valid).toBe(false);
    expect(result.checks[0]).toMatchObject({ name: 'format', passed: false, message: typeof message === 'string' ? message : expect.stringMatching(message) });
    expect(result.checks.slice(1).every((check) => !check.passed && check.message.startsWith('not checked'))).toBe(true);
    expect(result.credential).toBeUndefined();
  });
});
