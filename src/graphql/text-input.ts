// Control characters have no place in any text the API accepts: PostgreSQL refuses NUL in text
// (the request would fail deep inside a statement), SQLite would store it, and the rest only
// corrupt what earners and verifiers read. Every string argument, inline or in variables, is
// checked before execution, alike on both databases; tab, line feed and carriage return stay
// allowed (descriptions have lines; one-line fields refuse line breaks in their own rules).
import { GraphQLError, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** The path of the first string under `value` holding a control character, or undefined. */
function controlIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = controlIn(item, `${path}[${index}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = controlIn(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/** The argument (as `field.argument`) of the first inline string literal with a control character. */
function controlInDocument(document: DocumentNode): string | undefined {
  let found: string | undefined;
  const path: string[] = [];
  visit(document, {
    Argument: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    StringValue(node) {
      if (!found && CONTROL.test(node.value)) found = path.join('.') || 'query';
    },
  });
  return found;
}

function refusal(field: string): GraphQLError {
  return new GraphQLError(`${field}: must not contain control characters`, {
    extensions: { code: 'BAD_USER_INPUT', field, rule: 'noControlCharacters' },
  });
}

export function useTextInputGuard(): Plugin {
  const literals = new WeakMap<DocumentNode, string | null>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let inline = literals.get(args.document);
      if (inline === undefined) literals.set(args.document, (inline = controlInDocument(args.document) ?? null));
      const field = inline ?? controlIn(args.variableValues ?? {}, '');
      if (field) setResultAndStopExecution({ data: null, errors: [refusal(field)] });
    },
  };
}
