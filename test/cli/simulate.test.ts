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
        { interval, party: 'building-b', bought: 7, sold: 0, net: 7, cost: 0.7 },
        { interval, party: 'pv-farm', bought: 0, sold: 7, net: -7, cost: -0.7 },
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
      price: 0.046666667, quantity: 3, imbalance: -1, transactions: ['home-1', 'home-2'] }]);
    expect(report.transactions.map((t: { buyer: string; seller: string; quantity: number }) => [t.buyer, t.seller, t.quantity]))
      .toEqual([['market:home', 'pv', 3], ['heat-pump', 'market:home', 2]]);
  });

  it('refuses tenders for another market and reports bad rule files with their line', () => {
    const wrong = simulate('--rules', 'market-rules/home.xml', '--at', '2026-11-23T12:00:00Z', ...input('feeder-building-b'));
    expect(JSON.parse(wrong.stdout).rejected).toMatchObject([{ code: 'wrong-market', tenderID: 'b1' }]);
    const bad = simulate('--rules', 'test/fixtures/valid/eiCreateTender.xml', ...input('home-pv'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('eiCreateTender.xml:1: not a market rule file');
    expect(simulate('--rules', 'market-rules/home.xml').status).toBe(2);
  });
});
