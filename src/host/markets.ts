import type { Availability } from '../calendar/availability.js';
import type { TenderInput } from '../market/admission.js';
import { CallMarket } from '../market/call-market.js';
import { emptyOutput, type MarketOutput, type SubmitOutcome } from '../market/market-base.js';
import type { PriceBounds } from '../market/intertie.js';
import { createMarket, type Market } from '../market/market.js';
import type { MarketRules } from '../terms/rules.js';
import type { MarketSetup } from '../terms/signals.js';
import type { Rejection, Transaction } from '../market/types.js';
import { localLeases, type Leases } from '../store/leases.js';
import type { Store, WriteOp } from '../store/store.js';
import { collections, type TransactionOrigin } from './records.js';

/** An operation on a market's engine, exactly as it ran: replaying these rebuilds the engine. */
export type EngineCommand =
  | { readonly kind: 'submit'; readonly tender: TenderInput; readonly availability: readonly Availability[]; readonly now: number }
  | { readonly kind: 'cancel'; readonly partyID: string; readonly tenderID: string; readonly now: number }
  | { readonly kind: 'advance'; readonly now: number }
  /** An intertie's flow from the parent and the price bounds it sets (curve call markets with a parent). */
  | { readonly kind: 'intertie'; readonly partyID: string; readonly interval: number; readonly flow: number; readonly bounds: PriceBounds; readonly now: number };

export type CommandResult = SubmitOutcome | MarketOutput | Rejection;

const SEQ_DIGITS = 12;
const logKey = (marketID: string, seq: number) => collections.commands.key(marketID, String(seq).padStart(SEQ_DIGITS, '0'));

/** One market's engine in this instance, and whether this instance may change it. */
interface Slot {
  readonly setup: MarketSetup;
  readonly rules: MarketRules;
  engine: Market;
  /** Log entries the engine has applied (committed, or in flight under the lease). */
  seq: number;
  /** This instance holds the market's lease: its engine is the authority, ahead of the log by what is in flight. */
  leased: boolean;
  /** Another instance asked for the lease. */
  wanted: boolean;
  /** Counts the lease's acquisitions: work that waited for one may use it even when another instance waits next. */
  epoch: number;
  /** A command ran whose commit failed: the engine holds what was never acknowledged and must be rebuilt. */
  stale: boolean;
  /** Work in progress holding the engine under the lease (entered and not yet committed or ended). */
  holders: number;
  /** Lease changes, catch-ups and rebuilds, one at a time. */
  queue: Promise<unknown>;
  busy: boolean;
  drained: Array<() => void>;
}

/**
 * The markets the service runs. The engines live in memory; every command that changed one is
 * appended to the market's log in the Store in the same atomic commit as its effects (and the
 * request record), so a restart replays the log and rebuilds exactly the acknowledged state.
 * Engines are deterministic, so a replayed command gives the same result it gave the first time: a
 * gate cleared and logged is never cleared again, and one not logged was never acknowledged.
 *
 * Several instances can share one store: to change a market an instance takes its lease
 * (serialising commands across instances) and first applies the log entries others appended; to
 * read one it applies them without the lease. Log appends need their predecessor and never
 * overwrite, so if a lease lapses mid-work the late commit is refused rather than forking the log.
 * An engine whose command was not committed (the store refused or was away) is rebuilt from the
 * log before its next use: nothing unacknowledged survives in memory.
 */
export class MarketHost {
  readonly #slots = new Map<string, Slot>();
  readonly #byContext = new Map<string, Slot>();

  private constructor(setups: readonly MarketSetup[], readonly store: Store, private readonly leases: Leases) {
    for (const r of setups) {
      const slot: Slot = { setup: r, rules: r, engine: createMarket(r), seq: 0, leased: leases.exclusive, wanted: false, epoch: 0, stale: false, holders: 0,
        queue: Promise.resolve(), busy: false, drained: [] };
      this.#slots.set(r.id, slot);
      this.#byContext.set(r.marketContext, slot);
    }
  }

