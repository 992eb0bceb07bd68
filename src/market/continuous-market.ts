import type { Instant } from '../calendar/instant.js';
import type { Admitted, TenderInput } from './admission.js';
import type { PriceGrid } from '../terms/curve.js';
import { emptyOutput, MarketBase, type IntervalBook, type MarketOutput, type OpenTender, type SubmitOutcome } from './market-base.js';
import { OrderBook, type RestingOrder } from './order-book.js';
import { gateClosureMs, type MarketRules } from '../terms/rules.js';
import type { Rejection, Removal, Transaction } from './types.js';

interface TenderRecord {
  readonly partyID: string;
  readonly tenderID: string;
  readonly orders: Array<{ interval: Instant; order: RestingOrder }>;
}

/**
 * A continuous double auction: one order book per market interval, price-time priority, trades at
 * the resting order's price, partial fills unless integralOnly, expiry, cancel and self-trade
 * prevention. A book closes at its interval's gate; what still rests then expires.
 */
export class ContinuousMarket extends MarketBase {
  readonly books = new Map<Instant, OrderBook>();
  /** Tenders by party, then tender ID (nested maps: no key strings to build and hash per order). */
  readonly #tenders = new Map<string, Map<string, TenderRecord>>();
  readonly #byInterval = new Map<Instant, TenderRecord[]>();
  readonly #selfTrade;

  /** Every price tick from floor to cap, as a grid for the book's residual curve. */
  readonly grid: PriceGrid;

  constructor(rules: MarketRules & { clearing: { kind: 'continuous' } }) {
    super(rules);
    this.#selfTrade = rules.clearing.selfTrade;
    this.grid = { minimum: rules.prices.floor, maximum: rules.prices.cap, steps: this.prices.of(rules.prices.cap)! - this.prices.of(rules.prices.floor)! + 1 };
  }

