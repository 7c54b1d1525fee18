// Engagement with an award's public page: views, shares per network, downloads and
// LinkedIn adds, recorded without authentication by the award's public id.
//
// An event of a kind (and, for shares, a network) from one client address counts once per 24
// hours per award. The address is kept only as an HMAC under a secret salt, so the table cannot
// be turned back into addresses by hashing the IPv4 space. Deduplication is one conditional
// upsert on the (award, kind, network, address hash) key: of two racing requests only one finds
// the row absent or older than 24 hours, so only one counts. Events are written by the app's
// EngagementRecorder (./recorder.ts), which commits concurrent events together.
import { createHmac, randomBytes } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import { keepSettingSql } from './engagement.sql.js';
import type { Provider } from '../../db/provider.js';
import type { EngagementKind, PrismaClient } from '../../generated/prisma-sqlite/client.js';
import { Prisma } from '../../generated/prisma-sqlite/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';

export const SHARE_NETWORKS = ['linkedin', 'twitter', 'facebook', 'whatsapp', 'telegram', 'email', 'copy'] as const;
export type ShareNetwork = (typeof SHARE_NETWORKS)[number];
const SALT_SETTING = 'engagementSalt';

/** The persisted salt, created by the first instance that needs one (racing instances agree). */
export async function engagementSalt(db: PrismaClient, provider: Provider): Promise<string> {
  const d = dialectFor(provider);
  await db.$executeRaw(keepSettingSql(d, SALT_SETTING, randomBytes(32).toString('base64url'), new Date()));
  const setting = await db.systemSetting.findUniqueOrThrow({ where: { key: SALT_SETTING } });
  return setting.value;
}

export function hashAddress(salt: string, address: string): string {
  return createHmac('sha256', salt).update(address).digest('base64url');
}

export interface EngagementInput {
  publicId: string;
  kind: EngagementKind;
  network?: ShareNetwork | null | undefined;
}

export interface EngagementCounters {
  views: number;
  downloads: number;
  linkedinAdds: number;
  shares: Record<ShareNetwork, number>;
}

/** The award behind a public id; NOT_FOUND when there is none. */
async function publicAward(deps: Deps, publicId: string) {
  const award = await deps.reader.award.findUnique({ where: { publicId }, select: { id: true, organizationId: true, status: true } });
  if (!award) throw new NotFoundError('award', 'publicId');
  return award;
}

/** Records one event; `counted` is false when the same one was counted in the last 24 hours. */
export async function recordEngagement(deps: Deps, input: EngagementInput, address: string) {
  if (input.kind === 'SHARE' && !input.network) throw ValidationError.single('network', 'requiredWith:SHARE', 'is required when kind is SHARE');
  if (input.kind !== 'SHARE' && input.network) throw ValidationError.single('network', 'onlyWith:SHARE', 'is only allowed when kind is SHARE');
  const { counted, award } = await deps.engagement.record({
    publicId: input.publicId,
    kind: input.kind,
    network: input.network ?? '',
    addressHash: hashAddress(deps.engagementSalt, address),
  });
  // Nothing counted: say why when the award is unknown or revoked.
  if (!award) throw new NotFoundError('award', 'publicId');
  if (award.status === 'REVOKED') throw new ConflictError('publicId: the award has been revoked', { field: 'publicId', rule: 'notRevoked' });
  return { counted };
}

export function emptyCounters(): EngagementCounters {
  return { views: 0, downloads: 0, linkedinAdds: 0, shares: Object.fromEntries(SHARE_NETWORKS.map((network) => [network, 0])) as Record<ShareNetwork, number> };
}

/** Adds counter rows (kind, network, count) into counters. */
export function addCounts(counters: EngagementCounters, rows: Array<{ kind: EngagementKind; network: string; count: number }>) {
  for (const row of rows) {
    if (row.kind === 'VIEW') counters.views += row.count;
    else if (row.kind === 'DOWNLOAD') counters.downloads += row.count;
    else if (row.kind === 'LINKEDIN_ADD') counters.linkedinAdds += row.count;
    else if (row.network in counters.shares) counters.shares[row.network as ShareNetwork] += row.count;
  }
  return counters;
}

/** An award's counters, by its public id; NOT_FOUND when there is none. */
export async function awardEngagement(deps: Deps, publicId: string): Promise<EngagementCounters> {
  const award = await publicAward(deps, publicId);
  return countersWhere(deps, { awardId: award.id });
}

export async function countersWhere(deps: Deps, where: Prisma.EngagementCountWhereInput): Promise<EngagementCounters> {
  const rows = await deps.reader.engagementCount.groupBy({ by: ['kind', 'network'], where, _sum: { count: true } });
  return addCounts(emptyCounters(), rows.map((row) => ({ kind: row.kind, network: row.network, count: row._sum.count ?? 0 })));
}
