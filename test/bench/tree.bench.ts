/**
 * npm run bench:tree — 1,000,000 curve-bidding devices (100 price steps) under a three-level tree
 * (a substation, 10 feeders, 100 homes per feeder, 1,000 devices per home), aggregated and priced,
 * beside the same devices in one flat market, measured in the same run:
 *   - bids in: every device's curve placed in its market (each market keeps its running aggregate,
 *     as PowerMatcher caches its aggregate, so this is where aggregation happens);
 *   - priced: every home's aggregate bid up into its feeder, every feeder's into the substation, the
 *     substation cleared, prices and flows down, every feeder and home cleared (allocation of each
 *     device at the nearest step, a transaction each) — the engine's clearNested, as `simulate` runs it.
 * Goal (issue 7): bids in + priced ≤ 1 s for the tree. Best of three runs of each.
 */
import { cpus } from 'node:os';
import { parseDuration } from '../../src/calendar/duration.js';
import { CallMarket } from '../../src/market/call-market.js';
import { clearNested } from '../../src/market/nested.js';
import type { MarketRules } from '../../src/terms/rules.js';
import { random } from './stats.js';

const STEPS = 100;
const FEEDERS = 10;
const HOMES = 100; // per feeder
const DEVICES = 1000; // per home
const interval = Date.UTC(2026, 10, 23, 12);
const now = interval - 3_600_000;

function rules(id: string, gate: string, intertie?: MarketRules['intertie']): MarketRules {
  return {
    id, marketContext: `urn:bench:${id}`, name: id, resource: { name: 'electricity', units: 'W', siScaleCode: 'k' }, currency: 'EUR',
    granularity: parseDuration('PT15M'), horizon: parseDuration('P1D'),
    clearing: { kind: 'call', gateClosure: parseDuration(gate), bids: 'curve', priceSteps: STEPS },
    // 100 steps over 0.00..0.99: one step per cent, on the price tick.
    prices: { floor: 0, cap: 0.99, tick: 0.01 }, quantities: { tick: 0.001 }, hours: [], enrollment: 'open',
    ...(intertie ? { intertie } : {}),
  };
}

const link = (parent: string, partyID: string, capacity: number) =>
  ({ parent: { kind: 'local' as const, marketID: parent }, partyID, importCapacity: capacity, exportCapacity: capacity, lossFactor: 0.02, fee: 0.01, derates: [] });

/** A device's curve: loads falling with price, PV producing at any price, batteries charging cheap and discharging dear. */
function devices(count: number, seed: number): Float64Array[] {
  const rnd = random(seed);
  return Array.from({ length: count }, () => {
    const kind = rnd();
    const size = 0.5 + rnd() * 4;
    const knee = 5 + Math.floor(rnd() * 90);
    const d = new Float64Array(STEPS);
    for (let i = 0; i < STEPS; i++) {
      d[i] = kind < 0.6 ? (i < knee ? size * (1 - i / knee) : 0) // load
        : kind < 0.85 ? -size // PV
          : i < knee ? size : -size; // battery
    }
    return d;
  });
}

const seconds = (ms: number) => (ms / 1000).toFixed(3).padStart(8);

function run(tree: boolean, curves: Float64Array[][], ids: string[][]): { bidsIn: number; priced: number; prices: number[] } {
  const markets: CallMarket[] = [];
  const homes: CallMarket[] = [];
  if (tree) {
    markets.push(new CallMarket(rules('substation', 'PT5M') as MarketRules & { clearing: { kind: 'call' } }));
    for (let f = 0; f < FEEDERS; f++) {
      markets.push(new CallMarket(rules(`feeder-${f}`, 'PT3M', link('substation', `feeder-${f}`, 100_000)) as MarketRules & { clearing: { kind: 'call' } }));
      for (let h = 0; h < HOMES; h++) {
        const home = new CallMarket(rules(`home-${f}-${h}`, 'PT1M', link(`feeder-${f}`, `home-${f}-${h}`, 10_000)) as MarketRules & { clearing: { kind: 'call' } });
        markets.push(home);
        homes.push(home);
      }
    }
  } else {
    const flat = new CallMarket(rules('flat', 'PT1M') as MarketRules & { clearing: { kind: 'call' } });
    markets.push(flat);
    for (let h = 0; h < FEEDERS * HOMES; h++) homes.push(flat);
  }
  global.gc?.();
  const started = performance.now();
  for (let h = 0; h < homes.length; h++) {
    const home = homes[h]!;
    const group = curves[h]!;
    const parties = ids[h]!;
    for (let d = 0; d < group.length; d++) home.submitCurve(parties[d]!, 'bid', interval, group[d]!, now);
  }
  const bidsIn = performance.now() - started;
  const pricing = performance.now();
  const { outputs } = clearNested(markets, now, interval);
  const priced = performance.now() - pricing;
  const prices = [...new Set([markets[0]!, markets[1] ?? markets[0]!, homes[0]!])].map((m) => outputs.get(m.rules.id)!.clearings[0]!.price!);
  return { bidsIn, priced, prices };
}

const curves = Array.from({ length: FEEDERS * HOMES }, (_, h) => devices(DEVICES, h + 1));
// Devices come with their IDs: making the strings is not the market's work.
const ids = curves.map((group, h) => group.map((_, d) => `device-${h}-${d}`));
console.log(`bench:tree — ${FEEDERS * HOMES * DEVICES} devices × ${STEPS} price steps; ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
console.log(`${'market layout'.padEnd(46)} ${'bids in s'.padStart(9)} ${'priced s'.padStart(9)} ${'total s'.padStart(9)}   prices (top, next level, a home)`);
const best: Record<string, number> = {};
for (let round = 0; round < 3; round++) {
  for (const tree of [false, true]) {
    const r = run(tree, curves, ids);
    const name = tree ? `tree: substation, ${FEEDERS} feeders, ${FEEDERS * HOMES} homes` : 'flat: one market (baseline)';
    best[name] = Math.min(best[name] ?? Infinity, r.bidsIn + r.priced);
    console.log(`${name.padEnd(46)} ${seconds(r.bidsIn)}  ${seconds(r.priced)}  ${seconds(r.bidsIn + r.priced)}   ${r.prices.map((p) => p.toFixed(4)).join(' ')}`);
  }
}
const treeBest = Object.entries(best).find(([n]) => n.startsWith('tree'))![1];
console.log(`best total: ${Object.entries(best).map(([n, ms]) => `${n.split(':')[0]} ${(ms / 1000).toFixed(3)} s`).join(', ')}; `
  + `goal (tree ≤ 1 s): ${treeBest <= 1000 ? 'met' : 'NOT met'}`);
