/** The source of "now". Injected everywhere so tests can move time (expiry, windows, schedules). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

const DAY_MS = 86_400_000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Slack for callers whose clocks run slightly ahead of ours, where dates may not be in the future. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
