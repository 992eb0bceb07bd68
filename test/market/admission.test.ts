import { beforeAll, describe, expect, it } from 'vitest';
import type { Availability } from '../../src/calendar/availability.js';
import { NOMINAL_GRID } from '../../src/emix/product.js';
import { createMarket, type Market } from '../../src/market/market.js';
import { exampleRules, tender, type TenderOptions } from '../support/markets.js';

const now = Date.UTC(2026, 10, 23, 12, 0); // Monday 12:00Z
const t = Date.UTC(2026, 10, 23, 13, 0);
let feeder: Market;
let heat: Market;
beforeAll(async () => {
  feeder = createMarket(await exampleRules('feeder-7'));
  heat = createMarket(await exampleRules('district-heat'));
});

const code = (m: Market, price: number | undefined, quantity: number | undefined, start = t, options: TenderOptions = {}, at = now, avail: Availability[] = []) =>
  m.submit(tender(`x${Math.random()}`, 'P', 'buy', price, quantity, start, options), at, avail).rejection?.code;

describe('tenders are refused with a specific reason', () => {
  it.each([
    ['not-aligned', () => code(feeder, 0.1, 1, t + 60_000)],
    ['not-aligned', () => code(feeder, 0.1, 1, t, { duration: 'PT7M' })],
    ['beyond-horizon', () => code(feeder, 0.1, 1, now + 6 * 3_600_000)],
    ['gate-closed', () => code(feeder, 0.1, 1, now)],
    ['gate-closed', () => code(feeder, 0.1, 1, now + 300_000, {}, now + 240_000)],
    ['price-out-of-range', () => code(feeder, 2.001, 1)],
    ['price-out-of-range', () => code(feeder, -0.501, 1)],
    ['price-off-tick', () => code(feeder, 0.1005, 1)],
    ['quantity-off-tick', () => code(feeder, 0.1, 1.0005)],
    ['quantity-above-maximum', () => code(feeder, 0.1, 1000.001)],
    ['quantity-not-positive', () => code(feeder, 0.1, -1)],
    ['no-quantity', () => code(feeder, 0.1, undefined)],
    ['wrong-currency', () => code(feeder, 0.1, 1, t, { currency: 'USD' })],
    ['wrong-resource', () => code(feeder, 0.1, 1, t, { payload: { item: { kind: 'energyReal', value: { siScaleCode: 'k' } } } })],
    ['unsupported-price', () => code(feeder, undefined, 1, t, { payload: { price: { kind: 'priceRelative', value: 0.01 } } })],
    ['expired', () => code(feeder, 0.1, 1, t, { expires: now })],
    ['quantity-below-minimum', () => code(heat, 0.1, 0.5, Date.UTC(2026, 10, 23, 15), { marketContext: 'urn:micromarket:district-heat' })],
    ['wrong-resource', () => code(heat, 0.1, 1, Date.UTC(2026, 10, 23, 15), { marketContext: 'urn:micromarket:district-heat',
      payload: { item: { kind: 'powerReal', value: { siScaleCode: 'k', powerAttributes: NOMINAL_GRID } } } })],
  ])('%s', (expected, attempt) => {
    expect(attempt()).toBe(expected);
  });

  it('refuses a product longer than the horizon before cutting it into slices (ten years would be 350,640)', () => {
    for (const duration of ['PT6H15M', 'P3652D']) {
      expect(feeder.submit(tender(`long-${duration}`, 'P', 'buy', 0.1, 1, t, { duration }), now, []).rejection)
        .toMatchObject({ code: 'beyond-horizon', reason: 'the product lasts longer than feeder-7 trades ahead (360 minutes)' });
    }
    expect(code(feeder, 0.1, 1, t, { duration: 'PT4H' })).toBeUndefined();
  });

  it('converts SI scales of the same unit: 2000 W is 2 kW', () => {
    expect(code(feeder, 0.1, 2000, t, { payload: { item: { kind: 'powerReal', value: { siScaleCode: 'none', powerAttributes: NOMINAL_GRID } } } })).toBeUndefined();
  });

  it('follows the market hours of district-heat-hours.ics (Amsterdam time)', () => {
    const mc = { marketContext: 'urn:micromarket:district-heat' };
    // Monday 23 Nov: open 06:00-23:00 local = 05:00-22:00Z.
    expect(code(heat, 0.1, 1, Date.UTC(2026, 10, 23, 21), mc)).toBeUndefined();
    expect(code(heat, 0.1, 1, Date.UTC(2026, 10, 23, 22), mc)).toBe('market-closed');
    // Saturday 28 Nov: 08:00-22:00 local = 07:00-21:00Z; asked on Friday.
    expect(code(heat, 0.1, 1, Date.UTC(2026, 10, 28, 7), mc, Date.UTC(2026, 10, 27, 12))).toBeUndefined();
    expect(code(heat, 0.1, 1, Date.UTC(2026, 10, 28, 6), mc, Date.UTC(2026, 10, 27, 12))).toBe('market-closed');
  });

  it("refuses intervals outside the party's declared availability", () => {
    const evenings: Availability = { available: [{ properties: { dtstart: Date.UTC(2026, 10, 23, 17), dtend: Date.UTC(2026, 10, 23, 21) } }] };
    expect(code(feeder, 0.1, 1, t, {}, now, [evenings])).toBe('party-unavailable');
    expect(code(feeder, 0.1, 1, Date.UTC(2026, 10, 23, 17), {}, now, [evenings])).toBeUndefined();
  });

  it('refuses a second tender with the same ID from the same party, not from another', () => {
    const m = createMarket(feeder.rules);
    expect(m.submit(tender('same', 'P', 'buy', 0.1, 1, t), now).rejection).toBeUndefined();
    expect(m.submit(tender('same', 'P', 'buy', 0.1, 1, t), now).rejection?.code).toBe('duplicate-tender');
    expect(m.submit(tender('same', 'Q', 'buy', 0.1, 1, t), now).rejection).toBeUndefined();
  });

  it('names the interval a refusal concerns', () => {
    const r = feeder.submit(tender('y', 'P', 'buy', 0.1, 1, now, { duration: 'PT10M' }), now).rejection;
    expect(r).toMatchObject({ tenderID: 'y', code: 'gate-closed', interval: now });
  });
});
