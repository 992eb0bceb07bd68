/**
 * The economics of an intertie between a child market and its parent, as pure functions: what the
 * child bids upward (a PowerMatcher concentrator's transformBid, with capacity, losses and fee as
 * in PeakShaving), and what a parent clearing means for the child (transformPrice). Quantities are
 * per interval, positive when the child imports. See docs/interties.md.
 */
import { insideWindow } from '../calendar/availability-check.js';
import { increment, priceOfStep, type PriceGrid } from '../terms/curve.js';
import type { Derate, IntertieTerms } from '../terms/rules.js';

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
