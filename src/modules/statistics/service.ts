// Issuer statistics for an organization or one template: awards by current status, engagement
// totals, and a time series of issues and revocations cut in the organization's time zone.
//
// Definitions (also in docs/leaderboards.md):
// - issued: every award that exists (deleted awards are gone), whatever its status;
// - pending, accepted, rejected, revoked, expired: by current status, expiry derived as
//   everywhere else (a pending or accepted award past its expiry counts as expired);
// - active: pending + accepted; acceptance rate: accepted / issued (null with no awards);
// - series: per calendar day, Monday-first week or month, awards whose issuedAt falls in the
//   bucket, and revocations (history entries, so an award revoked, restored and revoked again
//   counts twice) made in it. The first and last buckets are clipped to [from, to).
import type { Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import { issuedPerBucketSql, revokedPerBucketSql } from './statistics.sql.js';
import { periodsBetween, type CalendarUnit } from '../../shared/calendar.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { statusWhere } from '../awards/index.js';
import { countersWhere } from '../engagement/index.js';

export const MAX_BUCKETS = 400;

export interface StatisticsScope {
  organizationId: string;
  templateId: string | null;
  timeZone: string;
  now: Date;
  /** The status counts, computed once however many of them a query selects. */
  counts?: ReturnType<typeof statusCounts>;
}

export async function statisticsScope(deps: Deps, organizationId: string, templateId: string | undefined): Promise<StatisticsScope> {
  if (templateId) {
    const template = await deps.reader.badgeTemplate.findFirst({ where: { id: templateId, organizationId }, select: { id: true } });
    if (!template) throw new NotFoundError('badge template', 'templateId');
  }
  const organization = await deps.reader.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { timeZone: true } });
  return { organizationId, templateId: templateId ?? null, timeZone: organization.timeZone, now: deps.clock.now() };
}

function scopeWhere(scope: StatisticsScope) {
  return { organizationId: scope.organizationId, ...(scope.templateId ? { templateId: scope.templateId } : {}) };
}

export function countsOf(deps: Deps, scope: StatisticsScope) {
  scope.counts ??= statusCounts(deps, scope);
  return scope.counts;
}

async function statusCounts(deps: Deps, scope: StatisticsScope) {
  const where = scopeWhere(scope);
  const count = (status?: Parameters<typeof statusWhere>[0]) =>
    deps.reader.award.count({ where: status ? { AND: [where, statusWhere(status, scope.now)] } : where });
  const [issued, pending, accepted, rejected, revoked, expired] = await Promise.all([
    count(),
    count('PENDING'),
    count('ACCEPTED'),
    count('REJECTED'),
    count('REVOKED'),
    count('EXPIRED'),
  ]);
  return { issued, pending, accepted, rejected, revoked, expired, active: pending + accepted, acceptanceRate: issued ? accepted / issued : null };
}

export function engagementTotals(deps: Deps, scope: StatisticsScope) {
  return countersWhere(deps, { organizationId: scope.organizationId, ...(scope.templateId ? { award: { templateId: scope.templateId } } : {}) });
}

export interface Bucket {
  start: Date;
  end: Date;
  issued: number;
  revoked: number;
}

export async function series(deps: Deps, scope: StatisticsScope, from: Date, to: Date, unit: CalendarUnit): Promise<Bucket[]> {
  if (to <= from) throw ValidationError.single('to', 'after:from', 'must be after from');
  const periods = periodsBetween(from, to, unit, scope.timeZone, MAX_BUCKETS + 1);
  if (periods.length > MAX_BUCKETS) {
    throw ValidationError.single('to', 'maxBuckets', `must be at most ${MAX_BUCKETS} ${unit.toLowerCase()}s after from`);
  }
  const buckets = periods.map((period) => ({
    start: period.start < from ? from : period.start,
    end: period.end > to ? to : period.end,
    issued: 0,
    revoked: 0,
  }));
  const d = dialectFor(deps.provider);
  type Counted = Array<{ bucket: number; n: number | bigint }>;
  const [issued, revoked] = await Promise.all([
    deps.reader.$queryRaw<Counted>(issuedPerBucketSql(d, scope.organizationId, scope.templateId, buckets)),
    deps.reader.$queryRaw<Counted>(revokedPerBucketSql(d, scope.organizationId, scope.templateId, buckets)),
  ]);
  for (const row of issued) buckets[Number(row.bucket)]!.issued = Number(row.n);
  for (const row of revoked) buckets[Number(row.bucket)]!.revoked = Number(row.n);
  return buckets;
}
