// Input rules, written with zod, reported as FieldIssues: every broken rule names its field and a
// stable rule name (notBlank, maxLength, email, url, after, ...) so clients can map errors to form
// fields. Services validate before they open a transaction, so an invalid request writes nothing.
import { z } from 'zod';
import { FUTURE_TOLERANCE_MS } from './clock.js';
import { displayWidth } from './display-width.js';
import { ValidationError, type FieldIssue } from './errors.js';

export { z };

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'notBlank' : 'minLength';
      return issue.origin === 'array' ? 'minItems' : 'min';
    case 'too_big':
      if (issue.origin === 'string') return 'maxLength';
      return issue.origin === 'array' ? 'maxItems' : 'max';
    case 'invalid_format':
      return issue.format === 'regex' ? 'pattern' : issue.format;
    case 'invalid_value':
      return 'oneOf';
    case 'invalid_type':
      return 'type';
    case 'custom':
      return typeof issue.params?.rule === 'string' ? issue.params.rule : 'custom';
    default:
      return issue.code;
  }
}

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path), rule: ruleOf(issue), message: issue.message }));
}

/**
 * Parses `input` or throws a ValidationError listing every broken rule, the schema's and
 * `moreIssues` (rules checked beside the schema, such as those that depend on the current time).
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown, moreIssues: FieldIssue[] = []): z.output<Schema> {
  const { data, issues } = checkInput(schema, input, moreIssues);
  if (issues.length) throw new ValidationError(issues);
  return data as z.output<Schema>;
}

/**
 * The broken rules of `input`, the schema's and `moreIssues`, and the parsed value when there are
 * none (for a batch, whose rows are all checked before any error is thrown).
 */
export function checkInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  moreIssues: FieldIssue[] = [],
): { data: z.output<Schema> | undefined; issues: FieldIssue[] } {
  const result = schema.safeParse(input);
  const issues = [...(result.success ? [] : toFieldIssues(result.error)), ...moreIssues];
  return { data: issues.length ? undefined : result.data, issues };
}

/**
 * A date of something that already happened may be at most FUTURE_TOLERANCE_MS ahead of `now`.
 * Checked beside a schema (pass the issues to parseInput), so the schema need not be rebuilt for
 * every request's moment.
 */
export function notInFuture(now: Date, value: unknown, field: string): FieldIssue[] {
  return value instanceof Date && value.getTime() > now.getTime() + FUTURE_TOLERANCE_MS
    ? [{ field, rule: 'notInFuture', message: 'must not be in the future' }]
    : [];
}

export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(max, `must be at most ${max} characters`);

/** Text of one line: a name or a title, shown on badges, certificates and in email subjects. */
export const line = (max: number) =>
  text(max).refine((value) => !/[\r\n\u2028\u2029]/.test(value), { message: 'must be a single line', params: { rule: 'singleLine' } });

export const email = () =>
  z
    .string()
    .trim()
    .max(254, 'must be at most 254 characters')
    .pipe(z.email({ error: 'must be a valid email address' }));

/**
 * An http(s) URL with a host: a domain, an IPv4 or bracketed IPv6 address, or a single-label
 * intranet name. Which hosts are fetched is decided when fetching (CERTIFICATE_IMAGES), not here.
 */
export const httpUrl = () =>
  z
    .string()
    .trim()
    .max(2048, 'must be at most 2048 characters')
    .pipe(z.url({ protocol: /^https?$/, hostname: /./, error: 'must be an http(s) URL with a host' }));

/**
 * Text of at least `min` characters, a wide character (East Asian Wide or Fullwidth: CJK
 * ideographs, kana, Hangul, fullwidth forms) counting as two: a three-character Chinese or Korean
 * name carries as much as a five-letter Latin one. Rule `minLength`, like a plain minimum.
 */
export const minDisplayWidth = (schema: z.ZodString, min: number) =>
  schema.refine((value) => displayWidth(value) >= min, {
    message: `must be at least ${min} characters (a wide character counts as two)`,
    params: { rule: 'minLength' },
  });

/** A colour as #rrggbb or #rgb, kept as lower-case #rrggbb. Rule `hexColor`. */
export const hexColor = () =>
  z
    .string()
    .trim()
    .refine((value) => /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value), { message: 'must be a colour written #rrggbb or #rgb', params: { rule: 'hexColor' } })
    .transform((value) => (value.length === 4 ? `#${[...value.slice(1)].map((digit) => digit + digit).join('')}` : value).toLowerCase());

/** A JSON object whose serialised form stays under `maxBytes`. */
export const jsonObject = (maxBytes: number) =>
  z.record(z.string(), z.unknown()).refine((value) => Buffer.byteLength(JSON.stringify(value)) <= maxBytes, {
    message: `must be at most ${maxBytes} bytes as JSON`,
    params: { rule: 'maxBytes' },
  });

/** A rule across fields, reported on `field`. */
export function addIssue(context: z.RefinementCtx, field: PropertyKey[], rule: string, message: string): void {
  context.addIssue({ code: 'custom', path: field, message, params: { rule } });
}

/** A field that may be left out (unchanged) but not set to null, because it has no empty state. */
export const omittable = <Schema extends z.ZodType>(schema: Schema) =>
  schema
    .nullish()
    .refine((value) => value !== null, { message: 'must not be null', params: { rule: 'notNull' } })
    .transform((value) => value ?? undefined);
