import type { Actor, Deps } from '../../deps.js';
import type { PrismaClient } from '../../db/client.js';
import { inTransaction, type Tx } from '../../db/transaction.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { parseInput, text, z } from '../../shared/validation.js';
import { isPermission, parsePermissions, serializePermissions, type Permission } from './permissions.js';
import { displayPrefix, generateApiKey, hashApiKey } from './secrets.js';

/** The caller of an authenticated request. */
export interface Principal extends Actor {
  apiKeyId: string;
  permissions: ReadonlySet<Permission>;
}

export type Authentication = { principal: Principal } | { failure: string } | { forbidden: string };

// lastUsedAt is for humans auditing keys: minute precision is plenty, and writing it on every
// request would turn every read into a write.
const LAST_USED_PRECISION_MS = 60_000;

/**
 * The principal of an API key. With `whitelabelHost` (from X-Whitelabel-Host), the key must belong
 * to the organization of that host.
 */
export async function authenticate(deps: Deps, secret: string, whitelabelHost?: string): Promise<Authentication> {
  const key = await deps.reader.apiKey.findUnique({
    where: { secretHash: hashApiKey(secret) },
    select: { id: true, organizationId: true, permissions: true, revokedAt: true, lastUsedAt: true },
  });
  if (!key) return { failure: 'The API key is not valid.' };
  if (key.revokedAt) return { failure: 'The API key has been revoked.' };
  if (whitelabelHost) {
    const owner = await deps.reader.organization.findUnique({ where: { whitelabelHost }, select: { id: true } });
    if (owner?.id !== key.organizationId) {
      return { forbidden: "The API key does not belong to the X-Whitelabel-Host's organization." };
    }
  }
  const now = deps.clock.now();
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
    void recordUse(deps, key.id, now);
  }
  return {
    principal: {
      apiKeyId: key.id,
      organizationId: key.organizationId,
      permissions: new Set(parsePermissions(key.permissions)),
    },
  };
}

async function recordUse(deps: Deps, apiKeyId: string, at: Date): Promise<void> {
  try {
    await inTransaction(deps.db, (tx) => tx.apiKey.update({ where: { id: apiKeyId }, data: { lastUsedAt: at } }));
  } catch (error) {
    deps.logger.warn({ err: error, apiKeyId }, 'could not record API key use');
  }
}

const createApiKeyInput = z.object({
  name: text(100),
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
  return inTransaction(deps.db, (tx) => insertApiKey(tx, actor.organizationId, { name: input.name, permissions }));
}

export async function revokeApiKey(deps: Deps, actor: Actor, apiKeyId: string) {
  return inTransaction(deps.db, async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id: apiKeyId, organizationId: actor.organizationId } });
    if (!key) throw new NotFoundError('API key');
    if (key.revokedAt) throw new ConflictError('This API key is already revoked.', { field: 'id', rule: 'notRevoked' });
    return tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: deps.clock.now() } });
  });
}

export function findApiKey(reader: PrismaClient, actor: Actor, id: string) {
  return reader.apiKey.findFirst({ where: { id, organizationId: actor.organizationId } });
}
