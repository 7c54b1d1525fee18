// Group commit for engagement events. Public award pages can send many events at once, each one a
// committed write; here the events that arrive while a write is under way wait for it and then go
// to the database together, in one statement on PostgreSQL and one transaction on SQLite. Nothing
// waits for a timer: an event arriving on an idle recorder is written at once (SQLite: after one
// turn of the event loop), alone; under load the batches grow by themselves (8 concurrent
// clients: batches of 4 to 8). Every caller still gets its answer only after its event has committed.
//
// Deduplication stays exact: inside a batch, events with the same key (award, kind, network,
// address hash) go to the database once, the others count as duplicates; across batches and
// instances the conditional upsert on EngagementSeen decides, as for a single event.
import type { Deps } from '../../deps.js';
import { dialectFor } from '../../db/dialect.js';
import { inTransaction } from '../../db/transaction.js';
import type { EngagementEvent as CountedEvent } from '../../events/events.js';
import { type AwardStatus, type EngagementKind } from '../../generated/prisma-sqlite/client.js';
import { awardsByPublicIdSql, bumpCountsSql, countInOneStatementSql, markSeenSql, type Increment } from './engagement.sql.js';

/** An engagement event with its client address already hashed; network is "" unless SHARE. */
export interface Engagement {
  publicId: string;
  kind: EngagementKind;
  network: string;
  addressHash: string;
}

/** What became of an event: whether it counted, and its award (null: no award has this public id). */
export interface EngagementOutcome {
  counted: boolean;
  award: { id: string; organizationId: string; status: AwardStatus } | null;
}

/** An event counts again for the same award, kind, network and address after this long. */
export const DEDUP_WINDOW_MS = 24 * 3_600_000;
/** At most this many events per statement (SQLite's VALUES take five parameters per event). */
const MAX_BATCH = 100;

interface Waiting {
  event: Engagement;
  resolve(outcome: EngagementOutcome): void;
  reject(error: unknown): void;
}

/** What makes two events the same for deduplication, once the award is known. */
const seenKey = (awardId: string, kind: string, network: string, addressHash: string) => `${awardId}\n${kind}\n${network}\n${addressHash}`;

type Row = { ord: number; awardId: string | null; organizationId: string | null; status: AwardStatus | null; counted: boolean | number | bigint };

export class EngagementRecorder {
  #queue: Waiting[] = [];
  #writing = false;

  constructor(private readonly deps: Pick<Deps, 'db' | 'provider' | 'clock' | 'events' | 'background'>) {}

