import { ValidationError } from '../shared/errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './builder.js';

/**
 * Page-size rules for every connection: 50 by default, at most 100. Asking for more is an error
 * rather than a silent cut, so a client never mistakes a capped page for the whole list.
 */
export const pageSize = {
  defaultSize: DEFAULT_PAGE_SIZE,
  maxSize: (args: { first?: number | null; last?: number | null }) => {
    for (const field of ['first', 'last'] as const) {
      const value = args[field];
      if (value != null && value > MAX_PAGE_SIZE) {
        throw ValidationError.single(field, 'max', `must be at most ${MAX_PAGE_SIZE}`);
      }
    }
    return MAX_PAGE_SIZE;
  },
};
