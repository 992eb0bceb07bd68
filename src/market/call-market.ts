import type { Instant } from '../calendar/instant.js';
import type { Admitted, TenderInput } from './admission.js';
import { checkCurve, curveFromPoints, CurveError, intersection, priceOfStep, stepOf, type PriceGrid } from '../terms/curve.js';
import { emptyOutput, MarketBase, tenderKey, type IntervalBook, type MarketOutput, type OpenTender, type SubmitOutcome } from './market-base.js';
import { gateClosureMs, horizonMs, roundPrice, type MarketRules } from '../terms/rules.js';
import { clearStepAuction } from './step-auction.js';
import type { PriceBounds } from './intertie.js';
import type { ClearingResult, Rejection, Side, Transaction } from './types.js';

/**
 * A bid waiting for its auction: a step (price, quantity) or a PowerMatcher demand curve. In curve
 * markets every bid carries its curve (a step tender's is made when it arrives).
 */
type Bid =
  | { readonly kind: 'step'; readonly partyID: string; readonly tenderID: string; readonly side: Side; readonly price: number | undefined; readonly quantity: number; readonly curve?: Float64Array }
  | { readonly kind: 'curve'; readonly partyID: string; readonly tenderID: string; readonly curve: Float64Array };

/**
 * The bids of one interval. A curve market also keeps their running sum, as PowerMatcher caches
 * its aggregate: clearing then needs the crossing and one lookup per bid, not a sum of every curve.
 */
class IntervalBids {
  readonly bids = new Map<string, Bid>();
  readonly aggregate: Float64Array | undefined;

  /** `held`: bids per party across the market's intervals, kept by every change here. */
  constructor(steps: number | undefined, private readonly held: Map<string, number>) {
    this.aggregate = steps === undefined ? undefined : new Float64Array(steps);
  }

  private hold(partyID: string, change: 1 | -1): void {
    const n = (this.held.get(partyID) ?? 0) + change;
    if (n === 0) this.held.delete(partyID);
    else this.held.set(partyID, n);
  }

  private add(curve: Float64Array | undefined, sign: 1 | -1): void {
    const aggregate = this.aggregate;
    if (!aggregate || !curve) return;
    for (let i = 0; i < aggregate.length; i++) aggregate[i]! += sign * curve[i]!;
  }

  set(key: string, bid: Bid): void {
    const old = this.bids.get(key);
    if (old) this.add(old.curve, -1);
    else this.hold(bid.partyID, 1);
    this.bids.set(key, bid);
    this.add(bid.curve, 1);
  }

  delete(key: string): Bid | undefined {
    const bid = this.bids.get(key);
    if (!bid) return undefined;
    this.bids.delete(key);
    this.add(bid.curve, -1);
    this.hold(bid.partyID, -1);
    return bid;
  }

  /** Releases every bid: the interval has cleared. */
  release(): void {
    for (const bid of this.bids.values()) this.hold(bid.partyID, -1);
  }
}

/**
 * An auction's allocations, visited rather than listed (a curve auction may allocate 100,000s of
 * bids): each bid with a non-zero demand, positive buying from the market account, negative selling to it.
 */
type Allocations = (visit: (bid: Bid, demand: number) => void) => void;

interface Clearing {
  readonly price: number | undefined;
  readonly type: ClearingResult['type'];
  readonly allocations: Allocations;
}

/**
 * A call auction per interval, cleared at gate closure at one uniform price. `curve` markets use
 * PowerMatcher semantics (step bids become curves); `step` markets use GridLAB-D's double auction.
 * Every participant trades with the market account, the central counterparty.
 */
export class CallMarket extends MarketBase {
  /** Bids per interval, in submission order, keyed by party and tender. */
  readonly #bids = new Map<Instant, IntervalBids>();
  /** Price bounds an uncongested intertie sets on an interval (nested markets). */
  readonly #bounds = new Map<Instant, PriceBounds>();
  /** Step tender IDs each party has used, cleared or not: IDs are not reused (market-base.ts). */
  readonly #used = new Map<string, Set<string>>();
  /** Bids each party holds, over all intervals. */
  readonly #held = new Map<string, number>();
  readonly grid: PriceGrid | undefined;

