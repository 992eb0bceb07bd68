import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { curveProducts } from '../../src/client/curves.js';
import { CallMarket } from '../../src/market/call-market.js';
import { curveFromPoints, priceOfStep, type PriceGrid } from '../../src/terms/curve.js';
import { checkRules, type MarketRules } from '../../src/terms/rules.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from '../support/schemas.js';

/**
 * Curves on a price grid whose steps are not on the price tick: PowerMatcher's default market basis
 * (100 steps over 0..1, steps of 1/99) and the 10-step basis over -1..7 (steps of 8/9) of its
 * BidTest. A curve reaches the auction as the SDK's ladder of step tenders, as the adapter sends it.
 */
export const pmDefaultFile = fileURLToPath(new URL('../fixtures/rules/pm-default.xml', import.meta.url));

const now = Date.UTC(2026, 10, 23, 12, 0);
const interval = Date.UTC(2026, 10, 23, 13, 0);
let pmDefault: MarketRules;
beforeAll(async () => {
  pmDefault = await loadRuleFile(pmDefaultFile, new XmlPipeline(schemaSet()));
});

const gridOf = (rules: MarketRules): PriceGrid => ({ minimum: rules.prices.floor, maximum: rules.prices.cap, steps: (rules.clearing as { priceSteps: number }).priceSteps });

/** Places each curve as its ladder of step tenders, under the party's own name. */
function place(rules: MarketRules, curves: Record<string, Float64Array>): CallMarket {
  const market = new CallMarket(rules as MarketRules & { clearing: { kind: 'call' } });
  for (const [party, curve] of Object.entries(curves)) {
    curveProducts(rules, curve, interval).forEach((product, k) => {
      expect(market.submit({ tenderID: `${party}-${k}`, partyID: party, product }, now).rejection).toBeUndefined();
    });
  }
  return market;
}

/** What each party was allocated at the gate (positive bought). */
function allocations(market: CallMarket): Map<string, number> {
  const out = new Map<string, number>();
  const [clearing] = market.advance(interval - 60_000).clearings;
  for (const t of clearing!.transactions) {
    if (t.buyer !== market.account) out.set(t.buyer, (out.get(t.buyer) ?? 0) + t.quantity);
    if (t.seller !== market.account) out.set(t.seller, (out.get(t.seller) ?? 0) - t.quantity);
  }
  return out;
}

describe('PowerMatcher default basis (100 steps over 0..1), priced as PowerMatcher prices it', () => {
  it('BidBalanceTest.testTwoFlexible: the crossing between steps 49 and 50, and the first bid gets its 1999', () => {
    const grid = gridOf(pmDefault);
    const bid1 = curveFromPoints(grid, [{ price: 0.5, demand: 1999 }, { price: 0.5, demand: 0 }]);
    const bid2 = curveFromPoints(grid, [{ price: 0.5, demand: 0 }, { price: 0.5, demand: -2000 }]);
    // Both drop between step 49 (0.4949) and step 50 (0.5051): the ladder must keep them there, not at 0.51.
    const products = curveProducts(pmDefault, bid1, interval);
    expect(products.map((p) => [p.side, (p.payload!.value as { price?: { value: number } }).price?.value, (p.payload!.value as { quantity: number }).quantity]))
      .toEqual([['buy', 0.5, 1999]]);
    const market = place(pmDefault, { bid1, bid2 });
    // PowerMatcher: 49/99 + (1/99) * 1999/3999 = 0.4999987..., published at the curve market's 6 decimals.
    const exact = priceOfStep(grid, 49) + (priceOfStep(grid, 50) - priceOfStep(grid, 49)) * (1999 / 3999);
    expect(exact).toBeCloseTo(0.4999987, 7);
    expect(market.indicative(interval)).toMatchObject({ price: 0.499999, type: 'interpolated' });
    const got = allocations(market);
    expect(got.get('bid1')).toBe(1999);
    expect(got.get('bid2') ?? 0).toBe(0);
  });

  it('BidBalanceTest.testOneFlexible: a flat -1500 and a step of 1700 at 0.434 both get their demand', () => {
    const grid = gridOf(pmDefault);
    const bid1 = new Float64Array(grid.steps).fill(-1500);
    const bid2 = curveFromPoints(grid, [{ price: 0.434, demand: 1700 }, { price: 0.434, demand: 0 }]);
    const got = allocations(place(pmDefault, { bid1, bid2 }));
    expect(got.get('bid1')).toBe(-1500);
    expect(got.get('bid2')).toBe(1700);
  });
});

describe('a basis with steps of 8/9 (BidTest: 10 steps over -1..7) on a cent tick', () => {
  it('clears [75,50,50,50,50,50,50,0,0,0] at 55/9 through the ladder', () => {
    const rules = { ...pmDefault, clearing: { ...pmDefault.clearing, priceSteps: 10 }, prices: { floor: -1, cap: 7, tick: 0.01 } } as MarketRules;
    expect(checkRules(rules).filter((p) => p.element === 'priceSteps')).toEqual([]);
    const market = place(rules, { a: Float64Array.from([75, 50, 50, 50, 50, 50, 50, 0, 0, 0]) });
    expect(market.indicative(interval)).toMatchObject({ price: Number((55 / 9).toFixed(6)), type: 'flat-midpoint' });
  });
});

describe('any basis whose steps are no closer than the tick', () => {
  it('carries every curve into the auction unchanged: the ladder sums back to it, step by step', () => {
    const basis = fc.record({
      steps: fc.integer({ min: 2, max: 150 }),
      floorTicks: fc.integer({ min: -500, max: 500 }),
      // The span in ticks, at least one tick per step gap (checkRules refuses closer steps).
      extra: fc.integer({ min: 0, max: 2000 }),
      tick: fc.constantFrom(0.01, 0.001, 0.25, 1),
    });
    fc.assert(fc.property(basis, fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 150, maxLength: 150 }), fc.integer({ min: -3000, max: 3000 }),
      ({ steps, floorTicks, extra, tick }, drops, start) => {
        const floor = Number((floorTicks * tick).toFixed(6));
        const cap = Number(((floorTicks + steps - 1 + extra) * tick).toFixed(6));
        const rules = { ...pmDefault, clearing: { ...pmDefault.clearing, priceSteps: steps }, prices: { floor, cap, tick } } as MarketRules;
        expect(checkRules(rules).filter((p) => p.element === 'priceSteps')).toEqual([]);
        // A non-increasing curve in whole watts, crossing zero somewhere or not.
        const curve = new Float64Array(steps);
        let value = start;
        for (let i = 0; i < steps; i++) curve[i] = (value -= i === 0 ? 0 : drops[i]!);
        const market = place(rules, { a: curve });
        expect([...market.residual(interval) ?? new Float64Array(steps)]).toEqual([...curve].map((v) => v + 0));
      }), { numRuns: 300 });
  });

  it('refuses rules whose steps are closer than the tick', () => {
    const rules = { ...pmDefault, clearing: { ...pmDefault.clearing, priceSteps: 1000 } } as MarketRules;
    expect(checkRules(rules)).toContainEqual({ element: 'priceSteps', reason: expect.stringContaining('must not be closer than the price tick (0.01)') });
  });
});
