import { decodeGlobalID } from '@pothos/plugin-relay';
import { ValidationError } from '../shared/errors.js';

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

export function decodeOptionalId(typename: string, globalId: string | null | undefined, field: string) {
  return globalId == null ? undefined : decodeId(typename, globalId, field);
}
