// Verifying a credential from anyone: a JSON-LD credential, a VC-JWT, or a baked PNG/SVG. The
// result lists every check separately, so a page can show which one failed and why; `valid` is
// true only when all pass. The checks, in order:
//   format     the input could be read as a credential
//   proof      the signature verifies with the key the proof names
//   issuerKey  that key is the issuer's ("confirmed" when the caller's resolveKey knows it,
//              "unconfirmed" when read from the identifier or the JWT header)
//   schema     1EdTech's JSON Schema (AchievementCredential, or EndorsementCredential)
//   status     not revoked or suspended ("unknown" passes; see status-check.ts)
//   validity   validFrom ≤ now < validUntil
import { unbakeImage } from './bake.js';
import type { DocumentLoader } from './document-loader.js';
import { decodeCredentialJwt, type DecodedCredentialJwt } from './jwt.js';
import { checkDataIntegrityProof, checkJwtProof, type ProofChecks } from './proof.js';
import { validateCredentialSchema } from './json-schema.js';
import { checkStatus, type StatusListResolver } from './status-check.js';
import { isObject, type CheckResult, type JsonObject } from './types.js';
import { validityCheck } from './validity.js';
import type { KeyResolver } from './verification-method.js';

export type CheckName = 'format' | 'proof' | 'issuerKey' | 'schema' | 'status' | 'validity';
export const CHECK_NAMES: readonly CheckName[] = ['format', 'proof', 'issuerKey', 'schema', 'status', 'validity'];

export interface VerificationCheck extends CheckResult {
  name: CheckName;
}

export interface VerificationResult {
  valid: boolean;
  checks: VerificationCheck[];
  /** The credential that was read (for a JWT, its payload less the JWT claims). */
  credential?: JsonObject;
}

/** A JSON-LD credential object, a compact VC-JWT, or a PNG/SVG image in base64 (a data: URL is accepted). */
export type VerifyInput = { credential: unknown } | { jwt: string } | { image: string };

export interface VerifyOptions {
  /** Knows the contexts (createDocumentLoader); keys come from resolveKey, not from it. */
  documentLoader: DocumentLoader;
  /** The caller's known keys by verification method id; a key it returns is "confirmed". */
  resolveKey?: KeyResolver;
  /** Status list credentials by URL, e.g. our own lists, or remote ones the caller fetched. */
  resolveStatusList?: StatusListResolver;
  /** The time to check validity against; now when left out. */
  now?: Date;
}

type Read = { credential: JsonObject; jwt?: { text: string; decoded: DecodedCredentialJwt }; message: string };

function readJwt(text: string, from: string): Read {
  let decoded: DecodedCredentialJwt;
  try {
    decoded = decodeCredentialJwt(text);
  } catch (error) {
    throw new Error(`Not a readable JWT${from}: ${(error as Error).message}`);
  }
  return { credential: decoded.credential, jwt: { text, decoded }, message: `VC-JWT${from}` };
}

function readJson(text: string, from: string): Read {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Not JSON${from}`);
  }
  if (!isObject(parsed)) throw new Error(`Not a JSON object${from}`);
  return { credential: parsed, message: `JSON-LD credential${from}` };
}

function readInput(input: VerifyInput): Read {
  if ('credential' in input) {
    if (!isObject(input.credential)) throw new Error('The credential is not a JSON object');
    return { credential: input.credential, message: 'JSON-LD credential' };
  }
  if ('jwt' in input) return readJwt(input.jwt.trim(), '');
  const base64 = input.image.replace(/^data:[^,]*;base64,/, '');
  const { format, value } = unbakeImage(Buffer.from(base64, 'base64'));
  const from = ` baked in ${format.toUpperCase()}`;
  if (value === undefined) throw new Error(`The ${format.toUpperCase()} image carries no credential`);
  return value.startsWith('{') ? readJson(value, from) : readJwt(value, from);
}

function shapeProblem(credential: JsonObject): string | undefined {
  if (!('@context' in credential)) return 'it has no @context';
  if (!('type' in credential)) return 'it has no type';
  if (!('credentialSubject' in credential)) return 'it has no credentialSubject';
  return undefined;
}

function result(checks: Record<CheckName, CheckResult>, credential?: JsonObject): VerificationResult {
  const list = CHECK_NAMES.map((name) => ({ name, ...checks[name] }));
  return { valid: list.every((check) => check.passed), checks: list, ...(credential ? { credential } : {}) };
}

export async function verifyCredential(input: VerifyInput, options: VerifyOptions): Promise<VerificationResult> {
  const now = options.now ?? new Date();
  let read: Read;
  try {
    read = readInput(input);
    const problem = shapeProblem(read.credential);
    if (problem) throw new Error(`Not a verifiable credential: ${problem}`);
  } catch (error) {
    const skipped = { passed: false, message: 'not checked: the credential could not be read' };
    const format = { passed: false, message: (error as Error).message };
    return result({ format, proof: skipped, issuerKey: skipped, schema: skipped, status: skipped, validity: skipped });
  }

  const { credential } = read;
  const proofOptions = { documentLoader: options.documentLoader, resolveKey: options.resolveKey };
  const [proofs, status]: [ProofChecks, CheckResult] = await Promise.all([
    read.jwt ? checkJwtProof(read.jwt.text, read.jwt.decoded, proofOptions) : checkDataIntegrityProof(credential, proofOptions),
    checkStatus(credential, { ...proofOptions, resolveStatusList: options.resolveStatusList, now }),
  ]);
  const schemaResult = validateCredentialSchema(credential);
  const schema = schemaResult.valid
    ? { passed: true, message: `Valid against 1EdTech's ${schemaResult.schema} schema` }
    : { passed: false, message: `Not valid against 1EdTech's ${schemaResult.schema ?? 'Open Badges'} schema: ${schemaResult.errors.slice(0, 5).join('; ')}` };
  return result(
    { format: { passed: true, message: read.message }, ...proofs, schema, status, validity: validityCheck(credential, now) },
    credential,
  );
}
