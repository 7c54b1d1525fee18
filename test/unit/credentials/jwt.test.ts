import { importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeCredentialJwt, signCredentialJwt, verifyCredentialJwt } from '../../../src/modules/credentials/jwt.js';
import { ed25519ToJwk, generateRsaKey } from '../../../src/modules/credentials/keys.js';
import type { VerificationMethod } from '../../../src/modules/credentials/types.js';
import { verifyCredential } from '../../../src/modules/credentials/verify.js';
import { documentLoader, ISSUER, issuerKey, NOW, ourCredential } from './support.js';

function tamper(jwt: string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { name: string };
  claims.name = 'Certified Benchmark Master';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

describe('VC-JWT with EdDSA', () => {
  it('round-trips: header, claims, and the credential itself as the payload', async () => {
    const { publicKey, keyPair } = await issuerKey();
    const credential = ourCredential();
    const jwt = await signCredentialJwt(credential, { alg: 'EdDSA', key: await ed25519ToJwk(keyPair, { secret: true }), kid: publicKey.id });

    const { header, payload, credential: decoded } = decodeCredentialJwt(jwt);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: publicKey.id });
    expect(payload).toMatchObject({
      iss: ISSUER,
      jti: credential.id,
      nbf: Date.parse('2025-01-15T09:30:00Z') / 1000,
      exp: Date.parse('2027-01-15T09:30:00Z') / 1000,
    });
    expect(payload).not.toHaveProperty('sub'); // the subject has no id, only a hashed identifier
    expect(decoded).toEqual(credential);

    const verified = await verifyCredentialJwt(jwt, await ed25519ToJwk(keyPair));
    expect(verified.credential).toEqual(credential);
    await expect(verifyCredentialJwt(tamper(jwt), await ed25519ToJwk(keyPair))).rejects.toThrow(/signature verification failed/);
  });

  it('verifies with verifyCredential: confirmed with our resolver, unconfirmed from the kid fragment alone', async () => {
    const { publicKey, keyPair } = await issuerKey();
    const jwt = await signCredentialJwt(ourCredential(), { alg: 'EdDSA', key: await ed25519ToJwk(keyPair, { secret: true }), kid: publicKey.id });

    const confirmed = await verifyCredential({ jwt }, { documentLoader, resolveKey: (id) => (id === publicKey.id ? publicKey : undefined), now: NOW });
    expect(confirmed.valid).toBe(true);
    expect(confirmed.checks.find((check) => check.name === 'issuerKey')!.message).toMatch(/^confirmed/);
    expect(confirmed.credential).toEqual(ourCredential());

    const unconfirmed = await verifyCredential({ jwt }, { documentLoader, now: NOW });
    expect(unconfirmed.valid).toBe(true);
    expect(unconfirmed.checks.find((check) => check.name === 'issuerKey')!.message).toMatch(/^unconfirmed/);

    const tampered = await verifyCredential({ jwt: tamper(jwt) }, { documentLoader, resolveKey: () => publicKey, now: NOW });
    expect(tampered.checks.find((check) => check.name === 'proof')).toMatchObject({ passed: false });
  });

  it('leaves out exp when the credential does not expire, and never carries the proof', async () => {
    const { publicKey, keyPair } = await issuerKey();
    const { validUntil: _validUntil, ...credential } = ourCredential();
    const jwt = await signCredentialJwt({ ...credential, proof: [{ type: 'DataIntegrityProof' }] }, {
      alg: 'EdDSA',
      key: await ed25519ToJwk(keyPair, { secret: true }),
      kid: publicKey.id,
    });
    const { payload } = decodeCredentialJwt(jwt);
    expect(payload).not.toHaveProperty('exp');
    expect(payload).not.toHaveProperty('proof');
  });
});

describe('VC-JWT with RS256', () => {
  it('round-trips and verifies with the issuer key confirmed', async () => {
    const kid = `${ISSUER}#rsa-1`;
    const { publicJwk, privateJwk } = await generateRsaKey(kid);
    expect(publicJwk).toMatchObject({ kty: 'RSA', kid, alg: 'RS256' });
    expect(publicJwk).not.toHaveProperty('d');
    expect(Buffer.from(publicJwk.n!, 'base64url')).toHaveLength(256); // 2048 bits

    const jwt = await signCredentialJwt(ourCredential(), { alg: 'RS256', key: privateJwk, kid });
    expect(decodeCredentialJwt(jwt).header).toEqual({ alg: 'RS256', typ: 'JWT', kid });
    expect((await verifyCredentialJwt(jwt, publicJwk)).credential).toEqual(ourCredential());

    const method: VerificationMethod = { id: kid, type: 'JsonWebKey', controller: ISSUER, publicKeyJwk: publicJwk as Record<string, unknown> };
    const result = await verifyCredential({ jwt }, { documentLoader, resolveKey: (id) => (id === kid ? method : undefined), now: NOW });
    expect(result.valid).toBe(true);
    expect(result.checks.find((check) => check.name === 'issuerKey')!.message).toMatch(/^confirmed/);
  });

  it('is refused when the verifier knows neither the kid nor a key in the header', async () => {
    const kid = `${ISSUER}#rsa-1`;
    const { privateJwk } = await generateRsaKey(kid);
    const jwt = await signCredentialJwt(ourCredential(), { alg: 'RS256', key: privateJwk, kid });
    const result = await verifyCredential({ jwt }, { documentLoader, now: NOW });
    expect(result.valid).toBe(false);
    expect(result.checks.filter((check) => !check.passed).map((check) => check.name)).toEqual(['proof', 'issuerKey']);
    expect(result.checks.find((check) => check.name === 'issuerKey')!.message).toMatch(/not known here/);
  });

  it("is refused when its iss is not the credential's issuer", async () => {
    const kid = `${ISSUER}#rsa-1`;
    const { publicJwk, privateJwk } = await generateRsaKey(kid);
    const jwt = await signCredentialJwt(ourCredential(), { alg: 'RS256', key: privateJwk, kid });
    // A valid signature over claims that disagree with the credential.
    const { header, payload } = decodeCredentialJwt(jwt);
    const forged = await new SignJWT({ ...payload, iss: 'https://elsewhere.example/' }).setProtectedHeader({ ...header, alg: 'RS256' }).sign(await importJWK(privateJwk, 'RS256'));
    const method: VerificationMethod = { id: kid, type: 'JsonWebKey', controller: ISSUER, publicKeyJwk: publicJwk as Record<string, unknown> };
    const result = await verifyCredential({ jwt: forged }, { documentLoader, resolveKey: () => method, now: NOW });
    expect(result.checks.find((check) => check.name === 'issuerKey')).toMatchObject({ passed: false, message: expect.stringMatching(/iss/) });
  });
});
