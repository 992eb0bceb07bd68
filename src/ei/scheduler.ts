import type { EiServices } from './operation.js';

/** Work that follows a tick's gate closures, at the same `now` (OpenADR event issue). */
export type AfterTick = (now: number) => Promise<unknown>;

/**
 * Closes gates as time passes: each tick advances every market to the service clock's now,
 * commits what that changed (auction results, books closed), sends new clearing prices to
 * subscribers, then runs the follow-ups. In process for now; with Redis these become BullMQ jobs.
 */
export class GateScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly services: EiServices, private readonly everyMs = 250, private readonly after: readonly AfterTick[] = []) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => this.tick()).catch((error: Error) => this.services.log.error({ err: error }, 'gate tick failed'));
    }, this.everyMs);
  }

  /** Advances every market once, then runs the follow-ups. */
  async tick(): Promise<void> {
    const { host, store, clock, quotes } = this.services;
    const now = clock();
    for (const market of host.markets) {
      const { result, writes } = host.run(market, { kind: 'advance', now });
      if (writes.length === 0) continue;
      await store.commit(writes);
      if ('clearings' in result && result.clearings.length > 0) {
        this.services.log.info({ market: market.rules.id, clearings: result.clearings.map((c) => ({ interval: c.interval, price: c.price, type: c.type })) }, 'auction cleared');
        await quotes.distribute(market, result.clearings);
      }
    }
    for (const followUp of this.after) await followUp(now);
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
