// Points arithmetic: the levels a balance reaches under a rule, histogram buckets, balance keys,
// and the leaderboard's cursor codec.
import { describe, expect, it } from 'vitest';
import { pointsLevel } from '../../src/modules/automation/points-rules.js';
import { MAX_POINTS_LEVELS } from '../../src/modules/automation/rules.js';
import { decodeCursor, encodeCursor } from '../../src/modules/leaderboards/service.js';
import { balanceKey, splitKey } from '../../src/modules/points/balances.js';
import { bucketOf, HISTOGRAM_WIDTH } from '../../src/modules/points/histogram.js';
import { ValidationError } from '../../src/shared/errors.js';

describe('pointsLevel', () => {
  const every100 = { pointsThreshold: 100, once: false };

  it('counts whole thresholds reached, none below the first or for a negative balance', () => {
    expect([-50, 0, 99, 100, 199, 200, 250].map((balance) => pointsLevel(every100, balance))).toEqual([0, 0, 0, 1, 1, 2, 2]);
  });

  it('wants at most one award for a ONCE rule, and at most MAX_POINTS_LEVELS otherwise', () => {
    expect(pointsLevel({ pointsThreshold: 100, once: true }, 1_000)).toBe(1);
    expect(pointsLevel({ pointsThreshold: 100, once: true }, 99)).toBe(0);
    expect(pointsLevel(every100, 100 * (MAX_POINTS_LEVELS + 5))).toBe(MAX_POINTS_LEVELS);
  });
});

describe('histogram buckets', () => {
  it('are HISTOGRAM_WIDTH points wide, rounding negative balances down', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(HISTOGRAM_WIDTH - 1)).toBe(0);
    expect(bucketOf(HISTOGRAM_WIDTH)).toBe(1);
    expect(bucketOf(-1)).toBe(-1);
    expect(bucketOf(-HISTOGRAM_WIDTH)).toBe(-1);
    expect(bucketOf(-HISTOGRAM_WIDTH - 1)).toBe(-2);
  });
});

describe('balance keys', () => {
  it('round-trip an earner and a category, even a category with colons and spaces', () => {
    for (const category of ['', 'lifetime', 'season:2026 spring']) {
      expect(splitKey(balanceKey({ earnerId: 'earner-1', category }))).toEqual({ earnerId: 'earner-1', category });
    }
  });
});

describe('leaderboard cursors', () => {
  it('round-trip a score and an earner id, negative scores included', () => {
    for (const row of [{ score: 0, earnerId: 'a' }, { score: -42, earnerId: '0190a6f2-7b3c-7000-8000-000000000002' }, { score: 2 ** 40, earnerId: 'z' }]) {
      const cursor = encodeCursor(row);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor, 'after')).toEqual(row);
    }
  });

  it('refuse anything else as a validation error on the field', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['', 'not a cursor', encode(null), encode(5), encode([1.5, 'a']), encode(['5', 'a']), encode([5, 6]), encode({ score: 5, earnerId: 'a' })]) {
      let thrown: unknown;
      try {
        decodeCursor(cursor, 'after');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, cursor).toBeInstanceOf(ValidationError);
      expect((thrown as ValidationError).issues[0]).toMatchObject({ field: 'after', rule: 'cursor' });
    }
  });
});
