// The source of `credentialStatusChanged(publicId)`: a credential's status for a relying party,
// at once and again whenever a committed change to its award moves it (revoked, restored,
// rejected, expired, deleted, or an expiry moved). No API key is needed and nothing personal is
// sent: the public id, the status and when it changed.
import { Repeater } from '@repeaterjs/repeater';
import type { Deps } from '../../deps.js';
import type { AwardEvent, Committed } from '../../events/events.js';
import type { AwardStatus } from '../../generated/prisma-sqlite/client.js';
import { NotFoundError } from '../../shared/errors.js';
import { effectiveStatus, wasDeleted, WITHDRAWN } from '../awards/index.js';
import { STATE_PAYLOAD } from '../../subscriptions/hub.js';

export const CREDENTIAL_STATUSES = ['VALID', 'NOT_YET_VALID', 'EXPIRED', 'SUSPENDED', 'REVOKED'] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];

export interface CredentialStatusSnapshot {
  [STATE_PAYLOAD]: true;
  publicId: string;
  status: CredentialStatus;
  /** When the change that led to this status committed; for the first snapshot, when it was read. */
  at: string;
}

/** What a verifier would conclude about the award's credential now (REVOKED: it was deleted). */
export function credentialStatusOf(award: { status: AwardStatus; issuedAt: Date; expiresAt: Date | null } | null, now: Date): CredentialStatus {
  if (!award) return 'REVOKED';
  if (WITHDRAWN.includes(award.status)) return 'SUSPENDED';
  if (effectiveStatus(award, now) === 'EXPIRED') return 'EXPIRED';
  return award.issuedAt > now ? 'NOT_YET_VALID' : 'VALID';
}

export async function credentialStatusUpdates(deps: Deps, publicId: string): Promise<AsyncGenerator<CredentialStatusSnapshot>> {
  const award = await deps.reader.award.findUnique({ where: { publicId }, select: { id: true } });
  if (!award && !(await wasDeleted(deps, publicId))) throw new NotFoundError('award', 'publicId');

  const read = async (at: string): Promise<CredentialStatusSnapshot> => {
    const current = award ? await deps.reader.award.findUnique({ where: { id: award.id }, select: { status: true, issuedAt: true, expiresAt: true } }) : null;
    return { [STATE_PAYLOAD]: true, publicId, status: credentialStatusOf(current, deps.clock.now()), at };
  };

  return new Repeater<CredentialStatusSnapshot>(async (push, stop) => {
    let last: CredentialStatus | undefined;
    let reading = Promise.resolve();
    const send = (at: string) => {
      reading = reading
        .then(() => read(at))
        .then(async (snapshot) => {
          if (snapshot.status === last) return;
          last = snapshot.status;
          await push(snapshot);
        })
        .catch(stop);
    };
    // Listening starts before the first read, so no change falls between the two.
    const unsubscribe = deps.events.subscribe((batch) => {
      const changed = batch.find((event): event is Committed<AwardEvent> => event.kind === 'award' && event.awardId === award?.id && event.change !== 'ISSUED');
      if (changed) send(changed.committedAt);
    });
    send(deps.clock.now().toISOString());
    await stop;
    unsubscribe();
  });
}
