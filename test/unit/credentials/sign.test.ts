import { describe, expect, it } from 'vitest';
import { controllerDocument, generateEd25519Key, importEd25519Key } from '../../../src/modules/credentials/keys.js';
import { validateCredentialSchema } from '../../../src/modules/credentials/json-schema.js';
import { signCredential } from '../../../src/modules/credentials/sign.js';
import type { JsonObject } from '../../../src/modules/credentials/types.js';
import { keyResolverFromControllers } from '../../../src/modules/credentials/verification-method.js';
import { verifyCredential, type VerificationResult } from '../../../src/modules/credentials/verify.js';
import { documentLoader, ISSUER, issuerKey, kitJson, NOW, ourCredential, testVectorKeyPair } from './support.js';

function check(result: VerificationResult, name: string) {
  const found = result.checks.find((item) => item.name === name);
  if (!found) throw new Error(`no ${name} check`);
  return found;
}

describe('the OB 3.0 Data Integrity test vector', () => {
  it('is reproduced byte for byte', async () => {
    const keyPair = await testVectorKeyPair();
    const options = kitJson<{ created: string }>('test-vector/proof-options.json');
    const expected = kitJson<{ proofValue: string }>('test-vector/expected.json');
    const signed = await signCredential(kitJson('test-vector/unsigned-credential.json'), { keyPair, documentLoader, created: options.created });

    expect(signed.proof).toHaveLength(1);
    expect(signed.proof[0]!.proofValue).toBe(expected.proofValue);
    // The spec shows one proof object; we write an array of one (1EdTech's schema requires it).
    const reference = kitJson<JsonObject>('test-vector/signed-credential.json');
    expect(signed).toEqual({ ...reference, proof: [reference.proof] });
  });

  it("verifies with the key confirmed from the issuer's controller document", async () => {
    const keyPair = await testVectorKeyPair();
    const key = kitJson<JsonObject>('test-vector/key-pair.json');
    const publicKey = { id: String(key.id), type: 'Multikey' as const, controller: String(key.controller), publicKeyMultibase: String(key.publicKeyMultibase) };
    const resolveKey = keyResolverFromControllers([controllerDocument(publicKey.controller, [publicKey])]);
    const signed = await signCredential(kitJson('test-vector/unsigned-credential.json'), { keyPair, documentLoader });
    const result = await verifyCredential({ credential: signed }, { documentLoader, resolveKey, now: NOW });
    expect(result.valid).toBe(true);
    expect(check(result, 'issuerKey').message).toMatch(/^confirmed/);
  });
});

