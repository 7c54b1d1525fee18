// Errors the domain raises on purpose. They carry a stable code that clients can branch on; the
// GraphQL layer turns them into errors with `extensions.code` (src/graphql/errors.ts). Anything
// else thrown is a bug: it is logged in full and reaches the client only as a generic message.

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED';

/** One broken rule: the input field (dotted path, e.g. `recipient.email` or `awards[3].issuedAt`). */
export interface FieldIssue {
  field: string;
  rule: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    super('BAD_USER_INPUT', first ? `${first.field}: ${first.message}${more}` : 'Invalid input', {
      field: first?.field,
      rule: first?.rule,
      issues,
    });
  }

  static single(field: string, rule: string, message: string): ValidationError {
    return new ValidationError([{ field, rule, message }]);
  }

  /** The same issues, as fields of an element of a list input (`awards[3].recipient.email`). */
  withPrefix(prefix: string): ValidationError {
    return new ValidationError(this.issues.map((issue) => ({ ...issue, field: `${prefix}.${issue.field}` })));
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, field = 'id') {
    super('NOT_FOUND', `No ${entity} with this ${field} exists.`, { field, entity });
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details: { field?: string; rule: string } & Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('FORBIDDEN', message, details);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}
