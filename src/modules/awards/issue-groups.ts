// Group commit of single issues. Concurrent issueAward calls of one API key share a transaction:
// while one group's transaction runs, the calls that arrive wait, then go together as the next
// group. There is no timer: a call on an idle server waits only for the event loop's next turn. A group that fails for
// any reason (a row that breaks a rule, two calls racing for one ONCE badge or idempotency key)
// runs again one call per transaction, in arrival order, so every call gets the outcome or the
// error it would have had alone.
import type { Actor, Deps } from '../../deps.js';
import { commitIssues, parseIssueRows, type FieldNamer, type IssueAwardInput, type IssueResult, type ParsedIssue } from './issue.js';

/** More would lengthen one transaction (and its locks) for little gain per award. */
export const MAX_GROUP = 64;

interface Waiting {
  row: ParsedIssue;
  resolve: (result: IssueResult) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  actor: Actor;
  field: FieldNamer;
  waiting: Waiting[];
}

export class IssueGroups {
  readonly #lanes = new Map<string, Lane>();
  /** Transactions that carried more than one call, and the calls they carried (for tests and metrics). */
  readonly stats = { groups: 0, grouped: 0, fallbacks: 0 };

  constructor(private readonly deps: Deps) {}

  /** Issues one award; input errors are reported before the call joins a group. */
  issue(actor: Actor, input: IssueAwardInput, field: FieldNamer): Promise<IssueResult> {
    const [row] = parseIssueRows([input], field, this.deps.clock.now());
    // One lane per key: a group is one actor's change, and its history names that key.
    const key = `${actor.organizationId}\u0000${actor.apiKeyId ?? ''}`;
    return new Promise((resolve, reject) => {
      const lane = this.#lanes.get(key);
      if (lane) {
        lane.waiting.push({ row: row!, resolve, reject });
        return;
      }
      const started: Lane = { actor, field, waiting: [{ row: row!, resolve, reject }] };
      this.#lanes.set(key, started);
      void this.#drain(key, started);
    });
  }

  async #drain(key: string, lane: Lane): Promise<void> {
    try {
      while (lane.waiting.length) {
        // One turn of the event loop lets the calls that already arrived join: a transaction on
        // SQLite can finish within microtasks, before any other request is read.
        await new Promise((resolve) => setImmediate(resolve));
        await this.#run(lane, lane.waiting.splice(0, MAX_GROUP));
      }
    } finally {
      this.#lanes.delete(key);
    }
  }

  async #run(lane: Lane, group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      try {
        const results = await this.#commit(lane, group.map((waiting) => waiting.row));
        this.stats.groups += 1;
        this.stats.grouped += group.length;
        group.forEach((waiting, index) => waiting.resolve(results[index]!));
        return;
      } catch (error) {
        // Nothing of the group was written; each call runs alone below and meets its own error.
        this.stats.fallbacks += 1;
        this.deps.logger.debug({ err: error, calls: group.length }, 'issue group failed; its calls run one by one');
      }
    }
    for (const waiting of group) {
      try {
        waiting.resolve((await this.#commit(lane, [waiting.row]))[0]!);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }

  #commit(lane: Lane, rows: ParsedIssue[]): Promise<IssueResult[]> {
    return commitIssues(this.deps, lane.actor, rows, lane.field, this.deps.clock.now());
  }
}
