// 1EdTech's JSON Schemas for Open Badges 3.0 credentials (json-schema/, copied unchanged from the
// specification; see json-schema/NOTICE), checked with ajv's draft 2019-09 validator.
import { readFileSync } from 'node:fs';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { asArray, type JsonObject } from './types.js';

const SCHEMA_FILES = {
  AchievementCredential: 'achievementcredential.json',
  EndorsementCredential: 'endorsementcredential.json',
} as const;

export type CredentialSchemaName = keyof typeof SCHEMA_FILES;

let ajv: Ajv2019 | undefined;
const validators = new Map<CredentialSchemaName, ValidateFunction>();

// Each schema is compiled on first use (ajv generates code: several hundred milliseconds for the
// AchievementCredential schema), then kept. A server can call warmUpSchemas() at start.
function validator(name: CredentialSchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    if (!ajv) {
      // strict: false, as 1EdTech's schemas use keywords ajv's strict mode refuses.
      ajv = new Ajv2019({ allErrors: true, strict: false });
      addFormats.default(ajv);
    }
    validate = ajv.compile(JSON.parse(readFileSync(new URL(`./json-schema/${SCHEMA_FILES[name]}`, import.meta.url), 'utf8')) as object);
    validators.set(name, validate);
  }
  return validate;
}

/** Compiles the schemas now rather than on the first verification. */
export function warmUpSchemas(): void {
  for (const name of Object.keys(SCHEMA_FILES) as CredentialSchemaName[]) validator(name);
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
