/**
 * PowerMatcher demand curves: one demand value per price step over a market basis, positive for
 * consumption and negative for production, never rising as the price rises. Semantics follow
 * PowerMatcher 2.x's Bid and auctioneer (see docs/clearing.md).
 */
export interface PriceGrid {
  readonly minimum: number;
  readonly maximum: number;
  /** Number of steps N; step i has price minimum + i * (maximum - minimum) / (N - 1). */
  readonly steps: number;
}

/** Demand values closer than this are equal (PowerMatcher's tolerance). */
export const DEMAND_EPSILON = 1e-6;
/** A rise smaller than this is float noise and is flattened (PowerMatcher issue #201). */
const NOISE = 1e-10;

export const increment = (g: PriceGrid) => (g.maximum - g.minimum) / (g.steps - 1);
export const priceOfStep = (g: PriceGrid, i: number) => g.minimum + i * increment(g);

/** Nearest step of a price, halves rounded up (Java Math.round), clamped to the grid. */
export function stepOf(g: PriceGrid, price: number): number {
  const i = Math.floor((price - g.minimum) / increment(g) + 0.5);
  return Math.min(g.steps - 1, Math.max(0, i));
}

export class CurveError extends Error {}

/** Checks length and monotonicity (within float noise, which it flattens in place). */
export function checkCurve(g: PriceGrid, demand: Float64Array): void {
  if (demand.length !== g.steps) throw new CurveError(`a curve has ${g.steps} values, not ${demand.length}`);
  for (let i = 0; i < demand.length; i++) {
    if (!Number.isFinite(demand[i]!)) throw new CurveError(`demand at step ${i} is not a finite number`);
    if (i > 0 && demand[i]! > demand[i - 1]!) {
      if (demand[i]! - demand[i - 1]! >= NOISE) throw new CurveError(`demand rises from step ${i - 1} to ${i}; it must not increase with price`);
      demand[i] = demand[i - 1]!;
    }
  }
}

export interface PricePoint {
  readonly price: number;
  readonly demand: number;
}

/**
 * Converts corner points to a curve: points sorted by price, then by demand descending (so points
 * at one price form a vertical step); below the first point its demand, at or beyond the last its
 * demand, at a point's exact price the last point there, in between linear interpolation.
 */
export function curveFromPoints(g: PriceGrid, points: readonly PricePoint[]): Float64Array {
  if (points.length === 0) throw new CurveError('a point curve needs at least one point');
  const sorted = [...points].sort((a, b) => a.price - b.price || b.demand - a.demand);
  const out = new Float64Array(g.steps);
  let j = 0;
  for (let i = 0; i < g.steps; i++) {
    const p = priceOfStep(g, i);
    while (j < sorted.length && sorted[j]!.price < p && !samePrice(sorted[j]!.price, p)) j++;
    // j: first point at or above p
    let value: number;
    if (j < sorted.length && samePrice(sorted[j]!.price, p)) {
      let last = j;
      while (last + 1 < sorted.length && samePrice(sorted[last + 1]!.price, p)) last++;
      value = sorted[last]!.demand;
    } else if (j === 0) value = sorted[0]!.demand;
    else if (j === sorted.length) value = sorted[sorted.length - 1]!.demand;
    else {
      const a = sorted[j - 1]!;
      const b = sorted[j]!;
      value = a.demand + ((b.demand - a.demand) * (p - a.price)) / (b.price - a.price);
    }
    out[i] = value;
  }
  checkCurve(g, out);
  return out;
}

/** A price written on a tick (0.07) and the step price computed in floats (0.07000000000000001) are the same price. */
const samePrice = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

export type CurveClearing = 'interpolated' | 'flat-midpoint' | 'floor' | 'cap';

/**
 * The price where aggregate demand crosses `target` (0 for a market): a continuous price,
 * interpolated between the bracketing steps; the midpoint of a flat stretch at the target; the
 * floor when there is a surplus at every price, the cap when there is a shortage at every price.
 */
export function intersection(g: PriceGrid, d: Float64Array, target = 0): { price: number; type: CurveClearing } {
  const eq = (a: number, b: number) => Math.abs(a - b) < DEMAND_EPSILON;
  const n = d.length;
  if (target > d[0]! && !eq(target, d[0]!)) return { price: g.minimum, type: 'floor' };
  if (target < d[n - 1]! && !eq(target, d[n - 1]!)) return { price: g.maximum, type: 'cap' };
  let left: number;
  let right: number;
  if (eq(target, d[0]!)) left = right = 0;
  else if (eq(target, d[n - 1]!)) left = right = n - 1;
  else {
    left = 0;
    right = n - 1;
    while (right - left > 1) {
      const mid = (left + right) >>> 1;
      if (eq(d[mid]!, target)) {
        left = right = mid;
        break;
      }
      if (d[mid]! > target) left = mid;
      else right = mid;
    }
  }
  while (left > 0 && eq(d[left - 1]!, target)) left--;
  while (right < n - 1 && eq(d[right + 1]!, target)) right++;
  const lp = priceOfStep(g, left);
  const rp = priceOfStep(g, right);
  if (eq(d[left]!, d[right]!)) return { price: lp + (rp - lp) * 0.5, type: 'flat-midpoint' };
  return { price: lp + (rp - lp) * ((d[left]! - target) / (d[left]! - d[right]!)), type: 'interpolated' };
}