describe('a credential of our own', () => {
  it('with our extension context validates against the JSON Schema and verifies, its key confirmed', async () => {
    const { publicKey, keyPair } = await issuerKey();
    const signed = await signCredential(ourCredential(), { keyPair, documentLoader });
    expect(validateCredentialSchema(signed)).toEqual({ valid: true, schema: 'AchievementCredential', errors: [] });

    const result = await verifyCredential({ credential: signed }, { documentLoader, resolveKey: (id) => (id === publicKey.id ? publicKey : undefined), now: NOW });
    expect(result.checks.map(({ name, passed }) => [name, passed])).toEqual([
      ['format', true],
      ['proof', true],
      ['issuerKey', true],
      ['schema', true],
      ['status', true],
      ['validity', true],
    ]);
    expect(result.valid).toBe(true);
    expect(check(result, 'issuerKey').message).toMatch(/^confirmed/);
    expect(result.credential).toEqual(signed);
  });

  it('verifies unconfirmed when the verifier only has the key from the fragment', async () => {
    const { keyPair } = await issuerKey();
    const signed = await signCredential(ourCredential(), { keyPair, documentLoader });
    const result = await verifyCredential({ credential: signed }, { documentLoader, now: NOW });
    expect(result.valid).toBe(true);
    expect(check(result, 'issuerKey').message).toMatch(/^unconfirmed/);
  });

  it('fails the proof check when one field is changed after signing', async () => {
    const { publicKey, keyPair } = await issuerKey();
    const signed = await signCredential(ourCredential(), { keyPair, documentLoader });
    const tampered = structuredClone(signed);
    (tampered.credentialSubject as JsonObject).automationLevel = 4;
    const result = await verifyCredential({ credential: tampered }, { documentLoader, resolveKey: () => publicKey, now: NOW });
    expect(result.valid).toBe(false);
    expect(check(result, 'proof')).toMatchObject({ passed: false, message: expect.stringMatching(/does not verify/) });
    expect(check(result, 'schema').passed).toBe(true);
  });

  it('fails the validity check once expired, and before validFrom', async () => {
    const { keyPair } = await issuerKey();
    const signed = await signCredential(ourCredential({ validUntil: '2025-02-01T00:00:00Z' }), { keyPair, documentLoader });
    const expired = await verifyCredential({ credential: signed }, { documentLoader, now: NOW });
    expect(expired.valid).toBe(false);
    expect(check(expired, 'validity')).toEqual({ name: 'validity', passed: false, message: 'Expired at 2025-02-01T00:00:00.000Z' });
    expect(check(expired, 'proof').passed).toBe(true);

    const early = await verifyCredential({ credential: signed }, { documentLoader, now: new Date('2025-01-01T00:00:00Z') });
    expect(check(early, 'validity')).toMatchObject({ passed: false, message: 'Not valid before 2025-01-15T09:30:00.000Z' });
    // validUntil is exclusive.
    const atEnd = await verifyCredential({ credential: signed }, { documentLoader, now: new Date('2025-02-01T00:00:00Z') });
    expect(check(atEnd, 'validity').passed).toBe(false);
  });

  it("fails issuerKey when signed with another issuer's key", async () => {
    const other = await issuerKey('https://elsewhere.example/issuers/1');
    const signed = await signCredential(ourCredential(), { keyPair: other.keyPair, documentLoader });
    const result = await verifyCredential({ credential: signed }, { documentLoader, resolveKey: (id) => (id === other.publicKey.id ? other.publicKey : undefined), now: NOW });
    expect(result.valid).toBe(false);
    expect(check(result, 'proof').passed).toBe(true);
    expect(check(result, 'issuerKey')).toMatchObject({ passed: false, message: expect.stringContaining(`not to the issuer ${ISSUER}`) });
  });

  it('confirms the key of a did:key issuer, which is the key itself', async () => {
    const { publicKey, secretKeyMultibase } = await generateEd25519Key('urn:placeholder');
    const did = `did:key:${publicKey.publicKeyMultibase}`;
    const keyPair = await importEd25519Key({ ...publicKey, id: `${did}#${publicKey.publicKeyMultibase}`, controller: did }, secretKeyMultibase);
    const signed = await signCredential(ourCredential({ issuer: { id: did, type: ['Profile'], name: 'Self-certified' } }), { keyPair, documentLoader });
    const result = await verifyCredential({ credential: signed }, { documentLoader, now: NOW });
    expect(result.valid).toBe(true);
    expect(check(result, 'issuerKey').message).toBe(`confirmed: the key ${did}#${publicKey.publicKeyMultibase} is the did:key the issuer is`);

    // The same did:key signing for an issuer that is not that did:key.
    const other = await signCredential(ourCredential(), { keyPair, documentLoader });
    expect(check(await verifyCredential({ credential: other }, { documentLoader, now: NOW }), 'issuerKey').passed).toBe(false);
  });

  it("fails the proof when another key signs under our key's id", async () => {
    const ours = await issuerKey();
    const intruder = await issuerKey();
    // The intruder's key pair, renamed to our verification method.
    const forged = { ...intruder.keyPair, id: ours.publicKey.id, signer: () => ({ ...intruder.keyPair.signer(), id: ours.publicKey.id }) };
    const signed = await signCredential(ourCredential(), { keyPair: forged, documentLoader });
    expect(signed.proof[0]!.verificationMethod).toBe(ours.publicKey.id);
    const result = await verifyCredential({ credential: signed }, { documentLoader, resolveKey: (id) => (id === ours.publicKey.id ? ours.publicKey : undefined), now: NOW });
    expect(result.valid).toBe(false);
    expect(check(result, 'proof').passed).toBe(false);
  });

  it('refuses to sign a credential naming a context the loader does not know (nothing is fetched)', async () => {
    const { keyPair } = await issuerKey();
    const credential = ourCredential({ '@context': [...ourCredential()['@context'], 'https://unknown.example/context.json'] });
    await expect(signCredential(credential, { keyPair, documentLoader })).rejects.toThrow();
  });

  it('refuses to sign terms no context defines (JSON-LD safe mode)', async () => {
    const { keyPair } = await issuerKey();
    await expect(signCredential(ourCredential({ undefinedTerm: 1 }), { keyPair, documentLoader })).rejects.toThrow(/[Ss]afe mode/);
  });

  it('leaves its input unchanged and refuses to sign twice', async () => {
    const { keyPair } = await issuerKey();
    const unsigned = ourCredential();
    const copy = structuredClone(unsigned);
    const signed = await signCredential(unsigned, { keyPair, documentLoader });
    expect(unsigned).toEqual(copy);
    await expect(signCredential(signed, { keyPair, documentLoader })).rejects.toThrow(/already has a proof/);
  });
});
