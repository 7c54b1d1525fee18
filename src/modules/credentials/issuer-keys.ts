// Each organization's signing keys: an Ed25519 key (Data Integrity proofs, EdDSA JWTs) and an RSA
// key (RS256 JWTs), each made the first time it is needed. A rotation retires the current keys;
// retired keys stay published, so what they signed still verifies. Secret halves are sealed with
// CREDENTIAL_KEY_SECRET when it is set, and are read only here.
import { v7 as uuidv7 } from 'uuid';
import type { JWK } from 'jose';
import type { Deps } from '../../deps.js';
import { commit, inTransaction } from '../../db/transaction.js';
import type { OrganizationEvent } from '../../events/events.js';
import type { CredentialKey, CredentialKeyType } from '../../generated/prisma-sqlite/client.js';
import {
  decryptSecret,
  ed25519KeyId,
  encryptSecret,
  generateEd25519Key,
  generateRsaKey,
  importEd25519Key,
  type Ed25519KeyPair,
} from './keys.js';
import type { VerificationMethod } from './types.js';

/** A decrypted key is kept this long, so a rotation made by another instance is seen soon. */
const KEY_CACHE_MS = 60_000;

interface LoadedKey {
  row: CredentialKey;
  secret: string;
  loadedAt: number;
}

/** The key's id: its issuer's URL and the key's fragment. */
export function keyId(issuer: string, key: Pick<CredentialKey, 'fragment'>): string {
  return `${issuer}#${key.fragment}`;
}

/** A stored key as its issuer's controller document lists it. */
export function verificationMethod(issuer: string, key: CredentialKey): VerificationMethod {
  const id = keyId(issuer, key);
  if (key.type === 'ED25519') return { id, type: 'Multikey', controller: issuer, publicKeyMultibase: key.publicKey };
  return { id, type: 'JsonWebKey', controller: issuer, publicKeyJwk: { ...(JSON.parse(key.publicKey) as JWK), kid: id } };
}

export class IssuerKeys {
  readonly #current = new Map<string, Promise<LoadedKey>>();

  constructor(private readonly deps: Deps) {}

  /** The Ed25519 key pair that signs for the organization now, its id under `issuer`. */
  async ed25519(organizationId: string, issuer: string): Promise<Ed25519KeyPair> {
    const { row, secret } = await this.#load(organizationId, 'ED25519');
    return importEd25519Key(
      { id: ed25519KeyId(issuer, row.publicKey), type: 'Multikey', controller: issuer, publicKeyMultibase: row.publicKey },
      secret,
    );
  }

  /** The RSA private key (a JWK) that signs RS256 JWTs for the organization now, and its id. */
  async rsa(organizationId: string, issuer: string): Promise<{ kid: string; privateJwk: JWK }> {
    const { row, secret } = await this.#load(organizationId, 'RSA');
    const kid = keyId(issuer, row);
    return { kid, privateJwk: { ...(JSON.parse(secret) as JWK), kid } };
  }

  /** Every key the organization has had, current and retired, oldest first. */
  published(organizationId: string): Promise<CredentialKey[]> {
    return this.deps.reader.credentialKey.findMany({ where: { organizationId }, orderBy: [{ type: 'asc' }, { generation: 'asc' }] });
  }

  /**
   * Retires the organization's current keys; new ones are made when next needed. Credentials
   * signed with the old keys still verify (their keys stay published) and are signed anew with
   * the new key the next time they are served.
   */
  async rotate(organizationId: string): Promise<number> {
    const retired = await commit(this.deps, async (tx) => {
      const at = this.deps.clock.now();
      const { count } = await tx.credentialKey.updateMany({ where: { organizationId, retiredAt: null }, data: { retiredAt: at } });
      const event: OrganizationEvent = { kind: 'organization', change: 'CREDENTIAL_KEYS_ROTATED', organizationId, subjectId: null, at: at.toISOString() };
      return { result: count, events: [event] };
    });
    this.forget(organizationId);
    return retired;
  }

  /** Drops the organization's keys from memory (after a rotation here or on another instance). */
  forget(organizationId: string): void {
    for (const type of ['ED25519', 'RSA'] as const) this.#current.delete(`${organizationId}:${type}`);
  }

  #load(organizationId: string, type: CredentialKeyType): Promise<LoadedKey> {
    const cacheKey = `${organizationId}:${type}`;
    const cached = this.#current.get(cacheKey);
    if (cached) {
      return cached.then((loaded) => (this.deps.clock.now().getTime() - loaded.loadedAt < KEY_CACHE_MS ? loaded : this.#reload(cacheKey, organizationId, type)));
    }
    return this.#reload(cacheKey, organizationId, type);
  }

  #reload(cacheKey: string, organizationId: string, type: CredentialKeyType): Promise<LoadedKey> {
    const loading = this.#currentOrNew(organizationId, type).then((row) => ({
      row,
      // Unsealing runs scrypt (tens of ms): once per key and cache period, not per signature.
      secret: decryptSecret(row.secretKey, this.deps.config.credentialKeySecret, sealLabel(row)),
      loadedAt: this.deps.clock.now().getTime(),
    }));
    this.#current.set(cacheKey, loading);
    loading.catch(() => this.#current.delete(cacheKey));
    return loading;
  }

  async #currentOrNew(organizationId: string, type: CredentialKeyType): Promise<CredentialKey> {
    const current = { organizationId, type, retiredAt: null };
    const existing = await this.deps.db.credentialKey.findFirst({ where: current, orderBy: { generation: 'desc' } });
    if (existing) return existing;
    // Made outside the transaction: an RSA key takes up to a few hundred ms to generate.
    const made = await newKeyMaterial(type);
    // Two first requests may race: the loser's insert breaks the unique generation, its
    // transaction runs again and finds the winner's key.
    return inTransaction(this.deps.db, async (tx) => {
      const winner = await tx.credentialKey.findFirst({ where: current, orderBy: { generation: 'desc' } });
      if (winner) return winner;
      const last = await tx.credentialKey.findFirst({ where: { organizationId, type }, orderBy: { generation: 'desc' }, select: { generation: true } });
      const generation = (last?.generation ?? 0) + 1;
      const id = uuidv7();
      const fragment = made.fragment ?? `rsa-${generation}`;
      const label = sealLabel({ id, organizationId, type });
      return tx.credentialKey.create({
        data: { id, organizationId, type, generation, fragment, publicKey: made.publicKey, secretKey: encryptSecret(made.secret, this.deps.config.credentialKeySecret, label) },
      });
    });
  }
}

/** What a sealed secret is bound to: a sealed value copied onto another key's row does not open. */
function sealLabel(key: Pick<CredentialKey, 'id' | 'organizationId' | 'type'>): string {
  return `${key.organizationId}:${key.type}:${key.id}`;
}

async function newKeyMaterial(type: CredentialKeyType): Promise<{ fragment?: string; publicKey: string; secret: string }> {
  if (type === 'ED25519') {
    // The controller is only needed for the id, which is built from the issuer's URL when used.
    const { publicKey, secretKeyMultibase } = await generateEd25519Key('urn:unused');
    return { fragment: publicKey.publicKeyMultibase, publicKey: publicKey.publicKeyMultibase, secret: secretKeyMultibase };
  }
  const { publicJwk, privateJwk } = await generateRsaKey('unused');
  const withoutKid = ({ kid: _kid, ...jwk }: JWK) => JSON.stringify(jwk);
  return { publicKey: withoutKid(publicJwk), secret: withoutKid(privateJwk) };
}
