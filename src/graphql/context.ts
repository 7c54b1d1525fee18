import type { Deps } from '../deps.js';
import type { Credentials } from '../modules/api-keys/request-auth.js';
import { RequestAuth } from '../modules/api-keys/request-auth.js';

/** Built fresh for every HTTP request and every subscription event. */
export interface Context {
  deps: Deps;
  auth: RequestAuth;
}

export function createContext(deps: Deps, credentials: Credentials): Context {
  return { deps, auth: new RequestAuth(deps, credentials) };
}