  constructor(rules: MarketRules & { clearing: { kind: 'call' } }) {
    super(rules);
    this.grid = rules.clearing.bids === 'curve'
      ? { minimum: rules.prices.floor, maximum: rules.prices.cap, steps: rules.clearing.priceSteps! }
      : undefined;
  }

  private bidsOf(interval: Instant): IntervalBids {
    let bids = this.#bids.get(interval);
    if (!bids) this.#bids.set(interval, (bids = new IntervalBids(this.grid?.steps, this.#held)));
    return bids;
  }

  protected accept(tender: TenderInput, admitted: Admitted): SubmitOutcome {
    if (this.hasTender(tender.partyID, tender.tenderID)) {
      return { ...emptyOutput(), rejection: { tenderID: tender.tenderID, code: 'duplicate-tender', reason: 'this party already has a tender with this ID' } };
    }
    let used = this.#used.get(tender.partyID);
    if (!used) this.#used.set(tender.partyID, (used = new Set()));
    used.add(tender.tenderID);
    const key = tenderKey(tender.partyID, tender.tenderID);
    for (const s of admitted.slices) {
      const bid = {
        kind: 'step' as const, partyID: tender.partyID, tenderID: tender.tenderID, side: admitted.side,
        price: s.price === undefined ? undefined : this.prices.value(s.price), quantity: this.quantities.value(s.quantity),
      };
      this.bidsOf(s.interval).set(key, this.grid ? { ...bid, curve: stepCurve(this.grid, bid) } : bid);
    }
    return emptyOutput();
  }

  /**
   * Places or replaces a party's demand curve (PowerMatcher bid: one value per price step,
   * positive consumption, negative production, never rising with price) for one interval.
   */
  submitCurve(partyID: string, tenderID: string, interval: Instant, demand: Float64Array, now: Instant): Rejection | undefined {
    const reject = (code: Rejection['code'], reason: string): Rejection => ({ tenderID, code, reason, interval });
    if (!this.grid) return reject('curve-invalid', `${this.rules.id} clears step bids; curves need a curve market`);
    if (interval % this.step !== 0) return reject('not-aligned', 'the interval must start on a market interval boundary');
    if (now >= interval - gateClosureMs(this.rules)) return reject('gate-closed', 'trading in this interval has closed');
    if (interval >= now + horizonMs(this.rules)) return reject('beyond-horizon', 'the interval is beyond the trading horizon');
    if (!this.calendar.isOpen(interval)) return reject('market-closed', `${this.rules.id} is closed for this interval`);
    try {
      checkCurve(this.grid, demand);
    } catch (error) {
      if (error instanceof CurveError) return reject('curve-invalid', error.message);
      throw error;
    }
    this.bidsOf(interval).set(tenderKey(partyID, tenderID), { kind: 'curve', partyID, tenderID, curve: demand });
    return undefined;
  }

  /**
   * Places an intertie's flow from the parent market (positive: imported) as a fixed bid of the
   * intertie's account, and the price bounds it sets: an intertie with capacity to spare makes the
   * parent's price, moved by losses and fee, the limit of this market's price (see intertie.ts).
   */
  placeIntertie(account: string, interval: Instant, flow: number, bounds: PriceBounds, now: Instant): Rejection | undefined {
    const rejection = this.submitCurve(account, 'intertie', interval, new Float64Array(this.grid?.steps ?? 0).fill(-flow), now);
    if (!rejection) this.#bounds.set(interval, bounds);
    return rejection;
  }

  /**
   * The sum of an interval's curves (a copy), or undefined when it has no bids or this is not a
   * curve market: what a nested curve market trades upward.
   */
  residual(interval: Instant): Float64Array | undefined {
    const aggregate = this.#bids.get(interval)?.aggregate;
    return aggregate ? Float64Array.from(aggregate) : undefined;
  }

