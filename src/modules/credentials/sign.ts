// Signing: a Data Integrity proof with the eddsa-rdfc-2022 cryptosuite (RDF canonicalization,
// SHA-256, Ed25519), the proof Open Badges 3.0 names and 1EdTech's validator checks.
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { DocumentLoader } from './document-loader.js';
import type { Ed25519KeyPair } from './keys.js';
import { asArray, type DataIntegrityProof as Proof, type JsonObject, type SignedCredential } from './types.js';

export interface SignOptions {
  /** An Ed25519 key pair with its secret; its `id` becomes the proof's verificationMethod. */
  keyPair: Ed25519KeyPair;
  /** Must know every context the credential names (createDocumentLoader). */
  documentLoader: DocumentLoader;
  /** The proof's `created`; now when left out. */
  created?: Date | string;
}

/** The suite for verifying; signing makes its own with a signer and date. */
export function eddsaRdfc2022Suite(): DataIntegrityProof {
  return new DataIntegrityProof({ cryptosuite });
}

/**
 * The credential with a proof added, as an array of one proof: @digitalbazaar/vc returns a single
 * object, which 1EdTech's JSON Schema refuses. The input is not changed.
 */
export async function signCredential<T extends JsonObject>(unsigned: T, options: SignOptions): Promise<SignedCredential<T>> {
  if ('proof' in unsigned) throw new Error('The credential already has a proof');
  if (!options.keyPair.id) throw new Error('The key pair needs an id (its verification method URL)');
  const suite = new DataIntegrityProof({
    signer: options.keyPair.signer(),
    cryptosuite,
    ...(options.created === undefined ? {} : { date: options.created }),
  });
  const signed = await vc.issue({ credential: structuredClone(unsigned), suite, documentLoader: options.documentLoader });
  return { ...signed, proof: asArray(signed.proof) as Proof[] };
}
