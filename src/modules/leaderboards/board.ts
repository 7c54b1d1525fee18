// What a board is, read by both the service and its SQL (./leaderboards.sql.ts), which would
// otherwise import each other.
import type { CalendarUnit } from '../../shared/calendar.js';

export type LeaderboardMetric = 'POINTS' | 'AWARDS';
export type LeaderboardPeriod = 'ALL_TIME' | CalendarUnit | 'ROLLING_DAYS';
export type RankingRule = 'COMPETITION' | 'DENSE';

/** A board with its window fixed at the moment it was resolved. */
export interface Board {
  organizationId: string;
  metric: LeaderboardMetric;
  category: string | null;
  templateId: string | null;
  tag: string | null;
  period: LeaderboardPeriod;
  days: number | null;
  ranking: RankingRule;
  /** The organization's time zone when the window was cut in it; null when it did not need it (all time, rolling days). */
  timeZone: string | null;
  /** The window, [from, to); null bounds are open (all time, or a rolling window's end). */
  from: Date | null;
  to: Date | null;
  now: Date;
}

export interface ScoreRow {
  earnerId: string;
  score: number;
}

/** All-time points boards are the balances themselves, which the histogram follows. */
export function isBalanceBoard(board: Board): boolean {
  return board.metric === 'POINTS' && board.period === 'ALL_TIME';
}
