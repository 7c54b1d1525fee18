/** Work that a request starts but does not wait for; shutdown waits for it before closing the database. */
export class BackgroundTasks {
  readonly #running = new Set<Promise<unknown>>();

  run(task: () => Promise<unknown>): void {
    const running: Promise<unknown> = task().finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async drain(): Promise<void> {
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }
}
