import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const simulate = (...args: string[]) => spawnSync(process.execPath, ['dist/src/cli/micromarket.js', 'simulate', ...args], { cwd: root, encoding: 'utf8' });
const input = (name: string) => ['--input', `test/fixtures/simulate/${name}.xml`];

describe('micromarket simulate', () => {
  it('runs a continuous market: the resting bid sets the price, off-tick and invalid inputs are listed', () => {
    // Order: building-b bids 7 @ 0.100 (rests), ev-hub bids 3 @ 0.090 (rests) and 1 @ 0.0905 (off tick),
    // pv-farm offers 5 @ 0.080 and 4 @ 0.095: both trade at the resting bid's 0.100, 2 kW of the second stay.
    const run = simulate('--rules', 'market-rules/feeder.xml', '--at', '2026-11-23T12:00:00Z',
      ...input('feeder-building-b'), ...input('feeder-ev-hub'), ...input('feeder-pv-farm'), ...input('feeder-invalid'));
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const interval = '2026-11-23T13:00:00Z';
    expect(report).toEqual({
      market: 'feeder-7', marketContext: 'urn:micromarket:feeder-7', clearing: 'continuous', at: '2026-11-23T12:00:00Z',
      intervals: [{ start: interval, end: '2026-11-23T13:05:00Z', type: 'continuous', price: 0.1, quantity: 7, imbalance: 0,
        transactions: ['feeder-7-1', 'feeder-7-2'] }],
      transactions: [
        { transactionID: 'feeder-7-1', interval, buyer: 'building-b', seller: 'pv-farm', buyTenderID: 'b1', sellTenderID: 'a1', price: 0.1, quantity: 5 },
        { transactionID: 'feeder-7-2', interval, buyer: 'building-b', seller: 'pv-farm', buyTenderID: 'b1', sellTenderID: 'a2', price: 0.1, quantity: 2 },
      ],
      rejected: [
        { file: 'test/fixtures/simulate/feeder-ev-hub.xml', tenderID: 'c2', partyID: 'ev-hub', code: 'price-off-tick',
          reason: 'the price must be a multiple of 0.001', interval },
        { file: 'test/fixtures/simulate/feeder-invalid.xml', tenderID: null, partyID: null, code: 'invalid-document',
          reason: expect.stringMatching(/^line 10: not valid: Element 'emix:side'/), interval: null },
      ],
      removed: [
        { tenderID: 'c1', partyID: 'ev-hub', interval, quantity: 3, code: 'gate-closed' },
        { tenderID: 'a2', partyID: 'pv-farm', interval, quantity: 2, code: 'gate-closed' },
      ],
      positions: [
        // 7 kW for 5 minutes at 0.10 EUR/kWh: 7/12 kWh, 0.058333333 EUR.
        { interval, party: 'building-b', bought: 7, sold: 0, net: 7, cost: 0.058333333 },
        { interval, party: 'pv-farm', bought: 0, sold: 7, net: -7, cost: -0.058333333 },
      ],
    });
  });

  it('runs a curve call market: interpolated price, allocations at the nearest step, imbalance to the market', () => {
    const run = simulate('--rules', 'market-rules/home.xml', ...input('home-pv'), ...input('home-heat-pump'));
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    // Default time: one 15-minute interval before the 12:59 gate.
    expect(report.at).toBe('2026-11-23T12:44:00Z');
    // Aggregate 2 kW below 0.05 and -1 kW from 0.05: crossing at 0.04 + 0.01 * 2/3.
    expect(report.intervals).toEqual([{ start: '2026-11-23T13:00:00Z', end: '2026-11-23T13:15:00Z', type: 'interpolated',
      price: 0.046667, quantity: 3, imbalance: -1, transactions: ['home-1', 'home-2'] }]);
    expect(report.transactions.map((t: { buyer: string; seller: string; quantity: number }) => [t.buyer, t.seller, t.quantity]))
      .toEqual([['market:home', 'pv', 3], ['heat-pump', 'market:home', 2]]);
  });

  it('prices PowerMatcher\'s default basis (steps of 1/99) as PowerMatcher does: BidBalanceTest.testTwoFlexible', () => {
    // The two point bids at 0.5 as the SDK's ladder writes them: buy 1999 @ 0.50, sell 2000 @ 0.50.
    const run = simulate('--rules', 'test/fixtures/rules/pm-default.xml', ...input('pm-default-bid1'), ...input('pm-default-bid2'));
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    // 49/99 + (1/99) * 1999/3999 = 0.4999987, published at 6 places; step 49 is nearest: bid1 gets 1999, bid2 nothing.
    expect(report.intervals).toMatchObject([{ type: 'interpolated', price: 0.499999, quantity: 1999 }]);
    expect(report.transactions.map((t: { buyer: string; seller: string; price: number; quantity: number }) => [t.buyer, t.seller, t.price, t.quantity]))
      .toEqual([['bid1', 'market:pm-default', 0.499999, 1999]]);
  });

  it('refuses tenders for another market and reports bad rule files with their line', () => {
    const wrong = simulate('--rules', 'market-rules/home.xml', '--at', '2026-11-23T12:00:00Z', ...input('feeder-building-b'));
    expect(JSON.parse(wrong.stdout).rejected).toMatchObject([{ code: 'wrong-market', tenderID: 'b1' }]);
    const bad = simulate('--rules', 'test/fixtures/valid/eiCreateTender.xml', ...input('home-pv'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('eiCreateTender.xml:1: not a market rule file');
    expect(simulate('--rules', 'market-rules/home.xml').status).toBe(2);
  });

  it('runs a tree of nested markets: aggregates up the interties, flows and bounded prices down', () => {
    const run = simulate('--rules', 'market-rules/nested', ...['supplier', 'school', 'home-1', 'home-1-pv', 'home-2', 'elsewhere'].flatMap((n) => input(`nested-${n}`)));
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    // Default time: an interval before the earliest gate of the tree (the substation's, 5 minutes ahead).
    expect(report.at).toBe('2026-11-23T12:40:00Z');
    expect(report.rejected).toMatchObject([{ code: 'wrong-market', tenderID: 'x1' }]);
    const market = (id: string) => report.markets.find((m: { market: string }) => m.market === id);
    const intertie = (child: string) => report.interties.find((i: { child: string }) => i.child === child);
    const price = (id: string) => market(id).intervals[0].price;
    // Home 1: heater 6 kW, PV 2 kW: imports 4, for which the feeder sells it 4 / 0.99 (0.01 lost).
    expect(intertie('home-1')).toMatchObject({ parentNet: 4.04040404, flow: 4, losses: 0.04040404 });
    // Uncongested: home 1 pays the feeder's price over 0.99 plus the 0.02 fee (published at 6 places), and its clearing says why.
    expect(market('home-1').intervals[0]).toMatchObject({ type: 'intertie', price: Number(intertie('home-1').importParity.toFixed(6)) });
    expect(intertie('home-1').importParity).toBeCloseTo(price('feeder-north') / 0.99 + 0.02, 8);
    // Home 2 exports its 10 kW PV through an 8 kW connection: congested, its price separates below export parity.
    expect(intertie('home-2')).toMatchObject({ flow: -8, parentNet: -7.92 });
    expect(price('home-2')).toBeLessThan(intertie('home-2').exportParity);
    // The feeder buys for the school (20) and home 1, sells home 2's: its net import arrives through its own intertie.
    expect(intertie('feeder-north').flow).toBeCloseTo(20 + 4.04040404 - 7.92, 6);
    expect(intertie('feeder-north').parentNet).toBeCloseTo(intertie('feeder-north').flow / 0.98, 6);
    // The substation saw one party for the whole feeder.
    const parties = market('substation').positions.map((p: { party: string }) => p.party);
    expect(parties).toContain('feeder-north');
    expect(parties.filter((p: string) => !['feeder-north', 'market:substation', 'supplier'].includes(p))).toEqual([]);
  });
});
