import { describe, expect, it } from 'vitest';
import { curveFromPoints, intersection, stepOf, type PriceGrid } from '../../src/terms/curve.js';
import { clearStepAuction } from '../../src/market/step-auction.js';

// shared/reference/powermatcher.md section 7: PowerMatcher BidTest.testCalculateIntersection.
const five: PriceGrid = { minimum: -1, maximum: 7, steps: 5 };
const ten: PriceGrid = { minimum: -1, maximum: 7, steps: 10 };

describe('PowerMatcher intersection (reference vectors)', () => {
  it.each([
    [five, [100, 100, 100, 100, 100], 0, 7.0, 'cap'],
    [five, [150, 100, 100, 100, 100], 100, 4.0, 'flat-midpoint'],
    [five, [100, 100, 100, 100, 100], 100, 3.0, 'flat-midpoint'],
    [five, [100, 75, 50, 50, 0], 0, 7.0, 'flat-midpoint'],
    [five, [100, 75, 50, 0, 0], 0, 6.0, 'flat-midpoint'],
    [five, [100, 50, 50, 0, 0], 0, 6.0, 'flat-midpoint'],
    [five, [100, 0, 0, 0, 0], 0, 4.0, 'flat-midpoint'],
    [five, [0, 0, 0, 0, 0], 0, 3.0, 'flat-midpoint'],
    [ten, [75, 50, 50, 50, 50, 50, 50, 0, 0, 0], 0, 55 / 9, 'flat-midpoint'],
  ] as const)('%#: demand %j, target %d → %d', (grid, demand, target, price, type) => {
    const result = intersection(grid, Float64Array.from(demand), target);
    expect(result.price).toBeCloseTo(price, 12);
    expect(result.type).toBe(type);
  });

  it('interpolates a vertical step that crosses zero between steps', () => {
    // Aggregate 30 at price 1 and -10 at price 3: zero is a quarter of the way back from 3.
    expect(intersection(five, Float64Array.from([50, 30, -10, -20, -40])).price).toBeCloseTo(2.5, 12);
  });

  it('clears at the floor when there is a surplus at every price', () => {
    expect(intersection(five, Float64Array.from([-1, -2, -3, -4, -5]))).toEqual({ price: -1, type: 'floor' });
  });

  it('converts point bids by interpolation, with vertical steps taking their lower side', () => {
    const grid: PriceGrid = { minimum: 0, maximum: 1, steps: 5 }; // 0, .25, .5, .75, 1
    expect([...curveFromPoints(grid, [{ price: 0.25, demand: 100 }, { price: 0.75, demand: -100 }])]).toEqual([100, 100, 0, -100, -100]);
    expect([...curveFromPoints(grid, [{ price: 0.5, demand: 10 }, { price: 0.5, demand: 0 }])]).toEqual([10, 10, 0, 0, 0]);
    expect(() => curveFromPoints(grid, [{ price: 0.25, demand: 0 }, { price: 0.75, demand: 10 }])).toThrow(/rises/);
  });

  it('snaps a price to the nearest step, halves up', () => {
    expect(stepOf(five, 2)).toBe(2); // step 1.5 → 2
    expect(stepOf(five, 1.99)).toBe(1);
    expect(stepOf(five, 100)).toBe(4);
  });
});

// shared/reference/powermatcher.md section 7: GridLAB-D test_market_auction_clearing_3.glm, first three cases.
const bids = (pairs: ReadonlyArray<readonly [number, number]>, offset = 0) => pairs.map(([price, quantity], i) => ({ key: offset + i, price, quantity }));

