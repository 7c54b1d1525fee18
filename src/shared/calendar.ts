// Calendar arithmetic in an IANA time zone with nothing but Intl: where a day, week (Monday
// first, ISO 8601), month or year starts as an instant. Leaderboard windows and statistics
// buckets follow the organization's time zone, so "today" in Paris starts at 23:00 UTC in winter.

export type CalendarUnit = 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time of `instant` in the zone, read as if it were UTC (epoch ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

function localDate(instant: Date, timeZone: string): LocalDate {
  const wall = new Date(wallClock(instant.getTime(), timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The first instant of `date` in the zone: its local midnight (DST-safe: two refinements), or,
 * where a clock change skips midnight (Havana, Santiago, Cairo, Beirut change at 00:00), the
 * moment of that change, found by halving the interval down to the second.
 */
function midnight(date: LocalDate, timeZone: string): Date {
  const target = Date.UTC(date.year, date.month - 1, date.day);
  let guess = target;
  for (let step = 0; step < 2; step += 1) guess = target - (wallClock(guess, timeZone) - guess);
  if (wallClock(guess, timeZone) >= target) return new Date(guess);
  let before = guess;
  let after = guess + 3 * 3_600_000;
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (wallClock(middle, timeZone) >= target) after = middle;
    else before = middle;
  }
  return new Date(after);
}

/** Normalises day or month overflow (day 32, month 13) through Date.UTC. */
function normalise(year: number, month: number, day: number): LocalDate {
  const date = new Date(Date.UTC(year, month - 1, day));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function startDate(local: LocalDate, unit: CalendarUnit): LocalDate {
  switch (unit) {
    case 'DAY':
      return local;
    case 'WEEK': {
      const weekday = (new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay() + 6) % 7; // Monday 0
      return normalise(local.year, local.month, local.day - weekday);
    }
    case 'MONTH':
      return { year: local.year, month: local.month, day: 1 };
    case 'YEAR':
      return { year: local.year, month: 1, day: 1 };
  }
}

function nextDate(start: LocalDate, unit: CalendarUnit): LocalDate {
  switch (unit) {
    case 'DAY':
      return normalise(start.year, start.month, start.day + 1);
    case 'WEEK':
      return normalise(start.year, start.month, start.day + 7);
    case 'MONTH':
      return normalise(start.year, start.month + 1, 1);
    case 'YEAR':
      return normalise(start.year + 1, 1, 1);
  }
}

/** The calendar period (day, Monday-first week, month, year) of the zone that holds `instant`. */
export function periodOf(instant: Date, unit: CalendarUnit, timeZone: string): { start: Date; end: Date } {
  const start = startDate(localDate(instant, timeZone), unit);
  return { start: midnight(start, timeZone), end: midnight(nextDate(start, unit), timeZone) };
}

/** Consecutive periods covering [from, to): the first holds `from`, the last ends at or after `to`. */
export function periodsBetween(from: Date, to: Date, unit: CalendarUnit, timeZone: string, max: number): Array<{ start: Date; end: Date }> {
  const periods: Array<{ start: Date; end: Date }> = [];
  let start = startDate(localDate(from, timeZone), unit);
  while (periods.length < max) {
    const next = nextDate(start, unit);
    const period = { start: midnight(start, timeZone), end: midnight(next, timeZone) };
    if (period.start >= to) break;
    periods.push(period);
    start = next;
  }
  return periods;
}
