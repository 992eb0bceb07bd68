import type { EiServices } from './operation.js';

/**
 * Closes gates as time passes: each tick advances every market to the service clock's now,
 * commits what that changed (auction results, books closed) and sends new clearing prices to
 * subscribers. In process for now; with Redis these become BullMQ jobs.
 */
export class GateScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly services: EiServices, private readonly everyMs = 250) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => this.tick()).catch((error: Error) => this.services.log.error({ err: error }, 'gate tick failed'));
    }, this.everyMs);
  }

  /** Advances every market once. */
  async tick(): Promise<void> {
    const { host, store, clock, quotes } = this.services;
    for (const market of host.markets) {
      const { result, writes } = host.run(market, { kind: 'advance', now: clock() });
      if (writes.length === 0) continue;
      await store.commit(writes);
      if ('clearings' in result && result.clearings.length > 0) {
        this.services.log.info({ market: market.rules.id, clearings: result.clearings.map((c) => ({ interval: c.interval, price: c.price, type: c.type })) }, 'auction cleared');
        await quotes.distribute(market, result.clearings);
      }
    }
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
