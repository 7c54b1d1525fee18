import type { Deps } from '../deps.js';
import type { Credentials } from '../modules/api-keys/request-auth.js';
import { RequestAuth } from '../modules/api-keys/request-auth.js';
import type { Principal } from '../modules/api-keys/service.js';
import type { TopPage } from '../modules/leaderboards/cache-scope.js';

/** Built fresh for every HTTP request and every subscription event. */
export interface Context {
  deps: Deps;
  auth: RequestAuth;
  /**
   * The first moment (epoch ms) a value computed for this response changes by itself, such as an
   * award's status when its expiry passes; the response cache keeps the result no longer.
   */
  validUntil?: number;
  /** The client's network address (src/modules/engagement/client-address.ts), for public counters. */
  clientAddress?: string;
  /**
   * Pages from the top of all-time points boards that this response was read from, and whether it
   * read any other page of a board (src/modules/leaderboards/cache-scope.ts). The response cache
   * keeps a result through points changes only when it is made of such pages alone.
   */
  topPages?: TopPage[];
  readOtherPages?: boolean;
}

export function createContext(deps: Deps, credentials: Credentials, clientAddress?: string): Context {
  return { deps, auth: new RequestAuth(deps, credentials), clientAddress };
}

/** A context for work on behalf of an already authenticated caller (one subscription event). */
export function contextFor(deps: Deps, principal: Principal): Context {
  return { deps, auth: RequestAuth.forPrincipal(deps, principal) };
}

/** Records that the response being built stops being true at `moment`. */
export function validUntil(context: Context, moment: Date): void {
  const time = moment.getTime();
  if (context.validUntil === undefined || time < context.validUntil) context.validUntil = time;
}
