/**
 * PowerMatcher demand curves as EI tenders. A curve market takes a curve as a ladder of step
 * tenders: one per change of demand between two price steps, at the higher step's price, with
 * price-taking remainders. Each becomes a vertical step in the market, so they sum back to the
 * curve, truncated to the market's quantity tick (see docs/interties.md).
 */
import type { Product } from '../emix/product.js';
import { gridOf, ladder } from '../terms/ladder.js';
import type { MarketRules } from '../terms/rules.js';
import { Ticks } from '../terms/ticks.js';

/**
 * The products of the step tenders that bid `curve` (one demand value per price step of the
 * market, positive consuming, never rising with price) in one interval of a curve market; the
 * rules are those `MicromarketClient.marketRules()` serves (`rulesOf`).
 */
export function curveProducts(rules: MarketRules, curve: Float64Array, interval: number): Product[] {
  const grid = gridOf(rules);
  if (!grid) throw new Error(`${rules.marketContext} is not a curve market`);
  return ladder(grid, curve, new Ticks(rules.prices.tick), new Ticks(rules.quantities.tick), rules.quantities).map((step) => ({
    dtstart: interval, duration: rules.granularity,
    payload: { kind: 'temixPower', value: { ...(step.price !== undefined ? { price: { kind: 'price', value: step.price } } : {}), quantity: step.quantity } },
    uid: `${interval}`, transactiveState: 'tender', currency: rules.currency, marketContext: rules.marketContext, side: step.side,
  }));
}
