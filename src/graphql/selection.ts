// What a query selects below the field being resolved, so a resolver can skip reading what
// nobody asked for (a leaderboard page reads its earners' columns in the same statement, and only
// the columns the query's `earner` selection needs).
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields selected directly inside the field at `path` (field names below the
 * field being resolved, fragments followed), or undefined when the query does not select that
 * field. A leaf field selected at `path` gives an empty set. @skip and @include are not
 * evaluated: such a field counts as selected.
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> | undefined {
  let found: Set<string> | undefined;
  const collect = (set: SelectionSetNode | undefined, into: Set<string>) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) into.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, into);
      else collect(info.fragments[selection.name.value]?.selectionSet, into);
    }
  };
  const visit = (set: SelectionSetNode | undefined, depth: number): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) visit(info.fragments[selection.name.value]?.selectionSet, depth);
      else if (selection.name.value !== path[depth]) continue;
      else if (depth < path.length - 1) visit(selection.selectionSet, depth + 1);
      else collect(selection.selectionSet, (found ??= new Set()));
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0);
  return found;
}
