// Changes due at a time rather than on a request: memberships reaching their end date, awards
// reaching their expiry, and jobs waiting to run (automation backfills, CSV imports), or
// abandoned by a stopped instance. Every instance runs this; the conditional updates inside each step decide which
// instance does each change, so nothing is revoked, expired or announced twice.
import type { Deps } from '../../deps.js';
import { expireDueAwards } from '../awards/index.js';
import { endDueMemberships } from './memberships.js';

const BATCH = 500;

/** Workers of claimable jobs (AutomationJobs, ImportJobs). */
export interface JobRunner {
  runPending(): Promise<void>;
  stop(): Promise<void>;
}

export class Scheduler {
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly jobs: readonly JobRunner[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.tick(), this.intervalMs);
    this.#timer.unref();
    void this.tick();
  }

  /** One pass over everything due; a pass already under way is joined, not doubled. */
  tick(): Promise<void> {
    this.#ticking ??= (async () => {
      try {
        while (!this.#stopped && (await endDueMemberships(this.deps, BATCH)) === BATCH);
        while (!this.#stopped && (await expireDueAwards(this.deps, BATCH)) === BATCH);
        if (!this.#stopped) await Promise.all(this.jobs.map((jobs) => jobs.runPending()));
      } catch (error) {
        this.deps.logger.error({ err: error }, 'scheduled automation failed');
      } finally {
        this.#ticking = undefined;
      }
    })();
    return this.#ticking;
  }

  /** Stops after the batch under way; a job left unfinished resumes on the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.jobs.map((jobs) => jobs.stop()), this.#ticking]);
  }
}
