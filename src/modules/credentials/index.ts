// Open Badges 3.0 credentials. The plain functions (keys, signing with Data Integrity and VC-JWT,
// baking, status lists, verification) know no database or HTTP; AwardCredentials and the routes
// turn awards into credentials with them. See docs/credentials.md. Other modules use credentials
// through this file only.
export { AwardCredentials, type AwardRef, type Found } from './award-credentials.js';
export { BadgeImages } from './badge-images.js';
export { CredentialRoutes } from './http.js';
export { credentialLinks } from './urls.js';
export { CredentialVerifier, type CredentialVerification } from './verification.js';
export * from './bake.js';
export * from './contexts.js';
export * from './default-badge.js';
export * from './document-loader.js';
export * from './jwt.js';
export * from './keys.js';
export { schemaFor, validateCredentialSchema, warmUpSchemas, type CredentialSchemaName, type SchemaResult } from './json-schema.js';
export { signCredential, type SignOptions } from './sign.js';
export type { StatusListResolver } from './status-check.js';
export * from './status-list.js';
export * from './types.js';
export { KeyResolutionError, keyResolverFromControllers, type KeyResolver, type KeySource, type ResolvedKey } from './verification-method.js';
export * from './verify.js';