  /** Records one event; resolves once it (and the batch it went with) has committed. */
  record(event: Engagement): Promise<EngagementOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        // Registered with the app's background work, so shutdown waits for the last batch.
        this.deps.background.run(() => this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      // Events recorded in the same tick go together. With one writer (SQLite) it waits a whole turn of the event loop,
      // for the events of every request already received: better-sqlite3 answers within the same
      // turn, so no other request could run while a batch is written. With PostgreSQL the next
      // batch gathers during the I/O of the last, and a turn's wait only slowed it down.
      await new Promise((resolve) => (dialectFor(this.deps.provider).oneWriterAtATime ? setImmediate(resolve) : queueMicrotask(() => resolve(undefined))));
      while (this.#queue.length) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          const outcomes = await this.#write(batch.map((waiting) => waiting.event));
          batch.forEach((waiting, index) => waiting.resolve(outcomes[index]!));
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Writes a batch; the outcomes are in the order of `events`. */
  async #write(events: Engagement[]): Promise<EngagementOutcome[]> {
    const now = this.deps.clock.now();
    // The first event of each key goes to the database; later ones in the batch are its duplicates.
    const firstOfKey = new Map<string, number>();
    const unique: Engagement[] = [];
    const uniqueIndex = events.map((event) => {
      const key = `${event.publicId}\n${event.kind}\n${event.network}\n${event.addressHash}`;
      let index = firstOfKey.get(key);
      if (index === undefined) {
        firstOfKey.set(key, (index = unique.length));
        unique.push(event);
      }
      return index;
    });
    const rows = dialectFor(this.deps.provider).writingCtes ? await this.#writeInOneStatement(unique, now) : await this.#writeInSteps(unique, now);
    const byOrd = new Map(rows.map((row) => [row.ord, row]));
    const outcomes = unique.map((_, ord): EngagementOutcome => {
      const row = byOrd.get(ord);
      const award = row?.awardId ? { id: row.awardId, organizationId: row.organizationId!, status: row.status! } : null;
      return { counted: Boolean(row?.counted), award };
    });
    const at = now.toISOString();
    const counted: CountedEvent[] = outcomes.flatMap(({ counted, award }) =>
      counted && award ? [{ kind: 'engagement' as const, organizationId: award.organizationId, awardId: award.id, at }] : [],
    );
    // Announced like every committed change (the response cache ignores these: the counters are
    // read live, never from it).
    if (counted.length) this.deps.events.publish(counted);
    const seen = new Set<number>();
    return uniqueIndex.map((index) => {
      const outcome = outcomes[index]!;
      if (seen.has(index)) return { ...outcome, counted: false };
      seen.add(index);
      return outcome;
    });
  }

  /**
   * Where the database has writing CTEs, the whole batch is one statement (the awards, the
   * conditional upsert of the addresses, the counters), atomic by itself; arrays keep its text
   * the same whatever the batch size, so it stays one prepared statement.
   */
  #writeInOneStatement(events: Engagement[], now: Date): Promise<Row[]> {
    return this.deps.db.$queryRaw<Row[]>(countInOneStatementSql(dialectFor(this.deps.provider), events, now, DEDUP_WINDOW_MS));
  }

  /** Elsewhere (SQLite), the same steps as three statements in one transaction on its single writer. */
  async #writeInSteps(events: Engagement[], now: Date): Promise<Row[]> {
    const d = dialectFor(this.deps.provider);
    return inTransaction(this.deps.db, async (tx) => {
      const awards = await tx.$queryRaw<Array<{ id: string; organizationId: string; status: AwardStatus; publicId: string }>>(
        awardsByPublicIdSql([...new Set(events.map((event) => event.publicId))]),
      );
      const byPublicId = new Map(awards.map((award) => [award.publicId, award]));
      const countable = events.flatMap((event, ord) => {
        const award = byPublicId.get(event.publicId);
        return award && award.status !== 'REVOKED' ? [{ ord, event, award }] : [];
      });
      const seen = new Set<string>();
      if (countable.length) {
        const returned = await tx.$queryRaw<Array<{ awardId: string; kind: string; network: string; addressHash: string }>>(
          markSeenSql(d, countable.map(({ event, award }) => ({ ...event, awardId: award.id })), now, DEDUP_WINDOW_MS),
        );
        for (const row of returned) seen.add(seenKey(row.awardId, row.kind, row.network, row.addressHash));
      }
      const counted = countable.filter(({ event, award }) => seen.has(seenKey(award.id, event.kind, event.network, event.addressHash)));
      const increments = new Map<string, Increment>();
      for (const { event, award } of counted) {
        const key = `${award.id}\n${event.kind}\n${event.network}`;
        const entry = increments.get(key) ?? { organizationId: award.organizationId, awardId: award.id, kind: event.kind, network: event.network, count: 0 };
        entry.count += 1;
        increments.set(key, entry);
      }
      if (increments.size) await tx.$executeRaw(bumpCountsSql(d, [...increments.values()], now));
      const countedOrds = new Set(counted.map(({ ord }) => ord));
      return events.map((event, ord) => {
        const award = byPublicId.get(event.publicId);
        return { ord, awardId: award?.id ?? null, organizationId: award?.organizationId ?? null, status: award?.status ?? null, counted: countedOrds.has(ord) };
      });
    });
  }

}
