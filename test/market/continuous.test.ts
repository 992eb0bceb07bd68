import { beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/calendar/duration.js';
import { ContinuousMarket } from '../../src/market/continuous-market.js';
import { createMarket } from '../../src/market/market.js';
import type { MarketRules } from '../../src/terms/rules.js';
import { exampleRules, tender } from '../support/markets.js';

const now = Date.UTC(2026, 10, 23, 12, 0);
const t = Date.UTC(2026, 10, 23, 13, 0); // an open 5-minute interval an hour ahead
let rules: MarketRules;
let market: ContinuousMarket;
beforeAll(async () => {
  rules = await exampleRules('feeder-7');
});
const fresh = (overrides: Partial<MarketRules> = {}) => (market = createMarket({ ...rules, ...overrides }) as ContinuousMarket);
const trades = (out: { transactions: ReadonlyArray<{ buyer: string; seller: string; price: number; quantity: number }> }) =>
  out.transactions.map((x) => [x.buyer, x.seller, x.price, x.quantity]);

describe('continuous double auction', () => {
  it('fills by price, then time, at the resting price, and rests the remainder', () => {
    fresh();
    expect(market.submit(tender('a', 'A', 'sell', 0.1, 5, t), now).transactions).toEqual([]);
    market.submit(tender('b', 'B', 'sell', 0.09, 5, t), now);
    market.submit(tender('c', 'C', 'sell', 0.09, 5, t), now + 1);
    const out = market.submit(tender('d', 'D', 'buy', 0.11, 12, t), now + 2);
    expect(trades(out)).toEqual([['D', 'B', 0.09, 5], ['D', 'C', 0.09, 5], ['D', 'A', 0.1, 2]]);
    // Depth is in ticks: 0.100 EUR/kWh is 100 price ticks, 3 kW is 3000 quantity ticks.
    expect(market.books.get(t)!.depth(false)).toEqual([[100, 3000]]);
    expect(market.books.get(t)!.depth(true)).toEqual([]);
    expect(out.transactions.map((x) => x.transactionID)).toEqual(['feeder-7-1', 'feeder-7-2', 'feeder-7-3']);
  });

  it('rests a partly filled order at its own price', () => {
    fresh();
    market.submit(tender('s', 'S', 'sell', 0.08, 4, t), now);
    expect(trades(market.submit(tender('b', 'B', 'buy', 0.08, 10, t), now))).toEqual([['B', 'S', 0.08, 4]]);
    expect(market.books.get(t)!.depth(true)).toEqual([[80, 6000]]);
  });

  it('takes a price-taking tender as a limit at the cap or floor', () => {
    fresh();
    market.submit(tender('s', 'S', 'sell', 1.5, 2, t), now);
    expect(trades(market.submit(tender('b', 'B', 'buy', undefined, 2, t), now))).toEqual([['B', 'S', 1.5, 2]]);
  });

  it('fills integralOnly tenders whole or not at all', () => {
    fresh();
    market.submit(tender('big', 'A', 'sell', 0.1, 10, t, { integral: true }), now);
    // Too small for the all-or-none seller: no trade, the bid rests.
    expect(trades(market.submit(tender('small', 'B', 'buy', 0.1, 5, t), now))).toEqual([]);
    // Large enough: takes all 10.
    expect(trades(market.submit(tender('large', 'C', 'buy', 0.1, 10, t), now))).toEqual([['C', 'A', 0.1, 10]]);
    // An integral buyer that crosses but cannot be filled entirely is refused, not left crossing.
    fresh();
    market.submit(tender('few', 'D', 'sell', 0.1, 3, t), now);
    const out = market.submit(tender('all', 'E', 'buy', 0.1, 8, t, { integral: true }), now);
    expect(trades(out)).toEqual([]);
    expect(out.removals).toEqual([{ tenderID: 'all', partyID: 'E', interval: t, quantity: 8, code: 'integral-not-fillable' }]);
  });

  it('prevents self-trade by cancelling the resting order (or the incoming one if the rules say so)', () => {
    fresh();
    market.submit(tender('s', 'A', 'sell', 0.1, 5, t), now);
    const out = market.submit(tender('b', 'A', 'buy', 0.1, 5, t), now);
    expect(out.transactions).toEqual([]);
    expect(out.removals).toEqual([{ tenderID: 's', partyID: 'A', interval: t, quantity: 5, code: 'self-trade' }]);
    expect(market.books.get(t)!.depth(true)).toEqual([[100, 5000]]);

    fresh({ clearing: { kind: 'continuous', gateClosure: parseDuration('PT1M'), selfTrade: 'cancel-incoming' } });
    market.submit(tender('s', 'A', 'sell', 0.1, 5, t), now);
    expect(market.submit(tender('b', 'A', 'buy', 0.1, 5, t), now).removals).toMatchObject([{ tenderID: 'b', code: 'self-trade' }]);
    expect(market.books.get(t)!.depth(false)).toEqual([[100, 5000]]);
  });

  it('never trades a cancelled tender that shared its price level', () => {
    fresh();
    market.submit(tender('a', 'A', 'sell', 0.1, 5, t), now);
    market.submit(tender('b', 'B', 'sell', 0.1, 5, t), now);
    market.cancel('A', 'a', now);
    expect(trades(market.submit(tender('c', 'C', 'buy', 0.1, 10, t), now))).toEqual([['C', 'B', 0.1, 5]]);
  });

  it('lets expired tenders go without trading', () => {
    fresh();
    market.submit(tender('s', 'S', 'sell', 0.1, 5, t, { expires: now + 60_000 }), now);
    const out = market.submit(tender('b', 'B', 'buy', 0.1, 5, t), now + 120_000);
    expect(out.transactions).toEqual([]);
    expect(out.removals).toMatchObject([{ tenderID: 's', code: 'expired' }]);
  });

  it('cancels only the tenders of the party that asks', () => {
    fresh();
    market.submit(tender('s', 'S', 'sell', 0.1, 5, t, { duration: 'PT10M' }), now);
    expect(market.cancel('X', 's', now)).toMatchObject({ code: 'unknown-tender' });
    const out = market.cancel('S', 's', now);
    expect('removals' in out && out.removals.map((r) => [r.interval, r.code])).toEqual([[t, 'cancelled'], [t + 300_000, 'cancelled']]);
    expect(market.cancel('S', 's', now)).toMatchObject({ code: 'unknown-tender' });
    expect(trades(market.submit(tender('b', 'B', 'buy', 0.1, 5, t), now))).toEqual([]);
  });

  it('closes a book at its gate: resting orders leave and the interval takes no more tenders', () => {
    fresh();
    market.submit(tender('s', 'S', 'sell', 0.1, 5, t), now);
    expect(market.advance(t - 120_000).removals).toEqual([]);
    expect(market.advance(t - 60_000).removals).toEqual([{ tenderID: 's', partyID: 'S', interval: t, quantity: 5, code: 'gate-closed' }]);
    expect(market.submit(tender('late', 'B', 'buy', 0.1, 5, t), t - 30_000).rejection?.code).toBe('gate-closed');
  });

  it('splits a multi-interval tender, with stream intervals overriding the product payload', () => {
    fresh();
    market.submit(tender('s', 'S', 'sell', 0.1, 50, t, { duration: 'PT15M' }), now);
    const out = market.submit(tender('b', 'B', 'buy', 0.12, 3, t, {
      duration: 'PT15M',
      intervals: [{ uid: '0', payloads: [{ kind: 'temixPower', value: { price: { kind: 'price', value: 0.05 }, quantity: 3 } }] }],
    }), now);
    // First 5 minutes bid 0.05 (no trade), the other two bid 0.12 (trade at 0.10).
    expect(out.transactions.map((x) => [x.interval - t, x.price, x.quantity])).toEqual([[300_000, 0.1, 3], [600_000, 0.1, 3]]);
    const positions = market.positions.of(t + 300_000);
    // 3 kW for 5 minutes is 0.25 kWh, at 0.10 EUR/kWh: 0.025 EUR (a rate unit's cost counts the interval's hours).
    expect(positions.get('B')).toEqual({ bought: 3, sold: 0, cost: expect.closeTo(0.025, 12) });
    expect(positions.get('S')).toEqual({ bought: 0, sold: 3, cost: expect.closeTo(-0.025, 12) });
  });

  it('costs an amount unit as price x quantity, and any unit per time as a rate over the interval', () => {
    const cost = (units: string) => {
      fresh({ resource: { ...rules.resource, units } });
      market.submit(tender('s', 'S', 'sell', 0.1, 6, t), now);
      market.submit(tender('b', 'B', 'buy', 0.1, 6, t), now);
      return market.positions.of(t).get('B')!.cost;
    };
    // 6 kWh at 0.10 is 0.60; 6 kW (or 6 m3/h) over the feeder's 5 minutes is 0.5 kWh (m3), 0.05.
    expect(cost('Wh')).toBeCloseTo(0.6, 12);
    expect(cost('W')).toBeCloseTo(0.05, 12);
    expect(cost('m3/h')).toBeCloseTo(0.05, 12);
    expect(cost('m3')).toBeCloseTo(0.6, 12);
  });
});
