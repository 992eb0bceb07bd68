import { beforeAll, describe, expect, it } from 'vitest';
import { CallMarket } from '../../src/market/call-market.js';
import { createMarket } from '../../src/market/market.js';
import type { MarketRules } from '../../src/terms/rules.js';
import { exampleRules, tender } from '../support/markets.js';

const now = Date.UTC(2026, 10, 23, 12, 0);
let home: MarketRules;
let heat: MarketRules;
beforeAll(async () => {
  home = await exampleRules('home');
  heat = await exampleRules('district-heat');
});

describe('call auction with step bids (district heat, GridLAB-D rules)', () => {
  it('clears at gate closure: reference case 1 in EUR/kWh, everyone trading with the market account', () => {
    const m = createMarket(heat) as CallMarket;
    const t = Date.UTC(2026, 10, 23, 15);
    const mc = { marketContext: 'urn:micromarket:district-heat' };
    for (const [id, side, price, q] of [['b1', 'buy', 0.04, 6], ['b2', 'buy', 0.04, 8], ['s1', 'sell', 0.03, 7], ['s2', 'sell', 0.03, 9]] as const) {
      expect(m.submit(tender(id, `party-${id}`, side, price, q, t, mc), now).rejection).toBeUndefined();
    }
    expect(m.advance(t - 3_600_001).clearings).toEqual([]);
    const [result] = m.advance(t - 3_600_000).clearings;
    expect(result).toMatchObject({ interval: t, price: 0.03, type: 'marginal-seller', quantity: 14, imbalance: 0 });
    const sold = result!.transactions.filter((x) => x.buyer === 'market:district-heat');
    expect(sold.map((x) => [x.seller, x.quantity])).toEqual([['party-s1', 7 * 14 / 16], ['party-s2', 9 * 14 / 16]]);
    const positions = m.positions.of(t);
    expect(positions.get('market:district-heat')).toMatchObject({ bought: 14, sold: 14 });
    expect(m.advance(t).clearings).toEqual([]);
  });

  it('never takes a tender ID again, before or after its auction clears', () => {
    const m = createMarket(heat) as CallMarket;
    const t = Date.UTC(2026, 10, 23, 15);
    const later = Date.UTC(2026, 10, 23, 18);
    const mc = { marketContext: 'urn:micromarket:district-heat' };
    expect(m.submit(tender('b1', 'p', 'buy', 0.04, 6, t, mc), now).rejection).toBeUndefined();
    expect(m.check(tender('b1', 'p', 'buy', 0.04, 6, later, mc), now)?.code).toBe('duplicate-tender');
    m.advance(t - 3_600_000);
    expect(m.hasOpenTender('p', 'b1')).toBe(false);
    expect(m.hasTender('p', 'b1')).toBe(true);
    expect(m.check(tender('b1', 'p', 'buy', 0.04, 6, later, mc), t - 3_600_000)?.code).toBe('duplicate-tender');
    expect(m.submit(tender('b1', 'p', 'buy', 0.04, 6, later, mc), t - 3_600_000).rejection?.code).toBe('duplicate-tender');
    // Another party's IDs are its own.
    expect(m.submit(tender('b1', 'q', 'buy', 0.04, 6, later, mc), t - 3_600_000).rejection).toBeUndefined();
  });

  it('refuses curves in a step market', () => {
    const m = createMarket(heat) as CallMarket;
    expect(m.submitCurve('p', 'c', Date.UTC(2026, 10, 23, 15), new Float64Array(3), now)?.code).toBe('curve-invalid');
  });
});

describe('call auction with curves (home, PowerMatcher rules)', () => {
  const t = Date.UTC(2026, 10, 23, 13);
  const steps = 101; // 0.00..1.00 in cents

  it('finds the crossing of curves and step tenders and allocates each its demand at the nearest step', () => {
    const m = createMarket(home) as CallMarket;
    // A heat pump wants 2 kW up to 0.30, nothing above; PV sells 3 kW from 0.05 up.
    const heatPump = Float64Array.from({ length: steps }, (_, i) => (i <= 30 ? 2 : 0));
    expect(m.submitCurve('heat-pump', 'hp-1', t, heatPump, now)).toBeUndefined();
    expect(m.submit(tender('pv-1', 'pv', 'sell', 0.05, 3, t, { marketContext: 'urn:micromarket:home' }), now).rejection).toBeUndefined();
    // Aggregate: 2 below 0.05, -1 from 0.05 to 0.30, -3 above: crosses between 0.04 (2) and 0.05 (-1): 0.04 + 0.01 * 2/3.
    // Published to the curve market's 6 decimal places.
    expect(m.indicative(t).price).toBe(0.046667);
    const [result] = m.advance(t - 60_000).clearings;
    expect(result!.type).toBe('interpolated');
    // Nearest step is 0.05: the heat pump takes 2, the PV sells its 3; the market account takes the 1 kW residual.
    expect(result!.transactions.map((x) => [x.buyer, x.seller, x.quantity])).toEqual([['heat-pump', 'market:home', 2], ['market:home', 'pv', 3]]);
    expect(result!.imbalance).toBe(-1);
    const account = m.positions.of(t).get('market:home')!;
    expect(account.bought - account.sold).toBe(1);
  });

  it('replaces a curve with the same tender ID, and refuses rising curves', () => {
    const m = createMarket(home) as CallMarket;
    expect(m.submitCurve('a', 'c', t, new Float64Array(steps).fill(1), now)).toBeUndefined();
    expect(m.submitCurve('a', 'c', t, new Float64Array(steps).fill(-1), now)).toBeUndefined();
    expect(m.indicative(t)).toMatchObject({ price: 0, type: 'floor' });
    const rising = Float64Array.from({ length: steps }, (_, i) => i);
    expect(m.submitCurve('a', 'd', t, rising, now)?.code).toBe('curve-invalid');
    expect(m.submitCurve('a', 'e', t, new Float64Array(5), now)?.reason).toContain('101 values');
  });

  it('clears an interval nobody bid in as null, without trades', () => {
    const m = createMarket(home) as CallMarket;
    m.submit(tender('x', 'p', 'buy', 0.2, 1, t, { marketContext: 'urn:micromarket:home' }), now);
    expect(m.cancel('p', 'x')).toMatchObject({ removals: [{ code: 'cancelled' }] });
    expect(m.advance(t).clearings).toEqual([]);
  });
});
