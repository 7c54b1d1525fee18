import type { Actor, Deps } from '../../deps.js';
import type { Authentication, Principal } from '../../graphql/auth.js';
import type { OrganizationEvent } from '../../events/events.js';
import { commit, type Tx } from '../../db/transaction.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { parseInput, line, text, z } from '../../shared/validation.js';
import { isPermission, parsePermissions, serializePermissions, type Permission } from '../../graphql/permissions.js';
import { visibleKeysWhere } from './visibility.js';
import { displayPrefix, generateApiKey, hashApiKey } from './secrets.js';


// lastUsedAt is for humans auditing keys: minute precision is plenty, and writing it on every
// request would turn every read into a write.
const LAST_USED_PRECISION_MS = 60_000;

/**
 * The principal of an API key. With `whitelabelHost` (from X-Whitelabel-Host), the key must belong
 * to the organization of that host. Results are cached for a few seconds (PrincipalCache).
 */
export async function authenticate(deps: Deps, secret: string, whitelabelHost?: string): Promise<Authentication> {
  const secretHash = hashApiKey(secret);
  const cacheKey = `${secretHash}|${whitelabelHost ?? ''}`;
  const now = deps.clock.now();
  const cached = deps.principals.get(cacheKey);
  if (cached) {
    const { result } = cached;
    if ('principal' in result && now.getTime() - cached.lastUseRecordedAt >= LAST_USED_PRECISION_MS) {
      cached.lastUseRecordedAt = now.getTime();
      deps.background.run(() => recordUse(deps, result.principal.apiKeyId, now));
    }
    return result;
  }
  return deps.principals.load(cacheKey, () => lookUp(deps, secretHash, whitelabelHost, now));
}

/** One read of the key (and of the host's owner), and a use recorded when the last is old. */
async function lookUp(deps: Deps, secretHash: string, whitelabelHost: string | undefined, now: Date) {
  const key = await deps.reader.apiKey.findUnique({
    where: { secretHash },
    select: { id: true, organizationId: true, permissions: true, revokedAt: true, lastUsedAt: true },
  });
  let result: Authentication;
  let lastUseRecordedAt = now.getTime();
  if (!key) result = { failure: 'The API key is not valid.' };
  else if (key.revokedAt) result = { failure: 'The API key has been revoked.' };
  else if (whitelabelHost && !(await ownsHost(deps, key.organizationId, whitelabelHost))) {
    result = { forbidden: "The API key does not belong to the X-Whitelabel-Host's organization." };
  } else {
    result = {
      principal: {
        apiKeyId: key.id,
        organizationId: key.organizationId,
        permissions: new Set(parsePermissions(key.permissions)),
      },
    };
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
      deps.background.run(() => recordUse(deps, key.id, now));
    } else {
      lastUseRecordedAt = key.lastUsedAt.getTime();
    }
  }
  return { result, lastUseRecordedAt };
}

async function ownsHost(deps: Deps, organizationId: string, whitelabelHost: string): Promise<boolean> {
  const owner = await deps.reader.organization.findUnique({ where: { whitelabelHost }, select: { id: true } });
  return owner?.id === organizationId;
}

// Announced like any change, so a cached list of keys read before the write does not keep
// showing the older time (once a minute per key at most, by LAST_USED_PRECISION_MS).
async function recordUse(deps: Deps, apiKeyId: string, at: Date): Promise<void> {
  try {
    await commit(deps, async (tx) => {
      const used = await tx.apiKey.update({ where: { id: apiKeyId }, data: { lastUsedAt: at }, select: { id: true, organizationId: true } });
      return { result: undefined, events: [apiKeyEvent('API_KEY_USED', used, at)] };
    });
  } catch (error) {
    deps.logger.warn({ err: error, apiKeyId }, 'could not record API key use');
  }
}

const createApiKeyInput = z.object({
  name: line(100),
  permissions: z
    .array(z.string())
    .min(1, 'must name at least one permission')
    .refine((values) => values.every(isPermission), { message: 'names an unknown permission', params: { rule: 'oneOf' } }),
});

/** Creates a key in the same transaction as other work (organization creation uses this). */
export async function insertApiKey(
  tx: Tx,
  organizationId: string,
  input: { name: string; permissions: Iterable<Permission>; secret?: string },
) {
  const secret = input.secret ?? generateApiKey();
  const apiKey = await tx.apiKey.create({
    data: {
      organizationId,
      name: input.name,
      prefix: displayPrefix(secret),
      secretHash: hashApiKey(secret),
      permissions: serializePermissions(input.permissions),
    },
  });
  return { apiKey, secret };
}

export async function createApiKey(deps: Deps, actor: Principal, rawInput: { name: string; permissions: string[] }) {
  const input = parseInput(createApiKeyInput, rawInput);
  const permissions = input.permissions.filter(isPermission);
  const beyondOwn = permissions.filter((permission) => !actor.permissions.has(permission));
  if (beyondOwn.length > 0) {
    throw new ForbiddenError(`A key cannot grant permissions it does not hold itself: ${beyondOwn.join(', ')}.`, {
      field: 'permissions',
      rule: 'subsetOfOwn',
    });
  }
  return commit(deps, async (tx) => {
    const created = await insertApiKey(tx, actor.organizationId, { name: input.name, permissions });
    return { result: created, events: [apiKeyEvent('API_KEY_CREATED', created.apiKey, deps.clock.now())] };
  });
}

function apiKeyEvent(change: OrganizationEvent['change'], key: { id: string; organizationId: string }, at: Date): OrganizationEvent {
  return { kind: 'organization', change, organizationId: key.organizationId, subjectId: key.id, at: at.toISOString() };
}

/**
 * Revokes a key the caller may see (visibleKeysWhere): from the moment this returns, this
 * instance refuses it (the revocation event empties its cache of keys, here at once and on other
 * instances when it reaches them).
 */
export async function revokeApiKey(deps: Deps, actor: Principal, apiKeyId: string) {
  return commit(deps, async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id: apiKeyId, organizationId: actor.organizationId } });
    if (!key) throw new NotFoundError('API key');
    const beyondOwn = parsePermissions(key.permissions).filter((permission) => !actor.permissions.has(permission));
    if (beyondOwn.length) {
      throw new ForbiddenError(`A key cannot revoke a key that may do more than itself: ${beyondOwn.join(', ')}.`, {
        field: 'id',
        rule: 'subsetOfOwn',
      });
    }
    if (key.revokedAt) throw new ConflictError('This API key is already revoked.', { field: 'id', rule: 'notRevoked' });
    const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: deps.clock.now() } });
    return { result: revoked, events: [apiKeyEvent('API_KEY_REVOKED', revoked, deps.clock.now())] };
  });
}
