// What a GraphQL document may cost, checked before anything runs. Every request pays the checks
// in order, each one cheap next to the next, and a document that fails one never reaches the
// costlier steps after it:
// 1. its text is at most TEXT_BYTES (before parsing; a bulk issue sends its rows as variables);
// 2. the parser stops at TOKENS tokens (graphql-armor's max-tokens);
// 3. one linear pass over the parsed document, fragments counted once each (graphql-armor's
//    aliases, depth and directives rules, and our own count of root fields, field selections and
//    repeats of one response name), run before graphql-js's own validation, whose check that
//    fields with the same name can merge is quadratic in them (200 repeats of one field with a
//    few subfields took 136 ms to validate);
// 4. graphql-js's validation (cached per document);
// 5. the schema-aware cost from @pothos/plugin-complexity of the operation the request runs, with
//    its variables (`first: $n` multiplies a list), after validation, before execution: for every
//    request of an operation that declares variables, once for one without.
// Whatever fails is a client error (GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED) naming the
// limit, the value found and the maximum. The limits apply alike over HTTP and websockets.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  GraphQLError,
  getOperationAST,
  Kind,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * The limits, and why each has its value:
 * - textBytes: the largest query text; real queries are a few KB, and Yoga keeps up to 1,024
 *   parsed documents, so this also bounds that cache (64 MB at worst).
 * - tokens: ten times GraphiQL's introspection query (about 1,000 tokens); parsing stops there.
 * - aliases: a dashboard asks for a handful of lists under other names; thirty is generous, and
 *   aliases are the cheapest way to multiply a costly field.
 * - rootFields: each root field is a query of its own (a list, a count); thirty per request.
 * - directives: @include/@skip on a few fields; fifty.
 * - depth: the deepest useful path (award → template → awards → earner → points…) is below ten.
 * - selections: 2,000 field selections, fragments expanded: ten times a large screen's query.
 * - repeatedName: how often one response name may be selected in one selection set (fragments
 *   often repeat `id`); more only makes graphql-js's merge check quadratic.
 * - complexity/breadth: Pothos's estimate (a list counts ten times its items' cost); a page of
 *   100 awards with their template, earner and history is about 6,000.
 */
export const QUERY_LIMITS = {
  textBytes: 64 * 1024,
  tokens: 10_000,
  aliases: 30,
  rootFields: 30,
  directives: 50,
  depth: 12,
  selections: 2_000,
  repeatedName: 20,
  complexity: 20_000,
  breadth: 300,
} as const;

export type QueryLimit = keyof typeof QUERY_LIMITS;

export function limitError(limit: QueryLimit, value: number, message: string, code = 'GRAPHQL_VALIDATION_FAILED'): GraphQLError {
  return new GraphQLError(`${message} (${value}; at most ${QUERY_LIMITS[limit]}).`, {
    extensions: { code, limit, value, max: QUERY_LIMITS[limit] },
  });
}

/** The query text's limit, checked before it is parsed. */
export function textTooLong(query: unknown): GraphQLError | undefined {
  if (typeof query !== 'string') return undefined;
  const bytes = Buffer.byteLength(query);
  return bytes > QUERY_LIMITS.textBytes ? limitError('textBytes', bytes, 'The query text is too long', 'BAD_REQUEST') : undefined;
}

interface Shape {
  rootFields: number;
  selections: number;
  repeatedName: number;
}

/**
 * Root fields, field selections and the most repeats of one response name in one selection set,
 * for each operation, with each fragment's counts computed once however often it is spread.
 */
function shapeOf(document: DocumentNode): Shape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<string, number>();
  let repeatedName = 0;
  // Field selections under a selection set, fragments expanded (a cycle counts once: graphql-js
  // refuses cycles in its own validation).
  const selections = (set: SelectionSetNode, names?: Map<string, number>): number => {
    let count = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        count += 1;
        const name = selection.alias?.value ?? selection.name.value;
        if (names) {
          const repeats = (names.get(name) ?? 0) + 1;
          names.set(name, repeats);
          repeatedName = Math.max(repeatedName, repeats);
        }
        if (selection.selectionSet) count += selections(selection.selectionSet, new Map());
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count += selections(selection.selectionSet, names);
      } else {
        const name = selection.name.value;
        if (!memo.has(name)) {
          memo.set(name, 0);
          const fragment = fragments.get(name);
          memo.set(name, fragment ? selections(fragment.selectionSet, new Map()) : 0);
        }
        count += memo.get(name)!;
      }
    }
    return count;
  };
  const shape: Shape = { rootFields: 0, selections: 0, repeatedName: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const roots = new Map<string, number>();
    shape.selections = Math.max(shape.selections, selections(definition.selectionSet, roots));
    shape.rootFields = Math.max(shape.rootFields, [...roots.values()].reduce((sum, repeats) => sum + repeats, 0));
  }
  // Fragments no operation spreads are still validated by graphql-js.
  for (const fragment of fragments.values()) selections(fragment.selectionSet, new Map());
  shape.repeatedName = repeatedName;
  return shape;
}

