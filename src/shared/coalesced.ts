/**
 * Background work that never runs twice at once: a request while it runs makes it run once more
 * afterwards (the new work may have come after the running pass looked). Used by the workers
 * that claim rows (automation jobs, the email outbox).
 */
export class CoalescedRun {
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(private readonly work: () => Promise<void>) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  request(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.work().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    });
  }

  /** Resolves once no run is under way, reruns included. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** No new runs; waits for the one under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.idle();
  }
}
