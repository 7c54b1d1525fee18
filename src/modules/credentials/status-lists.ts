// Status lists: each organization's credentials get an index when first signed, and the list that
// holds an index has its bit set while the award is revoked or rejected (suspended: a revoked
// award can be restored), and for good once it is deleted. Bits are read from the awards
// themselves when a list is asked for, so nothing has to be kept in step with each change; a list
// is signed again only when its bits changed or its signature grows old.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Deps } from '../../deps.js';
import { inTransaction } from '../../db/transaction.js';
import { WITHDRAWN } from '../awards/index.js';
import { STATUS_PURPOSE } from './build.js';
import type { DocumentLoader } from './document-loader.js';
import type { IssuerKeys } from './issuer-keys.js';
import { signCredential } from './sign.js';
import { buildStatusListCredential, createBitstring, setBit } from './status-list.js';
import type { JsonObject } from './types.js';
import { STATUS_LIST_SIZE, statusListUrl } from './urls.js';

/** How long a signed list is valid; it is signed again once half of that has passed. */
const LIST_VALIDITY_MS = 24 * 3600_000;

interface SignedList {
  fingerprint: string;
  credential: JsonObject;
  signedAt: number;
}

export class StatusLists {
  readonly #signed = new LRUCache<string, Promise<SignedList>>({ max: 1000 });

  constructor(
    private readonly deps: Deps,
    private readonly keys: IssuerKeys,
    private readonly documentLoader: DocumentLoader,
  ) {}

  /**
   * The award's index in its organization's lists, given now when it has none. The organization's
   * counter hands indexes out in order under its row lock, so no two awards share one, and none is
   * reused after a deletion.
   */
  async indexFor(award: { id: string; organizationId: string; statusListIndex: number | null }): Promise<number> {
    if (award.statusListIndex !== null) return award.statusListIndex;
    return inTransaction(this.deps.db, async (tx) => {
      const { nextStatusListIndex } = await tx.organization.update({
        where: { id: award.organizationId },
        data: { nextStatusListIndex: { increment: 1 } },
        select: { nextStatusListIndex: true },
      });
      const index = nextStatusListIndex - 1;
      const { count } = await tx.award.updateMany({ where: { id: award.id, statusListIndex: null }, data: { statusListIndex: index } });
      if (count === 1) return index;
      // Another request gave it one first (the index just taken is left unused).
      const current = await tx.award.findUniqueOrThrow({ where: { id: award.id }, select: { statusListIndex: true } });
      return current.statusListIndex!;
    });
  }

  /** The bits of list `list`: set for suspended awards and deleted ones. */
  async bits(organizationId: string, list: number): Promise<Uint8Array> {
    const range = { gte: list * STATUS_LIST_SIZE, lt: (list + 1) * STATUS_LIST_SIZE };
    const [suspended, deleted] = await Promise.all([
      this.deps.reader.award.findMany({
        where: { organizationId, statusListIndex: range, status: { in: [...WITHDRAWN] } },
        select: { statusListIndex: true },
      }),
      this.deps.reader.deletedAward.findMany({ where: { organizationId, statusListIndex: range }, select: { statusListIndex: true } }),
    ]);
    const bitstring = createBitstring(STATUS_LIST_SIZE);
    for (const { statusListIndex } of [...suspended, ...deleted]) setBit(bitstring, statusListIndex! - range.gte, true);
    return bitstring;
  }

  /** Whether the list exists: an index in it has been handed out. */
  async exists(organizationId: string, list: number): Promise<boolean> {
    const organization = await this.deps.reader.organization.findUnique({ where: { id: organizationId }, select: { nextStatusListIndex: true } });
    return organization !== null && list * STATUS_LIST_SIZE < organization.nextStatusListIndex;
  }

  /** The signed BitstringStatusListCredential of list `list`, published under `issuer`. */
  async credential(organizationId: string, issuer: string, list: number): Promise<JsonObject> {
    const bits = await this.bits(organizationId, list);
    const { id: keyId } = await this.keys.ed25519(organizationId, issuer);
    const fingerprint = createHash('sha256').update(bits).update(`\n${keyId}`).digest('base64url');
    const cacheKey = `${issuer}:${list}`;
    const now = this.deps.clock.now().getTime();
    const cached = await this.#signed.get(cacheKey)?.catch(() => undefined);
    if (cached && cached.fingerprint === fingerprint && now - cached.signedAt < LIST_VALIDITY_MS / 2) return cached.credential;
    const signing = this.#sign(organizationId, issuer, list, bits, fingerprint, now);
    this.#signed.set(cacheKey, signing);
    signing.catch(() => this.#signed.delete(cacheKey));
    return (await signing).credential;
  }

  async #sign(organizationId: string, issuer: string, list: number, bits: Uint8Array, fingerprint: string, now: number): Promise<SignedList> {
    const unsigned = buildStatusListCredential({
      id: statusListUrl(issuer, list),
      issuer,
      statusPurpose: STATUS_PURPOSE,
      bitstring: bits,
      validFrom: new Date(now).toISOString(),
      validUntil: new Date(now + LIST_VALIDITY_MS).toISOString(),
    });
    const keyPair = await this.keys.ed25519(organizationId, issuer);
    const credential = await signCredential(unsigned, { keyPair, documentLoader: this.documentLoader, created: new Date(now) });
    return { fingerprint, credential, signedAt: now };
  }
}