/** The graphql-armor rules, reporting through `found` instead of throwing. */
function armorRules(found: GraphQLError[]) {
  const report = (limit: QueryLimit, message: string) => ({
    propagateOnRejection: false,
    onReject: [
      (_context: ValidationContext | null, error: GraphQLError) => {
        const value = Number(/found (\d+)/.exec(error.message)?.[1] ?? NaN);
        found.push(limitError(limit, value, message));
      },
    ],
  });
  return [
    maxAliasesRule({ n: QUERY_LIMITS.aliases, ...report('aliases', 'The operation uses too many aliases') }),
    maxDepthRule({ n: QUERY_LIMITS.depth, flattenFragments: true, ...report('depth', 'The operation is nested too deep') }),
    maxDirectivesRule({ n: QUERY_LIMITS.directives, ...report('directives', 'The operation uses too many directives') }),
  ];
}

/** The errors of step 3, or none. */
export function shapeErrors(schema: GraphQLSchema, document: DocumentNode): GraphQLError[] {
  const shape = shapeOf(document);
  const errors: GraphQLError[] = [];
  if (shape.rootFields > QUERY_LIMITS.rootFields) errors.push(limitError('rootFields', shape.rootFields, 'The operation selects too many root fields'));
  if (shape.selections > QUERY_LIMITS.selections) errors.push(limitError('selections', shape.selections, 'The operation selects too many fields'));
  if (shape.repeatedName > QUERY_LIMITS.repeatedName) {
    errors.push(limitError('repeatedName', shape.repeatedName, 'The operation selects one field under the same name too often'));
  }
  // The selections bound above keeps the armor rules linear and short.
  if (errors.length === 0) validate(schema, document, armorRules(errors));
  return errors;
}

/**
 * The document with the operation the request runs as its only one: complexityFromQuery measures
 * a document's first operation, whichever the request names.
 */
function withOperation(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  const first = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (first === operation) return document;
  return { ...document, definitions: document.definitions.filter((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition === operation) };
}

/** The errors of step 5 for the operation the request runs, or none; variables that do not fit are left to execution to report. */
export function complexityErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: unknown,
  context: object,
): GraphQLError[] {
  let complexity;
  try {
    complexity = complexityFromQuery(withOperation(document, operation), { schema, ctx: context, variables: (variables ?? {}) as Record<string, unknown> });
  } catch {
    return [];
  }
  const errors: GraphQLError[] = [];
  if (complexity.depth > QUERY_LIMITS.depth) errors.push(limitError('depth', complexity.depth, 'The operation is nested too deep'));
  if (complexity.breadth > QUERY_LIMITS.breadth) errors.push(limitError('breadth', complexity.breadth, 'The operation selects too many fields at one level'));
  if (complexity.complexity > QUERY_LIMITS.complexity) {
    errors.push(limitError('complexity', complexity.complexity, 'The operation would cost too much (lists count ten times their items)'));
  }
  return errors;
}

/** What is known of one parsed document for one schema; each part computed once, when first needed. */
interface Checked {
  schema: GraphQLSchema;
  shape: GraphQLError[];
  /** graphql-js's validation with its specified rules. */
  validation?: readonly GraphQLError[];
  /** Step 5 of each operation that declares no variables (its cost cannot change from request to request). */
  complexity?: Map<OperationDefinitionNode, GraphQLError[]>;
}

/** Whether `rules` are graphql-js's specified rules, in their order, and no others. */
function specifiedOnly(rules: readonly ValidationRule[] | undefined): boolean {
  return rules !== undefined && rules.length === specifiedRules.length && rules.every((rule, index) => rule === specifiedRules[index]);
}

/**
 * Steps 1, 2, 3 and 5 for Yoga, and step 4's cache (Yoga's own is turned off where the app is
 * built: it rebuilt its key from the rules' names on every request). Yoga hands the same parsed
 * document object to every request with the same query text, so each document is checked once.
 */
export function useQueryLimits(): Plugin<{ params?: { variables?: unknown; operationName?: string | null } }> {
  const checks = new WeakMap<DocumentNode, Checked>();
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(maxTokensPlugin({ n: QUERY_LIMITS.tokens }));
    },
    onParams({ params, setResult }) {
      const error = textTooLong(params.query);
      if (error) setResult({ errors: [error] });
    },
    onValidate({ params, validateFn, context, setResult }) {
      // Envelop types these loosely (any).
      const { schema, documentAST, rules } = params as { schema: GraphQLSchema; documentAST: DocumentNode; rules?: readonly ValidationRule[] };
      const { typeInfo, options } = params as { typeInfo?: unknown; options?: unknown };
      let checked = checks.get(documentAST);
      if (!checked || checked.schema !== schema) {
        checked = { schema, shape: shapeErrors(schema, documentAST) };
        checks.set(documentAST, checked);
      }
      const known = checked;
      if (checked.shape.length) {
        setResult(checked.shape);
        return;
      }
      // Only the result of graphql-js's own rules is kept (Yoga adds them to every request): a
      // plugin's rules would make another validation.
      if (specifiedOnly(rules) && typeInfo === undefined && options === undefined) {
        const validation = (checked.validation ??= validateFn(schema, documentAST, rules) as readonly GraphQLError[]);
        setResult(validation);
      }
      return ({ valid, setResult: replace }) => {
        if (!valid) return;
        // The operation the request names, not the document's first; none is execution's error to report.
        const operation = getOperationAST(documentAST, context.params?.operationName);
        if (!operation) return;
        let costly = known.complexity?.get(operation);
        if (!costly) {
          costly = complexityErrors(schema, documentAST, operation, context.params?.variables, context);
          // The cost depends on the operation and its variables alone (no field's cost reads the context).
          if (!operation.variableDefinitions?.length) (known.complexity ??= new Map()).set(operation, costly);
        }
        if (costly.length) replace(costly);
      };
    },
  };
}
