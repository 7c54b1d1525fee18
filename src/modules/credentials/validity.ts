// The `validity` check: validFrom ≤ now < validUntil. No clock skew is allowed for unless the caller
// asks for leeway on validFrom.
import type { CheckResult, JsonObject } from './types.js';

function parseDate(value: unknown, name: string): Date | undefined | string {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : `${name} is not a date: ${JSON.stringify(value)}`;
}

export function validityCheck(credential: JsonObject, now: Date, options: { notBeforeLeewayMs?: number } = {}): CheckResult {
  const from = parseDate(credential.validFrom, 'validFrom');
  const until = parseDate(credential.validUntil, 'validUntil');
  if (typeof from === 'string') return { passed: false, message: from };
  if (typeof until === 'string') return { passed: false, message: until };
  if (from && now.getTime() + (options.notBeforeLeewayMs ?? 0) < from.getTime()) return { passed: false, message: `Not valid before ${from.toISOString()}` };
  if (until && now >= until) return { passed: false, message: `Expired at ${until.toISOString()}` };
  const since = from ? `Valid since ${from.toISOString()}` : 'Valid (no validFrom)';
  return { passed: true, message: until ? `${since}, until ${until.toISOString()}` : `${since}, with no end` };
}
