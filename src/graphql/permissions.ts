/** What an API key may do. Queries need `read`; each kind of change has its own permission. */
export const PERMISSIONS = {
  read: 'Read the organization, its templates, earners, awards and keys.',
  'templates:write': 'Create, change, activate and archive badge templates.',
  'awards:issue': 'Issue awards (one or in bulk), update them, and accept or reject them for earners.',
  'awards:revoke': 'Revoke awards and restore revoked ones.',
  'awards:delete': 'Delete awards for good (erasure requests).',
  'email:send': 'Email awards to their earners and share them with other addresses (up to 20 per message).',
  'earners:write': 'Change earners, for example their email address.',
  'automation:write': "Set and remove templates' award rules (points, memberships, actions).",
  'activity:write': "Record earners' points, memberships and actions, which award and revoke badges by rule.",
  'keys:manage': 'Create and revoke API keys, and rotate the keys credentials are signed with.',
  'webhooks:manage': 'See, create, change, disable, delete and test webhook endpoints, rotate their secrets, and see and redeliver their deliveries.',
  'organization:write': "Change the organization's profile, and publish or unpublish its leaderboard screens.",
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

export function parsePermissions(stored: string): Permission[] {
  return stored.split(' ').filter(isPermission);
}

export function serializePermissions(permissions: Iterable<Permission>): string {
  return ALL_PERMISSIONS.filter((permission) => new Set(permissions).has(permission)).join(' ');
}