describe('GridLAB-D double auction (reference vectors)', () => {
  it('case 1: buyers (40,6) (40,8), sellers (30,7) (30,9) → 30, 14, marginal seller', () => {
    const r = clearStepAuction(bids([[40, 6], [40, 8]]), bids([[30, 7], [30, 9]], 10), 0, 100);
    expect(r.price).toBeCloseTo(30, 4);
    expect(r.quantity).toBeCloseTo(14, 4);
    expect(r.type).toBe('marginal-seller');
    // The sellers tied at 30 share 14 of their 16 pro rata; both buyers are served in full.
    expect([...r.buys]).toEqual([[0, 6], [1, 8]]);
    expect(r.sells.get(10)).toBeCloseTo(7 * 14 / 16, 12);
    expect(r.sells.get(11)).toBeCloseTo(9 * 14 / 16, 12);
  });

  it('case 2: buyers (50,5) (40,5), sellers (30,6) (30,6) → 30, 10', () => {
    const r = clearStepAuction(bids([[50, 5], [40, 5]]), bids([[30, 6], [30, 6]], 10), 0, 100);
    expect(r.price).toBeCloseTo(30, 4);
    expect(r.quantity).toBeCloseTo(10, 4);
    expect(r.type).toBe('marginal-seller');
  });

  it('case 3: buyers (40,4) (40,3), sellers (30,2) (30,4) → 40, 6, marginal buyer', () => {
    const r = clearStepAuction(bids([[40, 4], [40, 3]]), bids([[30, 2], [30, 4]], 10), 0, 100);
    expect(r.price).toBeCloseTo(40, 4);
    expect(r.quantity).toBeCloseTo(6, 4);
    expect(r.type).toBe('marginal-buyer');
    expect(r.buys.get(0)).toBeCloseTo(4 * 6 / 7, 12);
    expect([...r.sells]).toEqual([[10, 2], [11, 4]]);
  });

  it('names exact, marginal-price and null clearings', () => {
    expect(clearStepAuction(bids([[40, 5]]), bids([[40, 5]], 10), 0, 100)).toMatchObject({ type: 'exact', price: 40, quantity: 5 });
    // Equal quantities, both sides used up, prices apart: the midpoint of the gap.
    expect(clearStepAuction(bids([[40, 5]]), bids([[30, 5]], 10), 0, 100)).toMatchObject({ type: 'marginal-price', price: 35, quantity: 5 });
    // No crossing: nothing clears; the price is halfway between the best ask and the best bid.
    expect(clearStepAuction(bids([[20, 5]]), bids([[30, 5]], 10), 0, 100)).toMatchObject({ type: 'null', price: 25, quantity: 0 });
    expect(clearStepAuction([], [], 0, 100)).toMatchObject({ type: 'null', price: undefined });
  });

  it('fails at the cap when must-run demand cannot be met', () => {
    const r = clearStepAuction([{ key: 0, price: undefined, quantity: 10 }], bids([[30, 4]], 10), 0, 100);
    expect(r).toMatchObject({ type: 'failure', price: 100, quantity: 4 });
  });

  // auction.cpp counts a buy at exactly pricecap as unresponsive_buy, a sell at exactly -pricecap as
  // unresponsive_sell, and picks the PRICE case by a == pricecap / b == -pricecap: by price, no flag.
  it('reads a bid at the cap or floor as unresponsive, exactly as a bid without a price', () => {
    const mustRun = (price: number | undefined, quantity: number, key = 0) => [{ key, price, quantity }];
    // Must-run demand of 10 against 4 for sale fails at the cap, whether the 10 carry no price or the cap.
    expect(clearStepAuction(mustRun(100, 10), bids([[30, 4]], 10), 0, 100)).toMatchObject({ type: 'failure', price: 100, quantity: 4 });
    // Must-run supply of 10 against 4 wanted fails at the floor, likewise.
    for (const price of [undefined, 0]) {
      expect(clearStepAuction(bids([[30, 4]]), mustRun(price, 10, 10), 0, 100)).toMatchObject({ type: 'failure', price: 0, quantity: 4 });
    }
    // A sell at the floor takes any price: with floor 0 it is must-run, and the buyer's 40 is the price;
    // with floor -100 the same sell at 0 is responsive and the gap's midpoint, 20, is.
    for (const price of [undefined, 0]) expect(clearStepAuction(bids([[40, 5]]), mustRun(price, 5, 10), 0, 100)).toMatchObject({ price: 40, quantity: 5 });
    expect(clearStepAuction(bids([[40, 5]]), bids([[0, 5]], 10), -100, 100)).toMatchObject({ type: 'marginal-price', price: 20, quantity: 5 });
  });
});
