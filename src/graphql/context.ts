import type { Deps } from '../deps.js';
import { RequestAuth, type Principal } from './auth.js';
import type { DomainEvent } from '../events/events.js';

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
   * What this response was read from, when its resolvers can tell which changes it survives
   * (src/graphql/response-cache.ts); and whether some resolver read something that cannot, which
   * makes every change reach it.
   */
  cacheDependencies?: CacheDependency[];
  cacheDependsOnAll?: boolean;
}

/** Something a cached result was read from, that can tell whether a change reached it. */
export interface CacheDependency {
  survives(event: DomainEvent): boolean;
}

export function createContext(deps: Deps, auth: RequestAuth, clientAddress?: string): Context {
  return { deps, auth, clientAddress };
}

/** A context for work on behalf of an already authenticated caller, or of nobody (one subscription event). */
export function contextFor(deps: Deps, principal: Principal | undefined): Context {
  return { deps, auth: principal ? RequestAuth.forPrincipal(principal) : RequestAuth.anonymous() };
}

/** Records that the response being built stops being true at `moment`. */
export function validUntil(context: Context, moment: Date): void {
  const time = moment.getTime();
  if (context.validUntil === undefined || time < context.validUntil) context.validUntil = time;
}
