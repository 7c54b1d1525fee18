import { ALL_PERMISSIONS, type Permission } from '../../graphql/permissions.js';

/**
 * The keys a caller with `permissions` may see and revoke: those holding none it lacks, so no key
 * can look into or switch off one that may do more than itself (the administrator key). Permission
 * names are stored space-separated and none is part of another, so "lacks" is "does not contain".
 */
export function visibleKeysWhere(permissions: ReadonlySet<Permission>) {
  return { AND: ALL_PERMISSIONS.filter((permission) => !permissions.has(permission)).map((permission) => ({ NOT: { permissions: { contains: permission } } })) };
}

