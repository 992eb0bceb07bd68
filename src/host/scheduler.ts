import type { Market } from '../market/market.js';
import { rootsFirst } from '../market/tree.js';
import type { WriteOp } from '../store/store.js';
import type { ClearingResult } from '../market/types.js';
import type { ServiceContext } from './context.js';

/** Writes that go with a market's gate closures, in the same commit (OpenADR events for the closed intervals). */
export type GateFollowUp = (market: Market, now: number) => Promise<WriteOp[]>;

/** Work that follows a tick, at the same `now` (OpenADR push delivery). */
export type AfterTick = (now: number) => Promise<unknown>;

/**
 * Publishes clearing prices (EI quotes to subscribers): entries written to an outbox in the gate
 * closure's own commit, then delivered one by one (on Redis, each as its own job).
 */
export interface ClearingPublisher {
  outboxWrites(clearings: readonly ClearingResult[]): WriteOp[];
  /** The market's outbox keys still to deliver. */
  pending(market: Market): Promise<string[]>;
  /** Delivers one entry; returns the deliveries made. */
  deliver(market: Market, key: string): Promise<number>;
}

/** What a gate closure and a tick do beside advancing the engines. */
export interface GateWork {
  readonly publisher: ClearingPublisher;
  readonly followUps?: readonly GateFollowUp[];
  readonly after?: readonly AfterTick[];
  readonly tree?: TreeSteps;
  /** Told how long each market's gate closure took, commit included (GET /metrics). */
  readonly timed?: (marketID: string, seconds: number) => void;
}

/** Nested markets' steps in a tick (src/intertie/agent.ts): bids go up first, then each child takes its flow before its gate closes. */
export interface TreeSteps {
  up(now: number): Promise<void>;
  down(market: Market, now: number): Promise<void>;
}

/**
 * Closes gates as time passes. For one market, `closeGates` advances the engine to `now` under the
 * market's lease and commits what that changed (auction results, books closed) together with the
 * clearing prices' quote outbox and the follow-ups' writes, so a gate's effects are recorded once
 * and whole; running it again at the same or a later `now` repeats nothing. The quotes are then
 * sent from the outbox. On the embedded store a timer here ticks every market; on Redis each of
 * these steps is a BullMQ job (jobs.ts) run by one instance.
 */
export class GateScheduler {
  #timer: NodeJS.Timeout | undefined;
  /** The markets parents first: the order gates close in (the host's markets never change). */
  #ordered: Market[] | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(private readonly services: ServiceContext, private readonly work: GateWork) {}

  /** Ticks every `everyMs` in this process. */
  start(everyMs: number): void {
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => this.tick()).catch((error: Error) => this.services.log.error({ err: error }, 'gate tick failed'));
    }, everyMs);
  }

  /** Advances one market to `now` and commits the outcome; returns its quote outbox keys still to deliver. */
  closeGates(market: Market, now: number): Promise<string[]> {
    const { host, log } = this.services;
    const { publisher, followUps = [], timed } = this.work;
    const started = performance.now();
    return host.withWork(async (work) => {
      await work.enter([market]);
      const { result, writes } = work.run(market, { kind: 'advance', now });
      const clearings = 'clearings' in result ? result.clearings : [];
      writes.push(...publisher.outboxWrites(clearings));
      const followed: WriteOp[] = [];
      for (const followUp of followUps) followed.push(...await followUp(work.engine(market), now));
      await work.commit([...writes, ...followed]);
      if (clearings.length > 0) log.info({ market: market.rules.id, clearings: clearings.map((c) => ({ interval: c.interval, price: c.price, type: c.type })) }, 'auction cleared');
      if (followed.length > 0) log.info({ market: market.rules.id, writes: followed.length }, 'gate follow-ups committed');
      timed?.(market.rules.id, (performance.now() - started) / 1000);
      return publisher.pending(market);
    });
  }

  /**
   * Sends nested markets' bids up, then closes every market's gates, parents first (each child first
   * taking the flow its parent cleared) and delivers their quotes; then runs the follow-ups.
   */
  async tick(): Promise<void> {
    const now = this.services.clock();
    const { publisher, tree } = this.work;
    await tree?.up(now);
    for (const market of this.#ordered ??= rootsFirst(this.services.host.markets)) {
      await tree?.down(market, now);
      for (const key of await this.closeGates(market, now)) await publisher.deliver(market, key);
    }
    await this.afterTick(now);
  }

  /** The work that follows a tick (push delivery), in order. */
  async afterTick(now: number): Promise<void> {
    for (const step of this.work.after ?? []) await step(now);
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
