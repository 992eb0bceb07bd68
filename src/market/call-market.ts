import type { Instant } from '../calendar/instant.js';
import type { Admitted, TenderInput } from './admission.js';
import { checkCurve, curveFromPoints, CurveError, intersection, stepOf, type PriceGrid } from './curve.js';
import { emptyOutput, MarketBase, tenderKey, type MarketOutput, type SubmitOutcome } from './market-base.js';
import { gateClosureMs, horizonMs, type MarketRules } from './rules.js';
import { clearStepAuction } from './step-auction.js';
import type { ClearingResult, Rejection, Side } from './types.js';

/** A bid waiting for its auction: a step (price, quantity) or a PowerMatcher demand curve. */
type Bid =
  | { readonly kind: 'step'; readonly partyID: string; readonly tenderID: string; readonly side: Side; readonly price: number | undefined; readonly quantity: number }
  | { readonly kind: 'curve'; readonly partyID: string; readonly tenderID: string; readonly demand: Float64Array };

/** An allocation: positive buys from the market account, negative sells to it. */
interface Allocation {
  readonly bid: Bid;
  readonly demand: number;
}

/**
 * A call auction per interval, cleared at gate closure at one uniform price. `curve` markets use
 * PowerMatcher semantics (step bids become curves); `step` markets use GridLAB-D's double auction.
 * Every participant trades with the market account, the central counterparty.
 */
export class CallMarket extends MarketBase {
  /** Bids per interval, in submission order, keyed by party and tender. */
  readonly #bids = new Map<Instant, Map<string, Bid>>();
  readonly grid: PriceGrid | undefined;

  constructor(rules: MarketRules & { clearing: { kind: 'call' } }) {
    super(rules);
    this.grid = rules.clearing.bids === 'curve'
      ? { minimum: rules.prices.floor, maximum: rules.prices.cap, steps: rules.clearing.priceSteps! }
      : undefined;
  }

  private bidsOf(interval: Instant): Map<string, Bid> {
    let bids = this.#bids.get(interval);
    if (!bids) this.#bids.set(interval, (bids = new Map()));
    return bids;
  }

  protected accept(tender: TenderInput, admitted: Admitted): SubmitOutcome {
    const key = tenderKey(tender.partyID, tender.tenderID);
    if (admitted.slices.some((s) => this.#bids.get(s.interval)?.has(key))) {
      return { ...emptyOutput(), rejection: { tenderID: tender.tenderID, code: 'duplicate-tender', reason: 'this party already has a tender with this ID' } };
    }
    for (const s of admitted.slices) {
      this.bidsOf(s.interval).set(key, {
        kind: 'step', partyID: tender.partyID, tenderID: tender.tenderID, side: admitted.side,
        price: s.price === undefined ? undefined : this.prices.value(s.price), quantity: this.quantities.value(s.quantity),
      });
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
    this.bidsOf(interval).set(tenderKey(partyID, tenderID), { kind: 'curve', partyID, tenderID, demand });
    return undefined;
  }

  cancel(partyID: string, tenderID: string): MarketOutput | Rejection {
    const key = tenderKey(partyID, tenderID);
    const out = emptyOutput();
    for (const [interval, bids] of this.#bids) {
      const bid = bids.get(key);
      if (!bid) continue;
      bids.delete(key);
      if (bids.size === 0) this.#bids.delete(interval);
      const quantity = bid.kind === 'step' ? bid.quantity : Math.max(Math.abs(bid.demand[0]!), Math.abs(bid.demand.at(-1)!));
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
    return { price, type, ...totals(allocations) };
  }

  advance(now: Instant): MarketOutput {
    const out = emptyOutput();
    const gate = gateClosureMs(this.rules);
    for (const interval of [...this.#bids.keys()].sort((a, b) => a - b)) {
      if (now < interval - gate) continue;
      const { price, type, allocations } = this.clearing(interval);
      this.#bids.delete(interval);
      const transactions = price === undefined ? [] : allocations.filter((a) => a.demand !== 0).map((a) => this.transaction({
        interval, at: now, price,
        quantity: Math.abs(a.demand),
        ...(a.demand > 0
          ? { buyer: a.bid.partyID, seller: this.account, buyTenderID: a.bid.tenderID }
          : { buyer: this.account, seller: a.bid.partyID, sellTenderID: a.bid.tenderID }),
      }));
      out.transactions.push(...transactions);
      out.clearings.push({ marketID: this.rules.id, interval, price, type, ...totals(allocations), transactions });
    }
    this.calendar.forgetBefore(now);
    return out;
  }

  private clearing(interval: Instant): { price: number | undefined; type: ClearingResult['type']; allocations: Allocation[] } {
    const bids = [...(this.#bids.get(interval)?.values() ?? [])];
    return this.grid ? this.clearCurves(this.grid, bids) : this.clearSteps(bids);
  }

  /** PowerMatcher: sum the curves, find the crossing, allocate each bid its demand at the nearest step. */
  private clearCurves(grid: PriceGrid, bids: Bid[]): { price: number | undefined; type: ClearingResult['type']; allocations: Allocation[] } {
    if (bids.length === 0) return { price: undefined, type: 'null', allocations: [] };
    const curves = bids.map((bid) => (bid.kind === 'curve' ? bid.demand : this.stepCurve(grid, bid)));
    const aggregate = new Float64Array(grid.steps);
    for (const curve of curves) for (let i = 0; i < aggregate.length; i++) aggregate[i]! += curve[i]!;
    const { price, type } = intersection(grid, aggregate);
    const at = stepOf(grid, price);
    return { price, type, allocations: bids.map((bid, k) => ({ bid, demand: curves[k]![at]! })) };
  }

  /** A step bid as PowerMatcher point bid: a vertical step at its price (price-taking: flat). */
  private stepCurve(grid: PriceGrid, bid: Bid & { kind: 'step' }): Float64Array {
    const q = bid.side === 'buy' ? bid.quantity : -bid.quantity;
    if (bid.price === undefined) return new Float64Array(grid.steps).fill(q);
    return curveFromPoints(grid, bid.side === 'buy'
      ? [{ price: bid.price, demand: q }, { price: bid.price, demand: 0 }]
      : [{ price: bid.price, demand: 0 }, { price: bid.price, demand: q }]);
  }

  /** GridLAB-D: walk merit order, marginal unit sets the price, ties at the price share pro rata. */
  private clearSteps(bids: Bid[]): { price: number | undefined; type: ClearingResult['type']; allocations: Allocation[] } {
    const steps = bids.filter((b): b is Bid & { kind: 'step' } => b.kind === 'step');
    const side = (s: Side) => steps.flatMap((b, key) => (b.side === s ? [{ key, price: b.price, quantity: b.quantity }] : []));
    const result = clearStepAuction(side('buy'), side('sell'), this.rules.prices.floor, this.rules.prices.cap);
    const allocations = steps.flatMap((bid, key) => {
      const q = (bid.side === 'buy' ? result.buys : result.sells).get(key) ?? 0;
      return q > 0 ? [{ bid, demand: bid.side === 'buy' ? q : -q }] : [];
    });
    return { price: result.price, type: result.type, allocations };
  }
}

function totals(allocations: readonly Allocation[]): { quantity: number; imbalance: number } {
  let bought = 0;
  let sold = 0;
  for (const a of allocations) {
    if (a.demand > 0) bought += a.demand;
    else sold -= a.demand;
  }
  // The market account takes the other side of every allocation, so bought = sold holds with it.
  return { quantity: Math.max(bought, sold), imbalance: bought - sold };
}