  /**
   * The first `limit` intervals' bids waiting for their auction: the step bids by side and price
   * (summed), and in curve markets the aggregate demand per price step; with what the auction would
   * give now (a clearing each: ask only for the intervals shown).
   */
  book(limit = Number.POSITIVE_INFINITY): IntervalBook[] {
    return this.openIntervals().slice(0, limit).map((interval) => {
      const bids = this.#bids.get(interval)!;
      const sides = { buy: new Map<number, number>(), sell: new Map<number, number>() };
      for (const bid of bids.bids.values()) {
        if (bid.kind !== 'step' || bid.price === undefined) continue;
        const side = sides[bid.side];
        side.set(bid.price, (side.get(bid.price) ?? 0) + bid.quantity);
      }
      const sorted = (side: Map<number, number>, descending: boolean) => [...side].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
      const { price } = this.indicative(interval);
      const grid = this.grid;
      return {
        interval, tenders: bids.bids.size, bids: sorted(sides.buy, true), asks: sorted(sides.sell, false),
        ...(price !== undefined ? { indicativePrice: price } : {}),
        ...(grid && bids.aggregate ? { demand: [...bids.aggregate].map((d, i) => [Number(priceOfStep(grid, i).toFixed(9)), d] as const) } : {}),
      };
    });
  }

