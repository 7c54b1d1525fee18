// Imports of badges earned on other platforms (Open Badges 2.0 and 3.0) as imported awards. Other
// modules and the CLI use it through this file only. See docs/imports-from-platforms.md.
export {
  importCredentials,
  MAX_IMPORT_ITEMS,
  type CredentialImportItemInput,
  type ImportCredentialsInput,
  type ImportCredentialsResult,
  type ImportedCredential,
} from './service.js';
