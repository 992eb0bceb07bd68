/**
 * The economics of an intertie between a child market and its parent, as pure functions: what the
 * child bids upward (a PowerMatcher concentrator's transformBid, with capacity, losses and fee as
 * in PeakShaving), and what a parent clearing means for the child (transformPrice). Quantities are
 * per interval, positive when the child imports. See docs/interties.md.
 */
import { insideWindow } from '../calendar/availability-check.js';
import { increment, priceOfStep, type PriceGrid } from './curve.js';
import type { Derate } from './rules.js';
import type { Ticks } from './ticks.js';

export interface IntertieTerms {
  /** Most the child may receive per interval, in its units. */
  readonly importCapacity: number;
  /** Most the child may send per interval, in its units. */
  readonly exportCapacity: number;
  /** Share of what is sent that is lost on the way (0 ≤ λ < 1). */
  readonly lossFactor: number;
  /** Transport fee per unit, in the child's currency, charged on what crosses. */
  readonly fee: number;
}

/** The limits of an intertie in the interval [start, end): its own, or those of the first derate that covers it. */
export function termsAt(intertie: IntertieTerms & { readonly derates: readonly Derate[] }, start: number, end: number): IntertieTerms {
  const derate = intertie.derates.find((d) => insideWindow(d.when, start, end));
  return {
    importCapacity: derate?.importCapacity ?? intertie.importCapacity,
    exportCapacity: derate?.exportCapacity ?? intertie.exportCapacity,
    lossFactor: derate?.lossFactor ?? intertie.lossFactor,
    fee: derate?.fee ?? intertie.fee,
  };
}

/**
 * The child prices at which trading with the parent at parent price P breaks even: a unit bought
 * in the parent costs P and arrives as 1 − λ, plus the fee; a unit sent earns (1 − λ)·P, less the
 * fee. Between the two the child neither imports nor exports: its price is bounded by them.
 */
export function parity(terms: IntertieTerms, parentPrice: number): { import: number; export: number } {
  const kept = 1 - terms.lossFactor;
  return { import: parentPrice / kept + terms.fee, export: parentPrice * kept - terms.fee };
}

/** A curve's demand at any price: linear between steps (as the crossing interpolates), flat beyond its ends. */
export function demandAt(grid: PriceGrid, demand: Float64Array, price: number): number {
  const x = (price - grid.minimum) / increment(grid);
  if (x <= 0) return demand[0]!;
  if (x >= grid.steps - 1) return demand[grid.steps - 1]!;
  const i = Math.floor(x);
  const f = x - i;
  return f === 0 ? demand[i]! : demand[i]! + (demand[i + 1]! - demand[i]!) * f;
}

/**
 * The child's bid in the parent, on the parent's grid, in parent-side quantities: at each parent
 * price, the import the child's aggregate wants at import parity (grossed up by the losses the
 * parent must also supply), else the export it offers at export parity (less losses), each within
 * capacity. Non-increasing whenever the aggregate is.
 */
export function upwardCurve(childGrid: PriceGrid, aggregate: Float64Array, parentGrid: PriceGrid, terms: IntertieTerms): Float64Array {
  const kept = 1 - terms.lossFactor;
  const out = new Float64Array(parentGrid.steps);
  for (let i = 0; i < parentGrid.steps; i++) {
    const at = parity(terms, priceOfStep(parentGrid, i));
    const wanted = demandAt(childGrid, aggregate, at.import);
    if (wanted > 0) {
      out[i] = Math.min(wanted, terms.importCapacity) / kept;
      continue;
    }
    const offered = -demandAt(childGrid, aggregate, at.export);
    out[i] = offered > 0 ? -Math.min(offered, terms.exportCapacity) * kept : 0;
  }
  return out;
}

/** What crosses into the child (negative: out of it) for the child's net purchase in the parent. */
export function childFlow(terms: IntertieTerms, parentNet: number): number {
  const kept = 1 - terms.lossFactor;
  // Imports arrive diminished; exports must leave grossed up so that what the parent receives is what it bought.
  const flow = parentNet >= 0 ? parentNet * kept : parentNet / kept;
  // Float rounding must never push a flow at capacity past it.
  return Math.max(-terms.exportCapacity, Math.min(terms.importCapacity, flow));
}

