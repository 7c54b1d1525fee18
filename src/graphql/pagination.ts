import type { ObjectRef } from '@pothos/core';
import { ValidationError } from '../shared/errors.js';
import { builder, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './builder.js';

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

type TotalCount = number | (() => number | Promise<number>);

/**
 * One connection type per node type (`AwardConnection`, `AwardEdge`), shared by every list of
 * that type, with the total count across pages.
 */
export function connectionType<Shape>(node: ObjectRef<any, Shape>, name: string, plural: string) {
  return builder.connectionObject(
    {
      type: node,
      name: `${name}Connection`,
      description: `A page of ${plural}.`,
      fields: (t) => ({
        totalCount: t.int({
          description: `How many ${plural} the list holds, across all pages.`,
          resolve: (connection) => {
            const { totalCount } = connection as { totalCount?: TotalCount };
            return typeof totalCount === 'function' ? totalCount() : (totalCount ?? 0);
          },
        }),
      }),
    },
    { name: `${name}Edge`, description: `One of the ${plural} of a page, with its cursor.` },
  );
}
