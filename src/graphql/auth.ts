// Who is calling: the credentials a request carries, the principal they resolve to, and the
// errors a failed check gives. How a key is looked up is the api-keys module's business; it hands
// the application an Authenticate function, so this layer knows no module.
import type { IncomingMessage } from 'node:http';
import { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../shared/errors.js';
import type { Permission } from './permissions.js';

/** The caller of an authenticated request: an API key of an organization. */
export interface Principal {
  organizationId: string;
  apiKeyId: string;
  permissions: ReadonlySet<Permission>;
}

/** What a key lookup concluded. */
export type Authentication = { principal: Principal } | { failure: string } | { forbidden: string };

/** Looks up a key, for a white-label host when one was named. */
export type Authenticate = (apiKey: string, whitelabelHost: string | undefined) => Promise<Authentication>;

export interface Credentials {
  /** From `X-Api-Key`, `Authorization: Bearer`, or a websocket's connection_init payload. */
  apiKey: string | undefined;
  /** From `X-Whitelabel-Host`: when sent, it must be the key's organization's host. */
  whitelabelHost: string | undefined;
}

/** A request header by its lower-case name, as the Fetch API's Headers.get gives it. */
export type HeaderOf = (name: string) => string | null | undefined;

/** A header of Node's request, as Headers.get would give it (repeated values joined). */
export function nodeHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function credentialsFromHeaders(header: HeaderOf): Credentials {
  const authorization = header('authorization');
  const bearer = authorization ? /^Bearer\s+(.+)$/i.exec(authorization)?.[1] : undefined;
  return {
    apiKey: header('x-api-key')?.trim() || bearer?.trim() || undefined,
    whitelabelHost: header('x-whitelabel-host')?.trim().toLowerCase() || undefined,
  };
}

/** Who is calling, resolved at most once per request and only when a field needs it. */
export class RequestAuth {
  #result: Promise<Principal | undefined> | undefined;
  #failure: DomainError | undefined;
  #principal: Principal | undefined;

  constructor(
    private readonly authenticate: Authenticate,
    private readonly credentials: Credentials,
  ) {}

  /** Authentication already done elsewhere (a subscription's events run as their subscriber). */
  static forPrincipal(principal: Principal): RequestAuth {
    const auth = new RequestAuth(() => Promise.reject(new Error('already authenticated')), { apiKey: undefined, whitelabelHost: undefined });
    auth.#principal = principal;
    auth.#result = Promise.resolve(principal);
    return auth;
  }

  /** A caller who presented no key at all: allowed on public fields and public subscriptions. */
  static anonymous(): RequestAuth {
    return new RequestAuth(() => Promise.reject(new Error('no key to check')), { apiKey: undefined, whitelabelHost: undefined });
  }

  /** Whether no key was presented (as opposed to a key that failed). */
  get isAnonymous(): boolean {
    return !this.credentials.apiKey;
  }

  /** Why authentication failed, once `principal()` has resolved to nothing. */
  get failure(): DomainError | undefined {
    return this.#failure;
  }

  principal(): Promise<Principal | undefined> {
    this.#result ??= this.#resolve();
    return this.#result;
  }

  async #resolve(): Promise<Principal | undefined> {
    const { apiKey, whitelabelHost } = this.credentials;
    if (!apiKey) {
      this.#failure = new UnauthenticatedError('An API key is required: send it as X-Api-Key or Authorization: Bearer.');
      return undefined;
    }
    const result = await this.authenticate(apiKey, whitelabelHost);
    if ('failure' in result) {
      this.#failure = new UnauthenticatedError(result.failure);
      return undefined;
    }
    if ('forbidden' in result) {
      this.#failure = new ForbiddenError(result.forbidden, { field: 'X-Whitelabel-Host' });
      return undefined;
    }
    this.#principal = result.principal;
    return result.principal;
  }

  /** The caller; only valid inside resolvers guarded by an auth scope. */
  get current(): Principal {
    if (!this.#principal) throw this.#failure ?? new UnauthenticatedError('An API key is required.');
    return this.#principal;
  }

  /** The error for a failed scope check: who is unknown, or what they lack. */
  errorFor(failure: AuthFailure): DomainError {
    if (!this.#principal) return this.#failure ?? new UnauthenticatedError('An API key is required.');
    const missing = missingPermissions(failure);
    return new ForbiddenError(`This API key lacks the permission ${missing.join(' or ') || 'required'} for this field.`, {
      permissions: missing,
    });
  }
}

function missingPermissions(failure: AuthFailure): string[] {
  if ('failures' in failure) return failure.failures.flatMap(missingPermissions);
  if (failure.kind === AuthScopeFailureType.AuthScope && failure.scope === 'permission') return [String(failure.parameter)];
  return [];
}
