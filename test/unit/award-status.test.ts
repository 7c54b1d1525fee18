// An award's status and a membership's, in their TypeScript, Prisma and SQL forms.
import { describe, expect, it } from 'vitest';
import { dialectFor } from '../../src/db/dialect.js';
import { membershipStatus, membershipStatusWhere } from '../../src/modules/automation/membership-status.js';
import { effectiveStatus, isLive, LIVE, liveSql, liveStatusOf, statusWhere, WITHDRAWN, dueToExpireSql } from '../../src/modules/awards/status.js';

const now = new Date('2026-06-01T12:00:00Z');
const before = new Date(now.getTime() - 1);
const after = new Date(now.getTime() + 1);
const STATUSES = ['PENDING', 'ACCEPTED', 'REJECTED', 'REVOKED', 'EXPIRED'] as const;

describe('effectiveStatus and isLive', () => {
  it('reads a live award past its expiry as EXPIRED, from the moment of expiry', () => {
    expect(effectiveStatus({ status: 'PENDING', expiresAt: now }, now)).toBe('EXPIRED');
    expect(effectiveStatus({ status: 'ACCEPTED', expiresAt: before }, now)).toBe('EXPIRED');
    expect(effectiveStatus({ status: 'ACCEPTED', expiresAt: after }, now)).toBe('ACCEPTED');
    expect(effectiveStatus({ status: 'PENDING', expiresAt: null }, now)).toBe('PENDING');
  });

  it('keeps a withdrawn award withdrawn whatever its expiry', () => {
    for (const status of WITHDRAWN) expect(effectiveStatus({ status, expiresAt: before }, now)).toBe(status);
  });

  it('calls live only pending and accepted awards before their expiry', () => {
    for (const status of STATUSES) {
      for (const expiresAt of [null, before, now, after]) {
        const expected = LIVE.includes(status) && (expiresAt === null || expiresAt > now);
        expect(isLive({ status, expiresAt }, now), `${status} ${expiresAt?.toISOString()}`).toBe(expected);
      }
    }
  });

  it('revives an award to ACCEPTED if it was ever accepted, else PENDING', () => {
    expect(liveStatusOf({ acceptedAt: before })).toBe('ACCEPTED');
    expect(liveStatusOf({ acceptedAt: null })).toBe('PENDING');
  });
});

/** A tiny evaluator of the Prisma `where` shapes statusWhere builds, to compare it with effectiveStatus. */
function matches(where: object, row: Record<string, unknown>): boolean {
  return Object.entries(where).every(([key, condition]: [string, unknown]) => {
    if (key === 'AND') return (condition as object[]).every((part) => matches(part, row));
    if (key === 'OR') return (condition as object[]).some((part) => matches(part, row));
    const value = row[key];
    if (condition === null || typeof condition !== 'object' || condition instanceof Date) return value === condition;
    return Object.entries(condition).every(([op, operand]: [string, unknown]) => {
      switch (op) {
        case 'in':
          return (operand as unknown[]).includes(value);
        case 'gt':
          return value instanceof Date && value > (operand as Date);
        case 'lte':
          return value instanceof Date && value <= (operand as Date);
        default:
          throw new Error(`operator ${op} not handled by this test`);
      }
    });
  });
}

describe('statusWhere', () => {
  it('selects exactly the rows whose effective status is the one asked for', () => {
    for (const asked of STATUSES) {
      for (const status of STATUSES) {
        for (const expiresAt of [null, before, now, after]) {
          const row = { status, expiresAt };
          expect(matches(statusWhere(asked, now), row), `${asked} of ${status} ${expiresAt?.toISOString()}`).toBe(effectiveStatus(row, now) === asked);
        }
      }
    }
  });
});

describe('SQL forms', () => {
  it('name the same statuses and compare the expiry strictly after now, on both databases', () => {
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const text = liveSql(dialectFor(provider), now, 'a').sql;
      expect(text).toContain('a."status" IN (');
      expect(text).toMatch(/'PENDING'/);
      expect(text).toMatch(/'ACCEPTED'/);
      expect(text).toMatch(/a\."expiresAt" IS NULL OR a\."expiresAt" > /);
      expect(dueToExpireSql(dialectFor(provider), now).sql).toMatch(/"expiresAt" <= /);
    }
  });
});

describe('membershipStatus', () => {
  it('reads an active membership past its end as ENDED, and matches its Prisma form', () => {
    const rows = [
      { status: 'ACTIVE' as const, endsAt: null },
      { status: 'ACTIVE' as const, endsAt: before },
      { status: 'ACTIVE' as const, endsAt: now },
      { status: 'ACTIVE' as const, endsAt: after },
      { status: 'ENDED' as const, endsAt: null },
      { status: 'ENDED' as const, endsAt: after },
    ];
    expect(rows.map((row) => membershipStatus(row, now))).toEqual(['ACTIVE', 'ENDED', 'ENDED', 'ACTIVE', 'ENDED', 'ENDED']);
    for (const asked of ['ACTIVE', 'ENDED'] as const) {
      for (const row of rows) expect(matches(membershipStatusWhere(asked, now), row)).toBe(membershipStatus(row, now) === asked);
    }
    expect(membershipStatusWhere(null, now)).toEqual({});
  });
});
