/**
 * PowerMatcher's rate-limited publisher: a run asked for outside the cool-down window happens at
 * once; asked for inside it, one run is scheduled for the window's end; at most one is ever
 * pending, so requests within a window coalesce. Each run ends the window `minMs` later.
 */
export class RateLimited {
  #until = 0;
  #pending: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly minMs: number, private readonly run: () => Promise<void>, private readonly now: () => number = Date.now) {}

  /** Asks for a run. */
  request(): void {
    if (this.#pending) return;
    const wait = Math.max(0, this.#until - this.now());
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#running = this.#running.then(async () => {
        try {
          await this.run();
        } finally {
          this.#until = this.now() + this.minMs;
        }
      });
    }, wait);
  }

  /** Cancels a pending run and waits for one in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.#pending);
    this.#pending = undefined;
    await this.#running.catch(() => undefined);
  }
}
