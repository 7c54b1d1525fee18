// API keys: who may call the API for an organization, with which permissions. Other modules use
// API keys through this file only.
export { PrincipalCache } from './principal-cache.js';
export { authenticate, createApiKey, insertApiKey, revokeApiKey } from './service.js';
export { visibleKeysWhere } from './visibility.js';
