import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

function invalid(value: unknown): GraphQLError {
  return new GraphQLError(
    `DateTime must be an ISO-8601 date (2025-01-15) or a date-time with a UTC offset (2025-01-15T10:30:00Z, 2025-01-15T12:30:00+02:00); got ${JSON.stringify(value)}.`,
    { extensions: { code: 'BAD_USER_INPUT', rule: 'isoDateTime' } },
  );
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A date without a time is midnight UTC of that day (`2025-01-15` reads
 * back as `2025-01-15T00:00:00.000Z`). A date-time must carry its offset: a local time without
 * one would depend on the server's time zone.
 */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw invalid(value);
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1).map(Number) as [number, number, number];
    if (!validCalendarDate(year, month, day)) throw invalid(value);
    return new Date(Date.UTC(year, month - 1, day));
  }
  const dateTime = DATE_TIME.exec(value);
  if (!dateTime) throw invalid(value);
  const [year, month, day, hour, minute, second] = dateTime.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  if (!validCalendarDate(year!, month!, day!) || hour! > 23 || minute! > 59 || second! > 59) throw invalid(value);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(value);
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant, written in ISO-8601. Output is always UTC (`2025-01-15T10:30:00.000Z`). Input accepts a date-time with an offset, or a date alone, which means midnight UTC of that day.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return parseDateTime(value).toISOString();
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}.`);
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid(ast.kind);
    return parseDateTime(ast.value);
  },
});
