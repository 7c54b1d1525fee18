// Shapes shared by the credential functions. Credentials are JSON objects whose content comes
// from outside as often as from us, so most fields are `unknown` and read through helpers.

export type JsonObject = { [key: string]: unknown };

/** A Data Integrity proof as it appears in a credential. */
export interface DataIntegrityProof extends JsonObject {
  type: string;
  cryptosuite?: string;
  created?: string;
  verificationMethod?: string;
  proofPurpose?: string;
  proofValue?: string;
}

/** The fields every credential we build has; anything else is allowed. */
export interface Credential extends JsonObject {
  '@context': (string | JsonObject)[];
  type: string[];
  issuer: string | ({ id: string } & JsonObject);
  credentialSubject: JsonObject;
  id?: string;
  validFrom?: string;
  validUntil?: string;
}

/** A credential with its proofs, always as an array (the 1EdTech JSON Schema requires one). */
export type SignedCredential<T extends JsonObject = Credential> = T & { proof: DataIntegrityProof[] };

/**
 * A verification method as a controller document lists it: an Ed25519 `Multikey`, or a
 * `JsonWebKey` (RSA or Ed25519, for VC-JWT).
 */
export interface VerificationMethod extends JsonObject {
  id: string;
  type: 'Multikey' | 'JsonWebKey';
  controller: string;
  publicKeyMultibase?: string;
  publicKeyJwk?: JsonObject;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The issuer's id: `issuer` is either that URL or a Profile object with an `id`. */
export function issuerId(credential: JsonObject): string | undefined {
  const { issuer } = credential;
  if (typeof issuer === 'string') return issuer;
  if (isObject(issuer) && typeof issuer.id === 'string') return issuer.id;
  return undefined;
}

/** A JSON-LD value that may be one item or a set, as an array. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The outcome of one verification check. */
export interface CheckResult {
  passed: boolean;
  message: string;
}