  /** Bids waiting for their auctions (GET /metrics): no clearing, unlike `book`. */
  tenderCount(): number {
    let count = 0;
    for (const bids of this.#bids.values()) count += bids.bids.size;
    return count;
  }

  /** Intervals that have bids waiting for their auction, in time order. */
  openIntervals(): Instant[] {
    return [...this.#bids.keys()].sort((a, b) => a - b);
  }

  hasTender(partyID: string, tenderID: string): boolean {
    return this.#used.get(partyID)?.has(tenderID) ?? false;
  }

  hasOpenTender(partyID: string, tenderID: string): boolean {
    const key = tenderKey(partyID, tenderID);
    for (const bids of this.#bids.values()) if (bids.bids.has(key)) return true;
    return false;
  }

  heldSlices(partyID: string): number {
    return this.#held.get(partyID) ?? 0;
  }

  openTenders(partyID: string): OpenTender[] {
    const byTender = new Map<string, { side: 'buy' | 'sell'; slices: Array<{ interval: Instant; price: number | undefined; quantity: number }> }>();
    for (const [interval, bids] of [...this.#bids].sort((a, b) => a[0] - b[0])) {
      for (const bid of bids.bids.values()) {
        if (bid.partyID !== partyID || bid.kind !== 'step') continue;
        let entry = byTender.get(bid.tenderID);
        if (!entry) byTender.set(bid.tenderID, (entry = { side: bid.side, slices: [] }));
        entry.slices.push({ interval, price: bid.price, quantity: bid.quantity });
      }
    }
    return [...byTender].map(([tenderID, t]) => ({ tenderID, ...t }));
  }

  cancel(partyID: string, tenderID: string): MarketOutput | Rejection {
    const key = tenderKey(partyID, tenderID);
    const out = emptyOutput();
    for (const [interval, bids] of this.#bids) {
      const bid = bids.delete(key);
      if (!bid) continue;
      if (bids.bids.size === 0) this.#bids.delete(interval);
      const quantity = bid.kind === 'step' ? bid.quantity : Math.max(Math.abs(bid.curve[0]!), Math.abs(bid.curve.at(-1)!));
      out.removals.push({ tenderID, partyID, interval, quantity, code: 'cancelled' });
    }
    return out.removals.length > 0 ? out : this.unknownTender(tenderID);
  }

  /**
   * The result the auction would give now, without trading: what PowerMatcher agents are told on
   * every bid change, and what quotes show. The binding result comes from `advance`.
   */
  indicative(interval: Instant): { price: number | undefined; type: ClearingResult['type']; quantity: number; imbalance: number } {
    const { price, type, allocations } = this.clearing(interval);
    const sums = new Totals();
    allocations((_, demand) => sums.add(demand));
    return { price, type, ...sums.result() };
  }

  advance(now: Instant): MarketOutput {
    const out = emptyOutput();
    const gate = gateClosureMs(this.rules);
    for (const interval of [...this.#bids.keys()].sort((a, b) => a - b)) {
      if (now < interval - gate) continue;
      const { price, type, allocations } = this.clearing(interval);
      this.#bids.get(interval)!.release();
      this.#bids.delete(interval);
      this.#bounds.delete(interval);
      const transactions: Transaction[] = [];
      const sums = new Totals();
      allocations((bid, demand) => {
        sums.add(demand);
        if (price === undefined) return;
        const t = demand > 0
          ? this.transaction(interval, now, bid.partyID, this.account, price, demand, bid.tenderID, undefined)
          : this.transaction(interval, now, this.account, bid.partyID, price, -demand, undefined, bid.tenderID);
        transactions.push(t);
        out.transactions.push(t);
      });
      out.clearings.push({ marketID: this.rules.id, interval, price, type, ...sums.result(), transactions });
    }
    this.calendar.forgetBefore(now);
    return out;
  }

  /**
   * The auction of an interval. Allocations follow the exact result; its price is published (and
   * traded at) rounded to the market's precision, so every reader sees one number.
   */
  private clearing(interval: Instant): Clearing {
    const bids = this.#bids.get(interval);
    if (!bids || bids.bids.size === 0) return { price: undefined, type: 'null', allocations: () => {} };
    const exact = this.grid ? clearCurves(this.grid, bids, this.#bounds.get(interval)) : this.clearSteps([...bids.bids.values()]);
    return exact.price === undefined ? exact : { ...exact, price: roundPrice(exact.price, this.precision) };
  }

  /** GridLAB-D: walk merit order, marginal unit sets the price, ties at the price share pro rata. */
  private clearSteps(bids: Bid[]): Clearing {
    const steps = bids.filter((b): b is Bid & { kind: 'step' } => b.kind === 'step');
    const side = (s: Side) => steps.flatMap((b, key) => (b.side === s ? [{ key, price: b.price, quantity: b.quantity }] : []));
    const result = clearStepAuction(side('buy'), side('sell'), this.rules.prices.floor, this.rules.prices.cap);
    const allocations: Allocations = (visit) => steps.forEach((bid, key) => {
      const q = (bid.side === 'buy' ? result.buys : result.sells).get(key) ?? 0;
      if (q > 0) visit(bid, bid.side === 'buy' ? q : -q);
    });
    return { price: result.price, type: result.type, allocations };
  }
}

/**
 * PowerMatcher: the crossing of the aggregate, held within an intertie's bounds if it set any;
 * each bid is allocated its demand at the nearest step.
 */
function clearCurves(grid: PriceGrid, bids: IntervalBids, bounds?: PriceBounds): Clearing {
  const crossing = intersection(grid, bids.aggregate!);
  const held = bounds ? Math.min(grid.maximum, Math.max(grid.minimum, bounds.low ?? -Infinity, Math.min(bounds.high ?? Infinity, crossing.price))) : crossing.price;
  const { price, type } = held === crossing.price ? crossing : { price: held, type: 'intertie' as const };
  const at = stepOf(grid, price);
  const allocations: Allocations = (visit) => {
    for (const bid of bids.bids.values()) {
      const demand = bid.curve![at]!;
      if (demand !== 0) visit(bid, demand);
    }
  };
  return { price, type, allocations };
}

/** A step bid as a PowerMatcher point bid: a vertical step at its price (price-taking: flat). */
function stepCurve(grid: PriceGrid, bid: { side: Side; price: number | undefined; quantity: number }): Float64Array {
  const q = bid.side === 'buy' ? bid.quantity : -bid.quantity;
  if (bid.price === undefined) return new Float64Array(grid.steps).fill(q);
  return curveFromPoints(grid, bid.side === 'buy'
    ? [{ price: bid.price, demand: q }, { price: bid.price, demand: 0 }]
    : [{ price: bid.price, demand: 0 }, { price: bid.price, demand: q }]);
}

/** Bought and sold by the participants; the market account takes the other side of each, so bought = sold with it. */
class Totals {
  bought = 0;
  sold = 0;

  add(demand: number): void {
    if (demand > 0) this.bought += demand;
    else this.sold -= demand;
  }

  result(): { quantity: number; imbalance: number } {
    return { quantity: Math.max(this.bought, this.sold), imbalance: this.bought - this.sold };
  }
}
