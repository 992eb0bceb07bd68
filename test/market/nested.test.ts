import { beforeAll, describe, expect, it } from 'vitest';
import { CallMarket } from '../../src/market/call-market.js';
import { childFlow, demandAt, parity, termsAt, upwardCurve } from '../../src/market/intertie.js';
import { gridOf, ladder } from '../../src/terms/ladder.js';
import type { IntertieTerms, MarketRules } from '../../src/terms/rules.js';
import { ContinuousMarket } from '../../src/market/continuous-market.js';
import { createMarket } from '../../src/market/market.js';
import { clearNested, intertieAccount, type IntertieFlow } from '../../src/market/nested.js';
import type { MarketSetup } from '../../src/terms/signals.js';
import { Ticks } from '../../src/terms/ticks.js';
import { checkTree, rootsFirst } from '../../src/market/tree.js';
import { curves, nestedRules, tender } from '../support/markets.js';

const grid = { minimum: 0, maximum: 1, steps: 101 };
const terms: IntertieTerms = { importCapacity: 15, exportCapacity: 10, lossFactor: 0.05, fee: 0.02 };
const now = Date.UTC(2026, 10, 23, 11);
const t = Date.UTC(2026, 10, 23, 12);

describe('intertie economics', () => {
  it('bounds the child price between export and import parity', () => {
    // 0.40 in the parent: a unit bought arrives as 0.95, so costs 0.40 / 0.95 + 0.02 in the child; a unit sent earns 0.95 * 0.40 - 0.02.
    expect(parity(terms, 0.4).import).toBeCloseTo(0.4 / 0.95 + 0.02, 12);
    expect(parity(terms, 0.4).export).toBeCloseTo(0.36, 12);
  });

  it('reads a curve between steps linearly, as the crossing does, and flat past its ends', () => {
    const d = curves.load(101, 10, 1); // 10 at 0.00 down to 0 at 1.00
    expect(demandAt(grid, d, 0.255)).toBeCloseTo(7.45, 12);
    expect(demandAt(grid, d, -3)).toBe(10);
    expect(demandAt(grid, d, 7)).toBe(0);
  });

  it('bids upward the import wanted at import parity grossed up by losses, the export offered at export parity net of losses, within capacity', () => {
    // Child aggregate: 20 kW at 0 down to -20 kW at 1 (crosses at 0.5).
    const aggregate = Float64Array.from({ length: 101 }, (_, i) => 20 - 40 * (i / 100));
    const up = upwardCurve(grid, aggregate, grid, terms);
    // At parent 0.10 the child pays 0.10/0.95 + 0.02 = 0.12526: it wants 20 - 40 * 0.12526 = 14.99 kW, the parent supplies 14.99 / 0.95.
    expect(up[10]).toBeCloseTo((20 - 40 * (0.1 / 0.95 + 0.02)) / 0.95, 9);
    // At parent 0.00 it would want 19.2 kW: capped at 15, grossed up.
    expect(up[0]).toBeCloseTo(15 / 0.95, 12);
    // At parent 0.60 it earns 0.95 * 0.6 - 0.02 = 0.55: offers 2 kW, of which the parent receives 1.9.
    expect(up[60]).toBeCloseTo(-(40 * 0.55 - 20) * 0.95, 9);
    // At parent 0.50 it would import at 0.5463 (it has a surplus there) and export at 0.455 (it is short there): neither.
    expect(up[50]).toBe(0);
    // At 1.00: export capped at 10, the parent receives 9.5.
    expect(up[100]).toBeCloseTo(-9.5, 12);
    for (let i = 1; i < 101; i++) expect(up[i]).toBeLessThanOrEqual(up[i - 1]!);
  });

  it('delivers imports net of losses and takes exports grossed up, never past capacity', () => {
    expect(childFlow(terms, 10)).toBeCloseTo(9.5, 12);
    expect(childFlow(terms, -9.5)).toBeCloseTo(-10, 12);
    expect(childFlow(terms, 15 / 0.95)).toBe(15);
    expect(childFlow(terms, 0)).toBe(0);
  });

  it('writes a curve as step tenders on ticks that sum back to it in a curve market', async () => {
    const [rules] = (await nestedRules()).filter((r) => r.id === 'substation') as [MarketSetup];
    const curve = Float64Array.from({ length: 101 }, (_, i) => 12.3456 - 0.3 * i); // crosses zero between 0.41 and 0.42
    const steps = ladder(grid, curve, new Ticks(0.01), new Ticks(0.001), { minimum: 0.001, maximum: 5 });
    expect(steps.every((s) => s.quantity <= 5 && s.quantity >= 0.001)).toBe(true);
    const market = createMarket(rules) as CallMarket;
    steps.forEach((s, k) => expect(market.submit(tender(`l${k}`, 'child', s.side, s.price, s.quantity, t, { marketContext: rules.marketContext }), now).rejection).toBeUndefined());
    const summed = market.residual(t)!;
    // Each value truncated towards zero to 0.001: what the ladder bids is never more than the curve.
    for (let i = 0; i < 101; i++) expect(summed[i]).toBeCloseTo(Math.trunc(curve[i]! * 1000) / 1000, 9);
  });
});