  /** Builds the markets and replays their logs. */
  static async open(setups: readonly MarketSetup[], store: Store, leases: Leases = localLeases): Promise<MarketHost> {
    const host = new MarketHost(setups, store, leases);
    for (const slot of host.#slots.values()) await host.#catchUp(slot);
    return host;
  }

  /** The engines as this instance last saw them: use for rules; call `current` before reading state. */
  get markets(): Market[] {
    return [...this.#slots.values()].map((s) => s.engine);
  }

  byId(marketID: string): Market | undefined {
    return this.#slots.get(marketID)?.engine;
  }

  /** The market as its rule file set it up: its rules and the protocols' signal mappings. */
  setup(market: Market): MarketSetup {
    return this.#slot(market).setup;
  }

  byContext(marketContext: string): Market | undefined {
    return this.#byContext.get(marketContext)?.engine;
  }

  get marketContexts(): string[] {
    return [...this.#byContext.keys()];
  }

  /** The markets' engines with every acknowledged command applied, for reading. */
  async current(markets: readonly Market[] = this.markets): Promise<Market[]> {
    const fresh: Market[] = [];
    for (const market of markets) {
      const slot = this.#slot(market);
      if (!(slot.leased && !slot.stale && !slot.busy)) await this.#serially(slot, () => this.#catchUp(slot));
      fresh.push(slot.engine);
    }
    return fresh;
  }

  /** Runs `task` with a unit of work (markets entered under their leases, commands run, one commit), ended whatever happens. */
  async withWork<T>(task: (work: MarketWork) => Promise<T>): Promise<T> {
    const work = new MarketWork(this);
    try {
      return await task(work);
    } finally {
      work.end();
    }
  }

  /** Releases every lease. */
  async close(): Promise<void> {
    await this.leases.close();
  }

  #slot(market: Market | string): Slot {
    const slot = this.#slots.get(typeof market === 'string' ? market : market.rules.id);
    if (!slot) throw new Error(`no market ${typeof market === 'string' ? market : market.rules.id}`);
    return slot;
  }

  #serially(slot: Slot, step: () => Promise<void>): Promise<void> {
    const run = slot.queue.then(async () => {
      slot.busy = true;
      try {
        await step();
      } finally {
        slot.busy = false;
      }
    });
    slot.queue = run.catch(() => undefined);
    return run;
  }

  /** Applies the log entries appended since the engine last looked; rebuilds a stale engine from the whole log. */
  async #catchUp(slot: Slot): Promise<void> {
    if (slot.stale && slot.holders > 0) await this.#drained(slot);
    if (slot.stale) {
      slot.engine = createMarket(slot.rules);
      slot.seq = 0;
    }
    const entries = await collections.commands.list(this.store, [slot.rules.id], slot.seq > 0 ? logKey(slot.rules.id, slot.seq) : undefined);
    for (const [, command] of entries) apply(slot.engine, command);
    slot.seq += entries.length;
    slot.stale = false;
  }

  /** Holds the engine for a unit of work: under the lease, caught up, not stale. */
  async enter(market: Market): Promise<Slot> {
    const slot = this.#slot(market);
    const arrived = slot.epoch;
    // Each turn of the lease serves the work that waited for it; work arriving later yields to a waiting instance.
    const mayUse = () => slot.leased && !slot.stale && !slot.busy && (!slot.wanted || slot.epoch > arrived);
    while (!mayUse()) {
      await this.#serially(slot, async () => {
        if (slot.wanted && slot.epoch === arrived) {
          if (slot.holders > 0) await this.#drained(slot);
          await this.#releaseNow(slot);
        }
        // While the lease is held no other instance appends: the log needs reading only on taking it, or to rebuild.
        if (!slot.leased) {
          slot.wanted = false;
          // A lease lost while work was in flight leaves the engine ahead of a log others may have extended.
          await this.leases.acquire(slot.rules.id, { wanted: () => this.#wanted(slot), lost: () => { slot.leased = false; slot.stale = true; } });
          slot.leased = true;
          slot.epoch++;
          await this.#catchUp(slot);
        } else if (slot.stale) {
          await this.#catchUp(slot);
        }
      });
    }
    slot.holders++;
    return slot;
  }

  /** Gives the engine back; `failed` if a command ran whose commit did not happen. */
  leave(slot: Slot, failed: boolean): void {
    slot.holders--;
    if (failed) {
      slot.stale = true;
      // A refused log append may mean another instance holds the market now: give the lease up and ask again before the next use.
      if (!this.leases.exclusive) void this.#serially(slot, () => this.#releaseNow(slot));
    }
    if (slot.holders > 0) return;
    for (const resolve of slot.drained.splice(0)) resolve();
    if (slot.wanted) void this.#release(slot);
  }