  protected accept(tender: TenderInput, admitted: Admitted, now: Instant): SubmitOutcome {
    let own = this.#tenders.get(tender.partyID);
    if (!own) this.#tenders.set(tender.partyID, (own = new Map()));
    if (own.has(tender.tenderID)) return { ...emptyOutput(), rejection: { tenderID: tender.tenderID, code: 'duplicate-tender', reason: 'this party already has a tender with this ID' } };
    const record: TenderRecord = { partyID: tender.partyID, tenderID: tender.tenderID, orders: [] };
    own.set(tender.tenderID, record);
    const out = emptyOutput();
    const buy = admitted.side === 'buy';
    for (const slice of admitted.slices) {
      let book = this.books.get(slice.interval);
      if (!book) {
        this.books.set(slice.interval, (book = new OrderBook(this.#selfTrade)));
        this.#byInterval.set(slice.interval, []);
      }
      this.#byInterval.get(slice.interval)!.push(record);
      // A price-taking tender is a limit at the cap (buy) or floor (sell): it takes what the book offers.
      const price = slice.price ?? this.prices.of(buy ? this.rules.prices.cap : this.rules.prices.floor)!;
      const outcome = book.submit({
        tenderID: tender.tenderID, partyID: tender.partyID, buy, price, quantity: slice.quantity,
        expiresAt: admitted.expiresAt, integral: admitted.integral,
      }, now);
      for (const fill of outcome.fills) {
        const resting = fill.resting;
        out.transactions.push(this.trade(buy ? tender.partyID : resting.partyID, buy ? resting.partyID : tender.partyID,
          buy ? tender.tenderID : resting.tenderID, buy ? resting.tenderID : tender.tenderID, slice.interval, fill.price, fill.quantity, now));
      }
      for (const { order, why } of outcome.removed) out.removals.push(this.removal(order, slice.interval, why));
      if (outcome.resting) {
        record.orders.push({ interval: slice.interval, order: outcome.resting });
      } else if (outcome.incoming !== 'filled') {
        const filled = outcome.fills.reduce((s, f) => s + f.quantity, 0);
        out.removals.push({ tenderID: tender.tenderID, partyID: tender.partyID, interval: slice.interval,
          quantity: this.quantities.value(slice.quantity - filled), code: outcome.incoming === 'self-trade' ? 'self-trade' : 'integral-not-fillable' });
      }
    }
    return out;
  }

  private trade(buyer: string, seller: string, buyTenderID: string, sellTenderID: string, interval: Instant, price: number, quantity: number, now: Instant): Transaction {
    return this.transaction(interval, now, buyer, seller, this.prices.value(price), this.quantities.value(quantity), buyTenderID, sellTenderID);
  }

  private removal(order: RestingOrder, interval: Instant, code: Removal['code']): Removal {
    return { tenderID: order.tenderID, partyID: order.partyID, interval, quantity: this.quantities.value(order.remaining), code };
  }

  /** Intervals whose books hold resting orders, in time order. */
  openIntervals(): Instant[] {
    return [...this.books.keys()].sort((a, b) => a - b);
  }

  /**
   * What the interval's book leaves unmatched, as a demand curve over every price tick from floor
   * to cap: at price p, the resting bids at p or above less the resting asks at p or below. This is
   * what a nested continuous market trades upward.
   */
  residual(interval: Instant): Float64Array | undefined {
    const book = this.books.get(interval);
    if (!book) return undefined;
    const floor = this.prices.of(this.rules.prices.floor)!;
    const curve = new Float64Array(this.grid.steps);
    for (const [price, total] of book.depth(true)) curve[price - floor]! += this.quantities.value(total);
    for (let i = curve.length - 2; i >= 0; i--) curve[i]! += curve[i + 1]!; // a bid buys at its price and below
    let asked = 0;
    const asks = new Map(book.depth(false));
    for (let i = 0; i < curve.length; i++) {
      asked += this.quantities.value(asks.get(floor + i) ?? 0); // an ask sells at its price and above
      curve[i]! -= asked;
    }
    return curve;
  }

  /** The first `limit` open intervals' books: resting tenders and the depth of each side, in the market's units. */
  book(limit = Number.POSITIVE_INFINITY): IntervalBook[] {
    const levels = (book: OrderBook, buy: boolean) => book.depth(buy).map(([p, q]) => [this.prices.value(p), this.quantities.value(q)] as const);
    return this.openIntervals().slice(0, limit).map((interval) => {
      const book = this.books.get(interval)!;
      return { interval, tenders: resting(book), bids: levels(book, true), asks: levels(book, false) };
    });
  }

  /** Tenders resting in every book (GET /metrics). */
  tenderCount(): number {
    let count = 0;
    for (const book of this.books.values()) count += resting(book);
    return count;
  }

  /** Best bid and ask of an interval's book, in the market's units: price and the quantity at that price. */
  touch(interval: Instant): { bid?: { price: number; quantity: number }; ask?: { price: number; quantity: number } } {
    const book = this.books.get(interval);
    const level = (buy: boolean) => {
      const [best] = book?.depth(buy) ?? [];
      return best && { price: this.prices.value(best[0]), quantity: this.quantities.value(best[1]) };
    };
    const bid = level(true);
    const ask = level(false);
    return { ...(bid ? { bid } : {}), ...(ask ? { ask } : {}) };
  }

  hasTender(partyID: string, tenderID: string): boolean {
    return this.#tenders.get(partyID)?.has(tenderID) ?? false;
  }

  hasOpenTender(partyID: string, tenderID: string): boolean {
    return this.#tenders.get(partyID)?.get(tenderID)?.orders.some((o) => o.order.active) ?? false;
  }

  heldSlices(partyID: string): number {
    let n = 0;
    for (const record of this.#tenders.get(partyID)?.values() ?? []) for (const o of record.orders) if (o.order.active) n++;
    return n;
  }

  openTenders(partyID: string): OpenTender[] {
    const out: OpenTender[] = [];
    for (const record of this.#tenders.get(partyID)?.values() ?? []) {
      const live = record.orders.filter((o) => o.order.active);
      if (live.length === 0) continue;
      out.push({
        tenderID: record.tenderID,
        side: live[0]!.order.buy ? 'buy' : 'sell',
        slices: live.map(({ interval, order }) => ({ interval, price: this.prices.value(order.price), quantity: this.quantities.value(order.remaining) })),
      });
    }
    return out;
  }

  cancel(partyID: string, tenderID: string, _now: Instant): MarketOutput | Rejection {
    const record = this.#tenders.get(partyID)?.get(tenderID);
    const live = record?.orders.filter((o) => o.order.active) ?? [];
    if (live.length === 0) return this.unknownTender(tenderID);
    const out = emptyOutput();
    for (const { interval, order } of live) {
      this.books.get(interval)!.remove(order);
      out.removals.push(this.removal(order, interval, 'cancelled'));
    }
    return out;
  }

  advance(now: Instant): MarketOutput {
    const out = emptyOutput();
    const gate = gateClosureMs(this.rules);
    for (const [interval, book] of [...this.books].sort((a, b) => a[0] - b[0])) {
      if (now < interval - gate) continue;
      for (const buy of [true, false]) {
        for (const order of book.resting(buy)) out.removals.push(this.removal(order, interval, order.expiresAt <= now ? 'expired' : 'gate-closed'));
      }
      this.books.delete(interval);
      for (const record of this.#byInterval.get(interval) ?? []) {
        if (record.orders.every((o) => o.interval <= interval)) this.#tenders.get(record.partyID)?.delete(record.tenderID);
      }
      this.#byInterval.delete(interval);
    }
    this.calendar.forgetBefore(now);
    return out;
  }
}

function resting(book: OrderBook): number {
  let count = 0;
  for (const _ of book.resting(true)) count++;
  for (const _ of book.resting(false)) count++;
  return count;
}