/** Limits on a child's price; null where the intertie is congested in that direction and sets none. */
export interface PriceBounds {
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * The bounds a parent clearing sets on the child's price: with capacity to spare, the child never
 * pays more than import parity (it would buy more from the parent) nor gets less than export
 * parity (it would sell more to it). An intertie at capacity in a direction bounds nothing there:
 * the child clears on its own curve and the prices separate. `tolerance`: how close to capacity
 * counts as at it (the parent's quantity tick, since bids are truncated to it).
 */
export function priceBounds(terms: IntertieTerms, parentPrice: number, flow: number, tolerance: number): PriceBounds {
  const at = parity(terms, parentPrice);
  return {
    low: flow <= -(terms.exportCapacity - tolerance) ? null : at.export,
    high: flow >= terms.importCapacity - tolerance ? null : at.import,
  };
}

/** A step tender of a ladder; no price: a price-taker (a flat curve). */
export interface LadderStep {
  readonly side: 'buy' | 'sell';
  readonly price: number | undefined;
  readonly quantity: number;
}

/**
 * A curve as step tenders on the parent's ticks, for a parent reached by EI tenders: a buy for each
 * drop in demand between steps i and i+1, a sell likewise for each growth in supply, and
 * price-taking remainders at the ends. A step tender at any price in (price(i), price(i+1)] becomes
 * the same vertical step between steps i and i+1 in a curve market (PowerMatcher's point bids), so
 * each is written at the highest tick price not above price(i+1), which lies in that gap whenever
 * the steps are no closer than the tick (checkRules): a grid off the tick (steps of 1/99) reaches
 * the auction on its own steps, unrounded, and the ladder sums back to the curve. Values are first
 * truncated towards zero to whole ticks (so no capacity is exceeded); a step below `minimum` is
 * carried to the next price (and dropped if none is left); one above `maximum` is split.
 */
export function ladder(grid: PriceGrid, curve: Float64Array, prices: Ticks, quantities: Ticks,
  limits: { minimum?: number; maximum?: number } = {}): LadderStep[] {
  const n = grid.steps;
  const ticks = Array.from(curve, (v) => Math.trunc(v / quantities.tick + Math.sign(v) * 1e-9));
  const buy = ticks.map((t) => Math.max(t, 0));
  const sell = ticks.map((t) => Math.max(-t, 0));
  const priceAt = (i: number) => {
    const ticks = priceOfStep(grid, i) / prices.tick;
    return prices.value(Math.floor(ticks + 1e-9 * Math.max(1, Math.abs(ticks))));
  };
  const minimum = quantities.of(limits.minimum ?? quantities.tick) ?? 1;
  const maximum = limits.maximum === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(limits.maximum / quantities.tick + 1e-9));
  const out: LadderStep[] = [];
  const emit = (side: LadderStep['side'], price: number | undefined, count: number) => {
    for (let left = count; left > 0; left -= maximum) out.push({ side, price, quantity: quantities.value(Math.min(left, maximum)) });
  };
  let carry = 0;
  for (let i = 0; i < n - 1; i++) {
    carry += buy[i]! - buy[i + 1]!;
    if (carry >= minimum) {
      emit('buy', priceAt(i + 1), carry);
      carry = 0;
    }
  }
  // A carry left at the top is below the minimum and is dropped: the ladder never bids more than the curve.
  if (buy[n - 1]! > 0) emit('buy', undefined, buy[n - 1]!);
  carry = sell[0]!;
  if (carry > 0) emit('sell', undefined, carry);
  carry = 0;
  for (let i = 0; i < n - 1; i++) {
    carry += sell[i + 1]! - sell[i]!;
    if (carry >= minimum) {
      emit('sell', priceAt(i + 1), carry);
      carry = 0;
    }
  }
  return out;
}