  #drained(slot: Slot): Promise<void> {
    return new Promise<void>((resolve) => slot.drained.push(resolve));
  }

  #wanted(slot: Slot): void {
    slot.wanted = true;
    if (slot.holders === 0) void this.#release(slot);
  }

  /** Releases the lease if it is wanted and idle when this step's turn comes. */
  #release(slot: Slot): Promise<void> {
    return this.#serially(slot, async () => {
      if (slot.wanted && slot.holders === 0) await this.#releaseNow(slot);
    });
  }

  async #releaseNow(slot: Slot): Promise<void> {
    slot.wanted = false;
    if (!slot.leased) return;
    slot.leased = false;
    await this.leases.release(slot.rules.id).catch(() => undefined); // a lease not released lapses
  }

  /**
   * Runs a command on an entered engine and returns its result with the writes that make it
   * durable. Commands that changed nothing (refused tenders, unknown cancels, empty advances)
   * produce no writes.
   */
  run(slot: Slot, command: EngineCommand): { result: CommandResult; writes: WriteOp[] } {
    const result = apply(slot.engine, command);
    if ('code' in result || ('rejection' in result && result.rejection)
      || (result.transactions.length === 0 && result.removals.length === 0 && result.clearings.length === 0 && command.kind === 'advance')) {
      return { result, writes: [] };
    }
    const seq = ++slot.seq;
    const id = slot.rules.id;
    const writes: WriteOp[] = [collections.commands.append(logKey(id, seq), command, seq > 1 ? logKey(id, seq - 1) : undefined)];
    for (const t of result.transactions) writes.push(...transactionWrites(t, 'market'));
    for (const c of result.clearings) {
      const { transactions: _trades, ...summary } = c;
      writes.push(collections.clearings.put([c.marketID, c.interval], summary));
    }
    return { result, writes };
  }
}

/**
 * One request's (or job's) use of markets: `enter` them (in market order, so two units never wait
 * on each other), read and `run` commands without awaiting in between, then `commit` the writes.
 * `end` gives the engines back without committing; an engine that ran a command is then rebuilt.
 */
export class MarketWork {
  readonly #entered = new Map<string, Slot>();
  readonly #ran = new Set<Slot>();
  #ended = false;
  #before: Promise<void> = Promise.resolve();

  constructor(private readonly host: MarketHost) {}

  /** `enter` first waits for this (a request's check that it was not answered before); its failure fails `enter`. */
  waitFor(check: Promise<void>): void {
    check.catch(() => {}); // failing here is reported by enter, or by whoever else awaits the check
    this.#before = check;
  }

  async enter(markets: readonly Market[]): Promise<void> {
    await this.#before;
    const ids = [...new Set(markets.map((m) => m.rules.id))].filter((id) => !this.#entered.has(id)).sort();
    for (const id of ids) this.#entered.set(id, await this.host.enter(markets.find((m) => m.rules.id === id)!));
  }

  /** The entered market's engine. */
  engine(market: Market): Market {
    return this.#slot(market).engine;
  }

  run(market: Market, command: EngineCommand): { result: CommandResult; writes: WriteOp[] } {
    const slot = this.#slot(market);
    this.#ran.add(slot);
    return this.host.run(slot, command);
  }

  /** Commits the writes, then gives the engines back; if the commit fails, the engines that ran are rebuilt. */
  async commit(writes: readonly WriteOp[]): Promise<void> {
    let committed = false;
    try {
      await this.host.store.commit(writes);
      committed = true;
    } finally {
      this.end(committed);
    }
  }

  end(committed = false): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const slot of this.#entered.values()) this.host.leave(slot, !committed && this.#ran.has(slot));
  }

  #slot(market: Market): Slot {
    const slot = this.#entered.get(market.rules.id);
    if (!slot) throw new Error(`market ${market.rules.id} was not entered`);
    return slot;
  }
}

function apply(market: Market, command: EngineCommand): CommandResult {
  switch (command.kind) {
    case 'submit': return market.submit(command.tender, command.now, command.availability);
    case 'cancel': return market.cancel(command.partyID, command.tenderID, command.now);
    case 'advance': return market.advance(command.now);
    case 'intertie': {
      if (!(market instanceof CallMarket)) return { tenderID: 'intertie', code: 'curve-invalid', reason: `${market.rules.id} is not a call market` };
      return market.placeIntertie(command.partyID, command.interval, command.flow, command.bounds, command.now) ?? emptyOutput();
    }
  }
}

/** A transaction is filed under each of its parties, so each finds its own with one prefix scan. */
export function transactionWrites(t: Transaction, origin: TransactionOrigin): WriteOp[] {
  const writes = [collections.partyTransactions.put([t.buyer, origin, t.transactionID], t)];
  if (t.seller !== t.buyer) writes.push(collections.partyTransactions.put([t.seller, origin, t.transactionID], t));
  return writes;
}
