/**
 * A PowerMatcher curve as step tenders: how a child market's intertie bids in a parent reached by EI
 * tenders (src/intertie), and how an app bids a device's curve (the SDK's curveProducts).
 */
import { priceOfStep, type PriceGrid } from './curve.js';
import type { MarketRules } from './rules.js';
import type { Ticks } from './ticks.js';

/** The PowerMatcher market basis of a curve call market, or undefined for any other market. */
export function gridOf(rules: MarketRules): PriceGrid | undefined {
  const c = rules.clearing;
  return c.kind === 'call' && c.bids === 'curve' && c.priceSteps !== undefined
    ? { minimum: rules.prices.floor, maximum: rules.prices.cap, steps: c.priceSteps } : undefined;
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
