import type { Availability } from '../calendar/availability.js';
import type { TenderInput } from '../market/admission.js';
import type { MarketOutput, SubmitOutcome } from '../market/market-base.js';
import { createMarket, type Market } from '../market/market.js';
import type { MarketRules } from '../market/rules.js';
import type { Rejection, Transaction } from '../market/types.js';
import { put, type Store, type WriteOp } from '../store/store.js';
import { asJson, collections, fromJson } from './records.js';

/** An operation on a market's engine, exactly as it ran: replaying these rebuilds the engine. */
export type EngineCommand =
  | { readonly kind: 'submit'; readonly tender: TenderInput; readonly availability: readonly Availability[]; readonly now: number }
  | { readonly kind: 'cancel'; readonly partyID: string; readonly tenderID: string; readonly now: number }
  | { readonly kind: 'advance'; readonly now: number };

export type CommandResult = SubmitOutcome | MarketOutput | Rejection;

const SEQ_DIGITS = 12;

/**
 * The markets the service runs. The engines live in memory; every command that changed one is
 * logged in the Store in the same atomic commit as its effects (and the request record), so a
 * restart replays the log and rebuilds exactly the acknowledged state. Engines are deterministic,
 * so a replayed command gives the same result it gave the first time: a gate cleared and logged is
 * never cleared again, and one not logged was never acknowledged.
 */
export class MarketHost {
  readonly byId = new Map<string, Market>();
  readonly byContext = new Map<string, Market>();
  readonly #seq = new Map<string, number>();

  private constructor(markets: readonly Market[]) {
    for (const market of markets) {
      this.byId.set(market.rules.id, market);
      this.byContext.set(market.rules.marketContext, market);
      this.#seq.set(market.rules.id, 0);
    }
  }

  get markets(): Market[] {
    return [...this.byId.values()];
  }

  /** Builds the markets and replays their logged commands. */
  static async open(rules: readonly MarketRules[], store: Store): Promise<MarketHost> {
    const host = new MarketHost(rules.map(createMarket));
    for (const market of host.markets) {
      const logged = await store.list('commands', `${market.rules.id}/`);
      for (const [, command] of logged) apply(market, fromJson<EngineCommand>(command)!);
      host.#seq.set(market.rules.id, logged.length);
    }
    return host;
  }

  /**
   * Runs a command now and returns its result with the writes that make it durable; the caller
   * commits them (with its own records) before answering. Commands that changed nothing (refused
   * tenders, unknown cancels, empty advances) produce no writes.
   */
  run(market: Market, command: EngineCommand): { result: CommandResult; writes: WriteOp[] } {
    const result = apply(market, command);
    if ('code' in result || ('rejection' in result && result.rejection)
      || (result.transactions.length === 0 && result.removals.length === 0 && result.clearings.length === 0 && command.kind === 'advance')) {
      return { result, writes: [] };
    }
    const seq = this.#seq.get(market.rules.id)! + 1;
    this.#seq.set(market.rules.id, seq);
    const writes: WriteOp[] = [put(collections.commands, `${market.rules.id}/${String(seq).padStart(SEQ_DIGITS, '0')}`, asJson(command))];
    for (const t of result.transactions) writes.push(...transactionWrites(t));
    for (const c of result.clearings) {
      const { transactions: _trades, ...summary } = c;
      writes.push(put(collections.clearings, `${c.marketID}/${c.interval}`, asJson(summary)));
    }
    return { result, writes };
  }
}

function apply(market: Market, command: EngineCommand): CommandResult {
  switch (command.kind) {
    case 'submit': return market.submit(command.tender, command.now, command.availability);
    case 'cancel': return market.cancel(command.partyID, command.tenderID, command.now);
    case 'advance': return market.advance(command.now);
  }
}

/** A transaction is filed under each of its parties, so each finds its own with one prefix scan. */
export function transactionWrites(t: Transaction): WriteOp[] {
  const writes = [put(collections.partyTransactions, `${t.buyer}/${t.transactionID}`, asJson(t))];
  if (t.seller !== t.buyer) writes.push(put(collections.partyTransactions, `${t.seller}/${t.transactionID}`, asJson(t)));
  return writes;
}
