// Whether a query asks for a field below the one being resolved, so a resolver can skip reading
// what nobody selected (a leaderboard page reads its earners' columns in the same statement only
// when `earner` is selected).
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * True when the selection of the field being resolved contains `path` (field names, fragments
 * followed). @skip and @include are not evaluated: such a field counts as selected.
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const visit = (set: SelectionSetNode | undefined, depth: number): boolean =>
    !!set &&
    set.selections.some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === path[depth] && (depth === path.length - 1 || visit(selection.selectionSet, depth + 1));
        case Kind.INLINE_FRAGMENT:
          return visit(selection.selectionSet, depth);
        case Kind.FRAGMENT_SPREAD:
          return visit(info.fragments[selection.name.value]?.selectionSet, depth);
      }
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet, 0));
}
