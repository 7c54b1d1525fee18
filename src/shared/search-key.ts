// The text stored in the `...Lower` search columns, and the text searched for.
//
// Prisma's `contains` becomes `LIKE '%…%'` without escaping the pattern characters, and SQLite's
// LIKE has no default escape character, so a search for "%" or "_" would match everything. Both
// sides are therefore lower-cased (case-insensitive alike on SQLite and PostgreSQL, accents
// included) and LIKE's special characters are swapped for private-use characters that no
// pattern gives a meaning to. The mapping is one-to-one, so equality lookups stay exact.
import { ValidationError } from './errors.js';

const LIKE_SPECIALS: Record<string, string> = { '%': '\uE025', _: '\uE05F', '\\': '\uE05C' };

export function searchKey(text: string): string {
  return text.toLowerCase().replace(/[%_\\]/g, (special) => LIKE_SPECIALS[special]!);
}

/** Longer search terms are refused: no name or email is longer, and each costs a scan to match. */
export const MAX_SEARCH_LENGTH = 200;

/** The key to search for, or undefined for no search; a term over MAX_SEARCH_LENGTH is refused naming `field`. */
export function searchNeedle(search: string | null | undefined, field: string): string | undefined {
  const term = search?.trim();
  if (!term) return undefined;
  if (term.length > MAX_SEARCH_LENGTH) throw ValidationError.single(field, 'maxLength', `must be at most ${MAX_SEARCH_LENGTH} characters`);
  return searchKey(term);
}
