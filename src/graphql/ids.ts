import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { Context } from './context.js';

const ASCII = /^[\x20-\x7e]*$/;

/**
 * A global id exactly as the relay plugin writes it (base64 of `Type:id`), for every node a
 * response holds: ids and type names are ASCII, for which `btoa` gives the same text without a
 * Buffer per id; anything else goes the plugin's way.
 */
export function encodeNodeId(typename: string, id: string | number | bigint): string {
  const text = `${typename}:${id}`;
  return ASCII.test(text) ? btoa(text) : encodeGlobalID(typename, String(id));
}

/**
 * The database id inside a global id, checked to be of the expected type. A well-formed id of the
 * right type that does not exist (or belongs to another organization) is the service's NOT_FOUND.
 */
export function decodeId(typename: string, globalId: string, field: string): string {
  try {
    const decoded = decodeGlobalID(globalId);
    if (decoded.typename === typename && decoded.id) return decoded.id;
  } catch {
    // fall through: not a global id at all
  }
  throw ValidationError.single(field, 'globalId', `must be the id of a ${typename}`);
}

/**
 * A raw id, or the raw id inside a global id of `typename`: for ids people paste (files, the
 * command line), from the API or from the database.
 */
export function rawId(typename: string, value: string): string {
  try {
    const decoded = decodeGlobalID(value);
    if (decoded.typename === typename && decoded.id) return decoded.id;
  } catch {
    // a raw id
  }
  return value;
}

export function decodeOptionalId(typename: string, globalId: string | null | undefined, field: string) {
  return globalId == null ? undefined : decodeId(typename, globalId, field);
}

const OWNED = {
  BadgeTemplate: { entity: 'badge template', find: (context: Context, id: string, organizationId: string) => context.deps.reader.badgeTemplate.findFirst({ where: { id, organizationId }, select: { id: true } }) },
  Earner: { entity: 'earner', find: (context: Context, id: string, organizationId: string) => context.deps.reader.earner.findFirst({ where: { id, organizationId }, select: { id: true } }) },
  ImportJob: { entity: 'import job', find: (context: Context, id: string, organizationId: string) => context.deps.reader.importJob.findFirst({ where: { id, organizationId }, select: { id: true } }) },
};

/**
 * An optional id argument that must name a record of the caller's organization: a subscription
 * filtered on an unknown id (or another organization's) is refused with NOT_FOUND, as a query for
 * it would be, instead of being accepted and staying silent forever.
 */
export async function decodeOwnedId(context: Context, typename: keyof typeof OWNED, globalId: string | null | undefined, field: string) {
  const id = decodeOptionalId(typename, globalId, field);
  if (id === undefined) return undefined;
  const { entity, find } = OWNED[typename];
  if (!(await find(context, id, context.auth.current.organizationId))) throw new NotFoundError(entity, field);
  return id;
}