describe('a three-level tree cleared offline (substation ← feeder-north ← home-1, home-2)', () => {
  let rules: MarketRules[];
  beforeAll(async () => {
    rules = await nestedRules();
  });

  /** The tree with its devices' bids for interval t. */
  function tree(home2Load = 1.5, home2Pv = 8): Map<string, CallMarket> {
    const markets = new Map(rules.filter((r) => r.clearing.kind === 'call').map((r) => [r.id, createMarket(r) as CallMarket]));
    const bid = (market: string, party: string, curve: Float64Array) => expect(markets.get(market)!.submitCurve(party, `${party}-bid`, t, curve, now)).toBeUndefined();
    bid('substation', 'supplier', curves.supply(101, 500, 0.1, 0.5));
    bid('feeder-north', 'school', curves.load(101, 30, 0.9));
    for (let k = 1; k <= 4; k++) bid('home-1', `h1-load-${k}`, curves.load(101, 2, 0.8));
    bid('home-1', 'h1-pv', curves.flat(101, -1));
    for (let k = 1; k <= 6; k++) bid('home-2', `h2-load-${k}`, curves.load(101, home2Load, 0.6));
    bid('home-2', 'h2-pv', curves.flat(101, -home2Pv));
    return markets;
  }

  function net(market: CallMarket, party: string): number {
    const p = market.positions.of(t).get(party);
    return p ? p.bought - p.sold : 0;
  }

  function check(markets: Map<string, CallMarket>, flows: readonly IntertieFlow[]) {
    for (const f of flows) {
      const child = markets.get(f.child)!;
      const { lossFactor, importCapacity, exportCapacity } = child.rules.intertie!;
      // Energy: what the parent sold the child arrives less the losses; the intertie account supplies exactly that in the child.
      if (f.parentNet >= 0) expect(f.flow).toBeCloseTo(f.parentNet * (1 - lossFactor), 9);
      else expect(f.flow * (1 - lossFactor)).toBeCloseTo(f.parentNet, 9);
      expect(f.losses).toBeCloseTo(Math.abs(f.parentNet) * lossFactor / (f.parentNet >= 0 ? 1 : 1 - lossFactor), 9);
      expect(net(child, intertieAccount(child.rules))).toBeCloseTo(-f.flow, 9);
      expect(net(markets.get(f.parent)!, child.rules.intertie!.partyID)).toBeCloseTo(f.parentNet, 9);
      // Capacity.
      expect(f.flow).toBeLessThanOrEqual(importCapacity);
      expect(-f.flow).toBeLessThanOrEqual(exportCapacity);
    }
  }

  it('checks the example tree and orders it parents first', () => {
    expect(checkTree(rules)).toEqual([]);
    // Parents before children, the rule files' order otherwise.
    expect(rootsFirst(rules.map((r) => ({ rules: r }))).map((m) => m.rules.id)).toEqual(['substation', 'feeder-north', 'campus', 'home-1', 'home-2']);
  });

  it('conserves energy across levels with losses, and bounds each child price by its parent price when the intertie is free', () => {
    const markets = tree();
    const { outputs, flows } = clearNested([...markets.values()], now, t);
    check(markets, flows);
    const price = (id: string) => outputs.get(id)!.clearings[0]!.price!;
    expect(flows.map((f) => f.child).sort()).toEqual(['feeder-north', 'home-1', 'home-2']);
    const feeder = flows.find((f) => f.child === 'feeder-north')!;
    const home1 = flows.find((f) => f.child === 'home-1')!;
    const home2 = flows.find((f) => f.child === 'home-2')!;
    expect(feeder.flow).toBeGreaterThan(0); // the feeder imports
    expect(home1.flow).toBeGreaterThan(0); // home 1 imports
    expect(home2.flow).toBeLessThan(0); // home 2's PV exports
    // The parent's allocation is read at its nearest price step (PowerMatcher), so a child price lands within
    // one parent step (0.01, grossed up by the losses) of its parity with the parent's price.
    const step = 0.01 / 0.98 + 1e-9;
    expect(Math.abs(price('feeder-north') - feeder.parity!.import)).toBeLessThanOrEqual(step);
    expect(Math.abs(price('home-1') - home1.parity!.import)).toBeLessThanOrEqual(step);
    expect(Math.abs(price('home-2') - home2.parity!.export)).toBeLessThanOrEqual(step);
    expect(feeder.parentPrice).toBe(price('substation'));
    // Each market balances: its participants' net, intertie included, is what its account absorbed at the nearest step.
    for (const [id, market] of markets) {
      const clearing = outputs.get(id)!.clearings[0];
      if (!clearing) continue; // the campus (continuous, no bids here)
      const participants = [...market.positions.of(t)].filter(([party]) => party !== market.account);
      expect(participants.reduce((s, [, p]) => s + p.bought - p.sold, 0)).toBeCloseTo(clearing.imbalance, 9);
    }
  });

  it('separates prices when an intertie is congested: the child clears on its own curve at capacity', () => {
    const markets = tree(4, 0); // home 2 now wants far more than its 8 kW connection
    const { outputs, flows } = clearNested([...markets.values()], now, t);
    check(markets, flows);
    const home2 = flows.find((f) => f.child === 'home-2')!;
    expect(home2.flow).toBeCloseTo(8, 2); // at capacity, truncated to nothing more
    const price = outputs.get('home-2')!.clearings[0]!.price!;
    expect(price).toBeGreaterThan(home2.parity!.import + 0.05);
    // Its price is where its own demand meets the 8 kW it may import: 6 * 4 * (1 - p / 0.6) = 8, p = 0.4.
    expect(price).toBeCloseTo(0.4, 3);
  });

  it('keeps child parties private: the parent sees each child as one party', () => {
    const markets = tree();
    clearNested([...markets.values()], now, t);
    const parties = (id: string) => [...markets.get(id)!.positions.of(t).keys()].sort();
    expect(parties('feeder-north')).toEqual(['home-1', 'home-2', 'intertie:substation', 'market:feeder-north', 'school']);
    expect(parties('substation')).toEqual(['feeder-north', 'market:substation', 'supplier']);
  });

  it('trades a continuous child\'s unmatched book upward and fills it with limit orders at parity', () => {
    const [substation, feeder] = [rules.find((r) => r.id === 'substation')!, rules.find((r) => r.id === 'feeder-north')!];
    const campus: MarketRules = { ...feeder, id: 'campus', marketContext: 'urn:micromarket:campus',
      clearing: { kind: 'continuous', gateClosure: feeder.clearing.gateClosure, selfTrade: 'cancel-resting' }, intertie: { ...feeder.intertie!, partyID: 'campus' } };
    expect(checkTree([substation, campus])).toEqual([]);
    const top = createMarket(substation) as CallMarket;
    const child = createMarket(campus) as ContinuousMarket;
    const mc = { marketContext: campus.marketContext };
    // The same in the next interval too: the intertie's orders there must not collide with this interval's.
    for (const at of [t, t + 900_000]) {
      expect(top.submitCurve('supplier', `s-${at}`, at, curves.supply(101, 500, 0.1, 0.5), now)).toBeUndefined();
      expect(child.submit(tender(`lab-${at}`, 'lab', 'buy', 0.4, 10, at, mc), now).rejection).toBeUndefined();
    }
    // The PV's offer trades at once with the lab's resting bid: 4 kW at 0.40. 6 kW of the bid stay unmatched.
    expect(child.submit(tender('pv-1', 'pv', 'sell', 0.1, 4, t, mc), now).transactions.map((x) => x.quantity)).toEqual([4]);
    const residual = child.residual(t)!;
    expect([residual[0], residual[40], residual[41]]).toEqual([6, 6, 0]); // one value per price tick (0.01): 0.40 is tick 40
    const { outputs, flows } = clearNested([top, child], now, t + 900_000);
    expect(flows.map((f) => [f.interval, f.flow])).toEqual([[t, expect.closeTo(6, 9)], [t + 900_000, expect.closeTo(10, 9)]]);
    expect(flows[0]!.parentNet).toBeCloseTo(6 / 0.98, 9);
    // The intertie sells at import parity; the lab's resting bid takes it at its own price, as a continuous market trades.
    const sold = outputs.get('campus')!.transactions.filter((x) => x.seller === 'intertie:substation');
    expect(sold.map((x) => [x.interval, x.buyer, x.quantity, x.price])).toEqual([[t, 'lab', 6, 0.4], [t + 900_000, 'lab', 10, 0.4]]);
    expect(child.positions.of(t).get('lab')!.bought).toBe(10);
  });

  it('applies a derate in its windows: home 1 may import 7 kW instead of 15 from 17:00 to 20:00 Amsterdam time', () => {
    const home1 = rules.find((r) => r.id === 'home-1')!;
    const quarter = (iso: string) => termsAt(home1.intertie!, Date.parse(iso), Date.parse(iso) + 900_000).importCapacity;
    expect([quarter('2026-11-23T15:45:00Z'), quarter('2026-11-23T16:00:00Z'), quarter('2026-11-23T18:45:00Z'), quarter('2026-11-23T19:00:00Z')]).toEqual([15, 7, 7, 15]);
    // In summer the window is 15:00-18:00 UTC (CEST).
    expect(quarter('2027-06-01T15:00:00Z')).toBe(7);
    const evening = Date.UTC(2026, 10, 23, 16, 30);
    const markets = new Map(rules.filter((r) => r.clearing.kind === 'call').map((r) => [r.id, createMarket(r) as CallMarket]));
    for (const at of [t, evening]) {
      expect(markets.get('substation')!.submitCurve('supplier', `s-${at}`, at, curves.supply(101, 500, 0.1, 0.5), now)).toBeUndefined();
      for (let k = 1; k <= 12; k++) expect(markets.get('home-1')!.submitCurve(`load-${k}`, `l-${at}`, at, curves.load(101, 2, 0.8), now)).toBeUndefined();
    }
    const { flows } = clearNested([...markets.values()], now, evening);
    const flow = (at: number) => flows.find((f) => f.child === 'home-1' && f.interval === at)!.flow;
    // Over 15 kW wanted at parity: 15 come at noon (the connection's own limit), 7 in the evening peak.
    expect(flow(t)).toBeCloseTo(15, 9);
    expect(flow(evening)).toBeCloseTo(7, 9);
  });

  it('refuses interties that form a cycle', () => {
    const [substation, feeder] = [rules.find((r) => r.id === 'substation')!, rules.find((r) => r.id === 'feeder-north')!];
    const looped = { ...substation, intertie: { ...feeder.intertie!, parent: { kind: 'local' as const, marketID: 'home-1' } } };
    const problems = checkTree([looped, ...rules.filter((r) => r.id !== 'substation')]);
    expect(problems.some((p) => p.marketID === 'substation' && /cycle/.test(p.reason))).toBe(true);
  });

  it('exposes each curve market\'s grid for the intertie', () => {
    expect(gridOf(rules.find((r) => r.id === 'substation')!)).toEqual({ minimum: 0, maximum: 1, steps: 101 });
    expect(gridOf(rules.find((r) => r.id === 'campus')!)).toBeUndefined();
  });
});
