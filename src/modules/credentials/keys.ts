// Issuer keys: Ed25519 Multikeys for Data Integrity proofs (and EdDSA JWTs), RSA for RS256 JWTs
// (the VC-JWT algorithm most verifiers accept), and encryption of the secret halves at rest.
//
// Key ids are `<controller>#<publicKeyMultibase>`: the id names the key itself, so it needs no
// counter kept in a database, a new key never reuses an old key's id, and a verifier that cannot
// fetch the controller document can still read the key from the fragment (what 1EdTech's
// validator does; our verifier then calls the key "unconfirmed").
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Ed25519KeyPair, OkpJwk } from '@digitalbazaar/ed25519-multikey';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DID_V1_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL } from './contexts.js';
import type { JsonObject, VerificationMethod } from './types.js';

export type { Ed25519KeyPair };

/** The public half of an Ed25519 key, as the issuer's controller document lists it. */
export interface MultikeyDocument extends VerificationMethod {
  '@context'?: string;
  type: 'Multikey';
  publicKeyMultibase: string;
}

/** A new Ed25519 key: the public Multikey to publish, the secret to keep (encrypted) apart. */
export interface Ed25519KeyMaterial {
  publicKey: MultikeyDocument;
  secretKeyMultibase: string;
}

export function ed25519KeyId(controller: string, publicKeyMultibase: string): string {
  return `${controller}#${publicKeyMultibase}`;
}

export async function generateEd25519Key(controller: string): Promise<Ed25519KeyMaterial> {
  const keyPair = await Ed25519Multikey.generate({ controller });
  return {
    publicKey: {
      '@context': MULTIKEY_V1_CONTEXT_URL,
      id: ed25519KeyId(controller, keyPair.publicKeyMultibase),
      type: 'Multikey',
      controller,
      publicKeyMultibase: keyPair.publicKeyMultibase,
    },
    secretKeyMultibase: keyPair.secretKeyMultibase!,
  };
}

/** A key pair for signing (with the secret) or verifying (without), from its stored parts. */
export async function importEd25519Key(publicKey: MultikeyDocument, secretKeyMultibase?: string): Promise<Ed25519KeyPair> {
  return Ed25519Multikey.from({
    '@context': MULTIKEY_V1_CONTEXT_URL,
    type: 'Multikey',
    id: publicKey.id,
    controller: publicKey.controller,
    publicKeyMultibase: publicKey.publicKeyMultibase,
    ...(secretKeyMultibase === undefined ? {} : { secretKeyMultibase }),
  });
}

/** The key as a JWK (with `d` when `secret` and the pair has its secret), for EdDSA JWTs. */
export async function ed25519ToJwk(keyPair: Ed25519KeyPair, { secret = false } = {}): Promise<OkpJwk & { kid?: string }> {
  const jwk = await Ed25519Multikey.toJwk({ keyPair });
  // The package keeps the secret as seed + public key (64 bytes); a JWK's `d` is the 32-byte seed.
  if (secret && keyPair.secretKey) jwk.d = Buffer.from(keyPair.secretKey.subarray(0, 32)).toString('base64url');
  return keyPair.id ? { ...jwk, kid: keyPair.id } : jwk;
}

export interface RsaKeyMaterial {
  publicJwk: JWK;
  privateJwk: JWK;
}

/** An RSA 2048 key pair for RS256 JWTs; `kid` is the verification method's URL. */
export async function generateRsaKey(kid: string): Promise<RsaKeyMaterial> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const common = { kid, alg: 'RS256', use: 'sig' };
  return { publicJwk: { ...(await exportJWK(publicKey)), ...common }, privateJwk: { ...(await exportJWK(privateKey)), ...common } };
}

/**
 * The issuer's controller document: what its key ids resolve to. It lists the keys as
 * `assertionMethod`, the relationship a credential proof's verification method must have.
 */
export function controllerDocument(controller: string, keys: readonly VerificationMethod[]): JsonObject {
  return {
    '@context': [DID_V1_CONTEXT_URL, MULTIKEY_V1_CONTEXT_URL],
    id: controller,
    verificationMethod: keys.map(({ '@context': _context, ...key }) => key),
    assertionMethod: keys.map((key) => key.id),
  };
}

// Secrets at rest: AES-256-GCM under a key derived with scrypt from CREDENTIAL_KEY_SECRET and a
// random salt per value (the secret may be a passphrase, so a slow derivation). Derivation takes
// tens of milliseconds: decrypt a key once and keep the imported key pair in memory.
const ENCRYPTED_PREFIX = 'enc:v1:';
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SCRYPT = { N: 2 ** 14, r: 8, p: 1 };

function deriveKey(secret: string, salt: Buffer): Buffer {
  return scryptSync(secret, salt, 32, SCRYPT);
}

export function isEncryptedSecret(stored: string): boolean {
  return stored.startsWith(ENCRYPTED_PREFIX);
}

/**
 * `plaintext` sealed for storage. Without a secret it is returned unchanged: the caller decides
 * whether plain storage is acceptable (development, tests). `label` (e.g. the key id) is bound to
 * the ciphertext, so a sealed value copied onto another key's row does not decrypt.
 */
export function encryptSecret(plaintext: string, secret: string | undefined, label = ''): string {
  if (!secret) return plaintext;
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, salt), iv);
  cipher.setAAD(Buffer.from(label, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ENCRYPTED_PREFIX + Buffer.concat([salt, iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** The plaintext of a value from encryptSecret; a plain value is returned as it is. */
export function decryptSecret(stored: string, secret: string | undefined, label = ''): string {
  if (!isEncryptedSecret(stored)) return stored;
  if (!secret) throw new Error('This key is encrypted: CREDENTIAL_KEY_SECRET is needed to read it');
  const bytes = Buffer.from(stored.slice(ENCRYPTED_PREFIX.length), 'base64url');
  if (bytes.length < SALT_BYTES + IV_BYTES + TAG_BYTES) throw new Error('The encrypted key is truncated');
  const salt = bytes.subarray(0, SALT_BYTES);
  const iv = bytes.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const tag = bytes.subarray(SALT_BYTES + IV_BYTES, SALT_BYTES + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, salt), iv);
  decipher.setAAD(Buffer.from(label, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(SALT_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('The key could not be decrypted: wrong CREDENTIAL_KEY_SECRET, or the value was altered');
  }
}
