import type { Actor, Deps } from '../../deps.js';
import { commit, inTransaction, type Tx } from '../../db/transaction.js';
import { ConflictError } from '../../shared/errors.js';
import { email, hexColor, httpUrl, omittable, parseInput, line, text, z } from '../../shared/validation.js';
import { ALL_PERMISSIONS } from '../../graphql/permissions.js';
import { insertApiKey } from '../api-keys/index.js';

const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, 'must be at most 253 characters')
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    message: 'must be a host name such as badges.example.com',
  });

const timeZone = z
  .string()
  .trim()
  .refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', {
    message: 'must be an IANA time zone such as Europe/Paris',
    params: { rule: 'timeZone' },
  });

const profileFields = {
  name: line(200),
  url: httpUrl().nullish(),
  contactEmail: email().nullish(),
  imageUrl: httpUrl().nullish(),
  whitelabelHost: hostName.nullish(),
  timeZone: omittable(timeZone),
  brandColor: hexColor().nullish(),
  signatoryName: line(100).nullish(),
  signatoryTitle: line(100).nullish(),
};

const createInput = z.object(profileFields);
const updateInput = z.object({ ...profileFields, name: omittable(profileFields.name) });

export type OrganizationProfileInput = z.input<typeof createInput>;

async function assertHostFree(tx: Tx, host: string | null | undefined, exceptOrganizationId?: string) {
  if (!host) return;
  const owner = await tx.organization.findUnique({ where: { whitelabelHost: host }, select: { id: true } });
  if (owner && owner.id !== exceptOrganizationId) {
    throw new ConflictError('Another organization already uses this white-label host.', {
      field: 'whitelabelHost',
      rule: 'unique',
    });
  }
}

/** Creates an organization and its first API key, which holds every permission. */
export async function createOrganization(
  deps: Deps,
  rawInput: OrganizationProfileInput,
  key: { name?: string; secret?: string } = {},
) {
  const input = parseInput(createInput, rawInput);
  return inTransaction(deps.db, async (tx) => {
    await assertHostFree(tx, input.whitelabelHost);
    const organization = await tx.organization.create({ data: input });
    const { apiKey, secret } = await insertApiKey(tx, organization.id, {
      name: key.name ?? 'Administrator',
      permissions: ALL_PERMISSIONS,
      ...(key.secret ? { secret: key.secret } : {}),
    });
    return { organization, apiKey, secret };
  });
}

export async function updateOrganization(deps: Deps, actor: Actor, rawInput: z.input<typeof updateInput>) {
  const input = parseInput(updateInput, rawInput);
  const organization = await commit(deps, async (tx) => {
    await assertHostFree(tx, input.whitelabelHost, actor.organizationId);
    const updated = await tx.organization.update({ where: { id: actor.organizationId }, data: input });
    const at = updated.updatedAt.toISOString();
    return { result: updated, events: [{ kind: 'organization', change: 'PROFILE_UPDATED', organizationId: updated.id, subjectId: null, at }] };
  });
  // A new white-label host changes which requests authenticate.
  if (input.whitelabelHost !== undefined) deps.principals.clear();
  return organization;
}

const BOOTSTRAP_SETTING = 'bootstrap';

/**
 * On the very first start, creates a default organization and an administrator key. Returns the
 * key's secret when this call created it (so the caller can print it once), else undefined.
 * Several instances starting together agree through the setting row's primary key.
 */
export async function bootstrap(deps: Deps): Promise<{ organizationId: string; secret: string } | undefined> {
  const done = await deps.reader.systemSetting.findUnique({ where: { key: BOOTSTRAP_SETTING } });
  if (done) return undefined;
  return inTransaction(deps.db, async (tx) => {
    if (await tx.systemSetting.findUnique({ where: { key: BOOTSTRAP_SETTING } })) return undefined;
    const organization = await tx.organization.create({ data: { name: 'Default organization' } });
    const { secret } = await insertApiKey(tx, organization.id, {
      name: 'Bootstrap administrator',
      permissions: ALL_PERMISSIONS,
      ...(deps.config.bootstrapApiKey ? { secret: deps.config.bootstrapApiKey } : {}),
    });
    await tx.systemSetting.create({ data: { key: BOOTSTRAP_SETTING, value: organization.id } });
    return { organizationId: organization.id, secret };
  });
}
