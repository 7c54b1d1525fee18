import { describe, expect, it } from 'vitest';
import {
  controllerDocument,
  decryptSecret,
  encryptSecret,
  generateEd25519Key,
  importEd25519Key,
  isEncryptedSecret,
} from '../../../src/modules/credentials/keys.js';
import { keyResolverFromControllers } from '../../../src/modules/credentials/verification-method.js';
import { ISSUER } from './support.js';

describe('Ed25519 issuer keys', () => {
  it('are Multikeys named <controller>#<publicKeyMultibase>, the secret kept apart', async () => {
    const { publicKey, secretKeyMultibase } = await generateEd25519Key(ISSUER);
    expect(publicKey).toEqual({
      '@context': 'https://w3id.org/security/multikey/v1',
      id: `${ISSUER}#${publicKey.publicKeyMultibase}`,
      type: 'Multikey',
      controller: ISSUER,
      publicKeyMultibase: expect.stringMatching(/^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/),
    });
    expect(publicKey).not.toHaveProperty('secretKeyMultibase');
    // The ed25519-priv multicodec prefix (0x8026) and 64 bytes read in base58btc as zru… or zrv….
    expect(secretKeyMultibase).toMatch(/^zr[uv][1-9A-HJ-NP-Za-km-z]{88}$/);
  });

  it('import from their stored parts and sign what the public half verifies', async () => {
    const { publicKey, secretKeyMultibase } = await generateEd25519Key(ISSUER);
    const signing = await importEd25519Key(publicKey, secretKeyMultibase);
    const verifying = await importEd25519Key(publicKey);
    const data = new TextEncoder().encode('hello');
    const signature = await signing.signer().sign({ data });
    expect(await verifying.verifier().verify({ data, signature })).toBe(true);
    expect(() => verifying.signer()).toThrow(/secret key/);
    expect(signing.id).toBe(publicKey.id);
  });

  it("are listed as assertion methods of the issuer's controller document, which a resolver reads", async () => {
    const first = await generateEd25519Key(ISSUER);
    const second = await generateEd25519Key(ISSUER);
    const document = controllerDocument(ISSUER, [first.publicKey, second.publicKey]);
    expect(document).toMatchObject({ id: ISSUER, assertionMethod: [first.publicKey.id, second.publicKey.id] });
    const resolve = keyResolverFromControllers([document]);
    expect(await resolve(second.publicKey.id)).toMatchObject({ id: second.publicKey.id, controller: ISSUER, publicKeyMultibase: second.publicKey.publicKeyMultibase });
    expect(await resolve(`${ISSUER}#other`)).toBeUndefined();
  });
});

describe('secrets at rest', () => {
  const SECRET = 'correct horse battery staple';

  it('round-trip through AES-256-GCM, each sealing different', () => {
    const sealed = encryptSecret('zrv-secret-key', SECRET, 'key-1');
    expect(isEncryptedSecret(sealed)).toBe(true);
    expect(sealed).not.toContain('zrv-secret-key');
    expect(encryptSecret('zrv-secret-key', SECRET, 'key-1')).not.toBe(sealed); // random salt and IV
    expect(decryptSecret(sealed, SECRET, 'key-1')).toBe('zrv-secret-key');
  });

  it('do not open with a wrong secret, another label, or when altered', () => {
    const sealed = encryptSecret('zrv-secret-key', SECRET, 'key-1');
    expect(() => decryptSecret(sealed, 'wrong secret', 'key-1')).toThrow(/could not be decrypted/);
    expect(() => decryptSecret(sealed, SECRET, 'key-2')).toThrow(/could not be decrypted/);
    const altered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(() => decryptSecret(altered, SECRET, 'key-1')).toThrow(/could not be decrypted/);
    expect(() => decryptSecret(sealed, undefined, 'key-1')).toThrow(/CREDENTIAL_KEY_SECRET/);
  });

  it('are stored plain without a secret, and plain values read back with or without one', () => {
    expect(encryptSecret('zrv-secret-key', undefined)).toBe('zrv-secret-key');
    expect(decryptSecret('zrv-secret-key', undefined)).toBe('zrv-secret-key');
    expect(decryptSecret('zrv-secret-key', SECRET)).toBe('zrv-secret-key');
  });
});
