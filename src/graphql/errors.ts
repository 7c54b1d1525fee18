// One place turns errors into what clients see. Domain errors (src/shared/errors.ts) keep their
// message and gain `extensions.code`; GraphQL's own errors (syntax, validation, variables) pass
// through; anything else is a bug: logged in full, and masked to the client.
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../shared/errors.js';

// By name, not instanceof: graphql-js can be loaded twice (its CommonJS and ES builds), and an
// error made by one copy is not an instance of the other's class.
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

function innermost(error: unknown): unknown {
  let current = error;
  while (isGraphQLError(current) && current.originalError) current = current.originalError;
  return current;
}

/** A domain error as the GraphQL error clients receive. */
export function toGraphQLError(error: DomainError, location: { path?: ReadonlyArray<string | number> | null } = {}): GraphQLError {
  return new GraphQLError(error.message, {
    path: location.path ?? null,
    extensions: { code: error.code, ...withoutUndefined(error.details) },
  });
}

export function createMaskError(logger: Logger) {
  return (error: unknown): Error => {
    const outer = isGraphQLError(error) ? error : undefined;
    const original = innermost(error);
    const rebuild = (message: string, extensions: Record<string, unknown>) =>
      new GraphQLError(message, {
        nodes: outer?.nodes ?? null,
        source: outer?.source ?? null,
        positions: outer?.positions ?? null,
        path: outer?.path ?? null,
        extensions,
      });

    if (original instanceof DomainError) {
      return rebuild(original.message, { code: original.code, ...withoutUndefined(original.details) });
    }
    // Pothos raises these at run time only for arguments it cannot use (a malformed cursor).
    if (original instanceof Error && original.name === 'PothosValidationError') {
      return rebuild(original.message, { code: 'BAD_USER_INPUT' });
    }
    if (isGraphQLError(original) && outer) {
      // Raised on purpose by GraphQL itself, a scalar, or Pothos. Errors in variables lack a code.
      // Yoga attaches the cause of an unreadable body, which quotes the body: never echoed.
      const { originalError: _cause, ...extensions } = { ...original.extensions, ...outer.extensions };
      if (extensions.code === undefined && outer.message.startsWith('Variable "$')) extensions.code = 'BAD_USER_INPUT';
      return rebuild(outer.message, extensions);
    }
    logger.error({ err: original, path: outer?.path }, 'unexpected error while executing a GraphQL operation');
    return rebuild('Unexpected error.', { code: 'INTERNAL_SERVER_ERROR' });
  };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
