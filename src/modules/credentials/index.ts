// Open Badges 3.0 credentials as plain functions: keys, signing (Data Integrity and VC-JWT),
// baking, status lists and verification. No database or HTTP here; see docs/credentials.md.
export * from './bake.js';
export * from './contexts.js';
export * from './default-badge.js';
export * from './document-loader.js';
export * from './jwt.js';
export * from './keys.js';
export { schemaFor, validateCredentialSchema, warmUpSchemas, type CredentialSchemaName, type SchemaResult } from './schema.js';
export { signCredential, type SignOptions } from './sign.js';
export type { StatusListResolver } from './status-check.js';
export * from './status-list.js';
export * from './types.js';
export { KeyResolutionError, keyResolverFromControllers, type KeyResolver, type KeySource, type ResolvedKey } from './verification-method.js';
export * from './verify.js';
