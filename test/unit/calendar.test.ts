// Calendar windows in an organization's time zone: where days, weeks, months and years start,
// including the days a clock change makes 23 or 25 hours long.
import { describe, expect, it } from 'vitest';
import { periodOf, periodsBetween } from '../../src/shared/calendar.js';

const at = (iso: string) => new Date(iso);
const iso = (period: { start: Date; end: Date }) => ({ start: period.start.toISOString(), end: period.end.toISOString() });
const HOUR = 3_600_000;

describe('periodOf', () => {
  it('starts days at local midnight: 23:00 UTC the day before in Paris in winter, 22:00 in summer', () => {
    expect(iso(periodOf(at('2026-01-15T12:00:00Z'), 'DAY', 'Europe/Paris'))).toEqual({ start: '2026-01-14T23:00:00.000Z', end: '2026-01-15T23:00:00.000Z' });
    expect(iso(periodOf(at('2026-07-15T12:00:00Z'), 'DAY', 'Europe/Paris'))).toEqual({ start: '2026-07-14T22:00:00.000Z', end: '2026-07-15T22:00:00.000Z' });
  });

  it('puts an instant just before local midnight in the local day, not the UTC one', () => {
    // 23:30 UTC on 14 January is 00:30 on the 15th in Paris.
    expect(periodOf(at('2026-01-14T23:30:00Z'), 'DAY', 'Europe/Paris').start.toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(periodOf(at('2026-01-14T22:59:59.999Z'), 'DAY', 'Europe/Paris').start.toISOString()).toBe('2026-01-13T23:00:00.000Z');
  });

  it('makes the spring-forward day 23 hours long and the fall-back day 25', () => {
    const spring = periodOf(at('2026-03-29T12:00:00Z'), 'DAY', 'Europe/Paris');
    expect(iso(spring)).toEqual({ start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' });
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * HOUR);
    const fall = periodOf(at('2026-10-25T12:00:00Z'), 'DAY', 'Europe/Paris');
    expect(fall.end.getTime() - fall.start.getTime()).toBe(25 * HOUR);
    const newYork = periodOf(at('2026-11-01T12:00:00Z'), 'DAY', 'America/New_York');
    expect(iso(newYork)).toEqual({ start: '2026-11-01T04:00:00.000Z', end: '2026-11-02T05:00:00.000Z' });
  });

  // Havana, Santiago, Cairo and Beirut change their clocks at 00:00: that midnight never happens.
  it('starts a day whose midnight a clock change skips at its first instant (Havana: 00:00 becomes 01:00)', () => {
    // On 8 March 2026 Cuba moves from UTC-5 to UTC-4 at midnight: the day begins at 01:00 local, 05:00 UTC.
    const day = periodOf(at('2026-03-08T12:00:00Z'), 'DAY', 'America/Havana');
    expect(day.start.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(day.end.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    const lateOnThe7th = at('2026-03-08T04:30:00Z');
    const before = periodOf(lateOnThe7th, 'DAY', 'America/Havana');
    expect(before.start <= lateOnThe7th && lateOnThe7th < before.end).toBe(true);
  });

  it('follows zones with half-hour offsets and half-hour clock changes', () => {
    expect(periodOf(at('2026-05-01T12:00:00Z'), 'DAY', 'Asia/Kolkata').start.toISOString()).toBe('2026-04-30T18:30:00.000Z');
    // Lord Howe Island moves its clock by 30 minutes (UTC+11 in summer, +10:30 in winter).
    const fall = periodOf(at('2026-04-05T06:00:00Z'), 'DAY', 'Australia/Lord_Howe');
    expect(fall.end.getTime() - fall.start.getTime()).toBe(24.5 * HOUR);
  });

  it('starts weeks on Monday (ISO 8601), across a month and a year boundary', () => {
    // Thursday 1 January 2026: the week began on Monday 29 December 2025.
    expect(iso(periodOf(at('2026-01-01T12:00:00Z'), 'WEEK', 'UTC'))).toEqual({ start: '2025-12-29T00:00:00.000Z', end: '2026-01-05T00:00:00.000Z' });
    // A Sunday belongs to the week that began six days before.
    expect(periodOf(at('2026-03-08T12:00:00Z'), 'WEEK', 'UTC').start.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    // A Monday starts its own week.
    expect(periodOf(at('2026-03-09T00:00:00Z'), 'WEEK', 'UTC').start.toISOString()).toBe('2026-03-09T00:00:00.000Z');
    // The week of a clock change in Paris is 167 hours long.
    const week = periodOf(at('2026-03-25T12:00:00Z'), 'WEEK', 'Europe/Paris');
    expect(week.end.getTime() - week.start.getTime()).toBe((7 * 24 - 1) * HOUR);
  });

  it('starts months and years on their first local day, leap years included', () => {
    expect(iso(periodOf(at('2028-02-29T12:00:00Z'), 'MONTH', 'UTC'))).toEqual({ start: '2028-02-01T00:00:00.000Z', end: '2028-03-01T00:00:00.000Z' });
    expect(iso(periodOf(at('2026-12-31T23:30:00Z'), 'YEAR', 'Europe/Paris'))).toEqual({ start: '2026-12-31T23:00:00.000Z', end: '2027-12-31T23:00:00.000Z' });
    expect(iso(periodOf(at('2026-12-31T23:30:00Z'), 'MONTH', 'America/Los_Angeles'))).toEqual({ start: '2026-12-01T08:00:00.000Z', end: '2027-01-01T08:00:00.000Z' });
  });

  it('holds the instant it was asked about, in every unit and zone', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'Australia/Lord_Howe'];
    for (const zone of zones) {
      for (let hour = 0; hour < 24 * 366; hour += 7) {
        const instant = new Date(Date.UTC(2026, 0, 1) + hour * HOUR);
        for (const unit of ['DAY', 'WEEK', 'MONTH', 'YEAR'] as const) {
          const { start, end } = periodOf(instant, unit, zone);
          if (!(start <= instant && instant < end)) throw new Error(`${zone} ${unit} ${instant.toISOString()}: ${start.toISOString()}..${end.toISOString()}`);
        }
      }
    }
  });
});

describe('periodsBetween', () => {
  it('covers [from, to) with consecutive periods, the first holding from', () => {
    const periods = periodsBetween(at('2026-03-27T12:00:00Z'), at('2026-03-31T00:00:00Z'), 'DAY', 'Europe/Paris', 100);
    expect(periods.map((period) => period.start.toISOString())).toEqual([
      '2026-03-26T23:00:00.000Z',
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ]);
    for (const [index, period] of periods.entries()) if (index > 0) expect(period.start).toEqual(periods[index - 1]!.end);
    expect(periods.at(-1)!.end >= at('2026-03-31T00:00:00Z')).toBe(true);
  });

  it('stops at max periods, and gives none for an empty range', () => {
    expect(periodsBetween(at('2026-01-01T00:00:00Z'), at('2030-01-01T00:00:00Z'), 'MONTH', 'UTC', 3)).toHaveLength(3);
    expect(periodsBetween(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), 'DAY', 'UTC', 10)).toEqual([]);
  });
});
