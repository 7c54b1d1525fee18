// 1EdTech's JSON Schemas for Open Badges 3.0 credentials (schema/, copied unchanged from the
// specification; see schema/NOTICE), checked with ajv's draft 2019-09 validator.
import { readFileSync } from 'node:fs';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { asArray, type JsonObject } from './types.js';

const SCHEMA_FILES = {
  AchievementCredential: 'achievementcredential.json',
  EndorsementCredential: 'endorsementcredential.json',
} as const;

export type CredentialSchemaName = keyof typeof SCHEMA_FILES;

let validators: Map<CredentialSchemaName, ValidateFunction> | undefined;

// Compiled on first use (ajv generates code; a few tens of milliseconds), then kept.
function validator(name: CredentialSchemaName): ValidateFunction {
  if (!validators) {
    // strict: false, as 1EdTech's schemas use keywords ajv's strict mode flags ($comment placement, unknown formats' siblings).
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validators = new Map(
      Object.entries(SCHEMA_FILES).map(([schema, file]) => [
        schema as CredentialSchemaName,
        ajv.compile(JSON.parse(readFileSync(new URL(`./schema/${file}`, import.meta.url), 'utf8')) as object),
      ]),
    );
  }
  return validators.get(name)!;
}

/** Which schema a credential is checked against, by its types; undefined when neither fits. */
export function schemaFor(credential: JsonObject): CredentialSchemaName | undefined {
  const types = asArray(credential.type);
  if (types.includes('OpenBadgeCredential') || types.includes('AchievementCredential')) return 'AchievementCredential';
  if (types.includes('EndorsementCredential')) return 'EndorsementCredential';
  return undefined;
}

export interface SchemaResult {
  valid: boolean;
  schema: CredentialSchemaName | undefined;
  /** ajv's errors as `<path> <message>`, e.g. `/issuer must have required property 'id'`. */
  errors: string[];
}

/**
 * Checks a credential against its 1EdTech schema. A single proof object is first made an array
 * of one: the schema requires an array, VC 2.0 allows either, and signers commonly write one.
 */
export function validateCredentialSchema(credential: JsonObject): SchemaResult {
  const schema = schemaFor(credential);
  if (!schema) {
    return { valid: false, schema, errors: ['/type must include OpenBadgeCredential, AchievementCredential or EndorsementCredential'] };
  }
  const document = 'proof' in credential ? { ...credential, proof: asArray(credential.proof) } : credential;
  const validate = validator(schema);
  if (validate(document)) return { valid: true, schema, errors: [] };
  return { valid: false, schema, errors: (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`) };
}
