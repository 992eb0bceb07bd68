/**
 * npm run bench:engine — the market engine, all figures from one run:
 *   - continuous matching on two seeded order flows, through our order book, through the whole
 *     ContinuousMarket.submit path (admission checks + matching), and through hft-limit-order-book
 *     (a TypeScript matching engine) as the baseline:
 *       resting: 90 % of orders rest away from the touch, 10 % cross it;
 *       crossing: every price within ±10 ticks of the mid, so most orders trade;
 *   - a call auction of 100,000 curve bids × 100 price steps (aggregate, crossing, allocations);
 *   - heap per resting tender.
 * Goals (issue 3): ≥ 500,000 and ≥ 200,000 orders/s; auction ≤ 50 ms; ≤ 1 KB per resting tender.
 */
import { cpus } from 'node:os';
import { OrderBook as HftOrderBook, Side as HftSide } from 'hft-limit-order-book';
import { parseDuration } from '../../src/calendar/duration.js';
import type { TenderInput } from '../../src/market/admission.js';
import { CallMarket } from '../../src/market/call-market.js';
import { ContinuousMarket } from '../../src/market/continuous-market.js';
import { OrderBook, type IncomingOrder } from '../../src/market/order-book.js';
import type { MarketRules } from '../../src/terms/rules.js';
import { random } from './stats.js';


const MID = 100_000;
type Flow = IncomingOrder[];

function flow(kind: 'resting' | 'crossing', n: number, seed: number): Flow {
  const rnd = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  return Array.from({ length: n }, (_, i): IncomingOrder => {
    const buy = rnd() < 0.5;
    let price: number;
    if (kind === 'crossing') price = MID + int(-10, 10);
    else if (rnd() < 0.1) price = buy ? MID + int(1, 20) : MID - int(1, 20); // crosses into the other side
    else price = buy ? MID - int(1, 200) : MID + int(1, 200);
    return { tenderID: `o${i}`, partyID: `p${i % 1000}`, buy, price, quantity: int(1, 100), expiresAt: Infinity, integral: false };
  });
}

/** Orders per second: one warm-up run (JIT), then the median of three measured runs. */
function rate(n: number, run: () => void): number {
  run();
  const rates = [0, 1, 2].map(() => {
    const started = performance.now();
    run();
    return (n / (performance.now() - started)) * 1000;
  });
  return rates.sort((a, b) => a - b)[1]!;
}

const rules: MarketRules = {
  id: 'bench', marketContext: 'urn:micromarket:bench', name: 'bench', resource: { name: 'electricity', units: 'W', siScaleCode: 'k' },
  currency: 'EUR', granularity: parseDuration('PT5M'), horizon: parseDuration('P1D'),
  clearing: { kind: 'continuous', gateClosure: parseDuration('PT0S'), selfTrade: 'cancel-resting' },
  prices: { floor: 0, cap: 1000, tick: 0.001 }, quantities: { tick: 1, minimum: 1, maximum: 1000 }, hours: [], enrollment: 'open',
};
const now = Date.UTC(2026, 10, 23, 12);
const interval = now + 3_600_000;

function tenders(orders: Flow): TenderInput[] {
  return orders.map((o) => ({
    tenderID: o.tenderID, partyID: o.partyID,
    product: {
      dtstart: interval, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: o.price / 1000 }, quantity: o.quantity } },
      uid: o.tenderID, transactiveState: 'tender', marketContext: rules.marketContext, side: o.buy ? 'buy' as const : 'sell' as const,
    },
  }));
}

function continuous(kind: 'resting' | 'crossing', n: number) {
  const orders = flow(kind, n, kind === 'resting' ? 1 : 2);
  const inputs = tenders(orders);
  const ours = rate(n, () => {
    const book = new OrderBook('cancel-resting');
    for (const o of orders) book.submit(o, now);
  });
  const facade = rate(n, () => {
    const market = new ContinuousMarket(rules as MarketRules & { clearing: { kind: 'continuous' } });
    for (const t of inputs) market.submit(t, now);
  });
  const hft = rate(n, () => {
    const book = new HftOrderBook();
    for (const o of orders) book.limit({ id: o.tenderID, side: o.buy ? HftSide.BUY : HftSide.SELL, size: o.quantity, price: o.price });
  });
  return { ours, facade, hft };
}

function auction(bids: number, steps: number): { clearMs: number; settleMs: number; price: number | undefined } {
  const home: MarketRules = { ...rules, id: 'home-bench', clearing: { kind: 'call', gateClosure: parseDuration('PT1M'), bids: 'curve', priceSteps: steps },
    prices: { floor: 0, cap: 0.99, tick: 0.01 } };
  const market = new CallMarket(home as MarketRules & { clearing: { kind: 'call' } });
  const rnd = random(3);
  for (let k = 0; k < bids; k++) {
    // A device that consumes (or produces) up to 5 kW and backs off linearly between two random price steps.
    const q = (rnd() - 0.45) * 5;
    const lo = Math.floor(rnd() * steps);
    const hi = lo + Math.floor(rnd() * (steps - lo));
    const demand = new Float64Array(steps);
    for (let i = 0; i < steps; i++) demand[i] = q >= 0 ? (i <= lo ? q : i >= hi ? 0 : q * (hi - i) / (hi - lo)) : (i >= hi ? q : i <= lo ? 0 : q * (i - lo) / (hi - lo));
    market.submitCurve(`d${k}`, `c${k}`, interval, demand, now);
  }
  let started = performance.now();
  market.indicative(interval);
  const clearMs = performance.now() - started;
  started = performance.now();
  const [result] = market.advance(interval).clearings;
  return { clearMs, settleMs: performance.now() - started, price: result?.price };
}

/** Median of three auctions after one warm-up; each builds its bids afresh (not timed). */
function auctions(bids: number, steps: number) {
  auction(bids, steps);
  const runs = [0, 1, 2].map(() => auction(bids, steps));
  const median = (f: (r: (typeof runs)[number]) => number) => runs.map(f).sort((a, b) => a - b)[1]!;
  return { clearMs: median((r) => r.clearMs), settleMs: median((r) => r.settleMs), price: runs[0]!.price };
}

/**
 * Orders that all rest: bids below the mid, asks above. Built in its own frame: an optimised
 * caller may otherwise keep the intermediate array alive at the first heap reading but not at the
 * second, and its size would be subtracted from the figure.
 */
function restingOnly(n: number): Flow {
  return flow('resting', n, 4).map((o) => ({ ...o, price: o.buy ? MID - 1 - (o.price % 500) : MID + 1 + (o.price % 500) }));
}

function heapPerResting(n: number): { book: number; market: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const orders = restingOnly(n);
  const inputs = tenders(orders);
  const settled = () => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  let before = settled();
  const book = new OrderBook('cancel-resting');
  for (const o of orders) book.submit(o, now);
  const perBook = (settled() - before) / n;
  before = settled();
  const market = new ContinuousMarket(rules as MarketRules & { clearing: { kind: 'continuous' } });
  for (const t of inputs) market.submit(t, now);
  const perMarket = (settled() - before) / n;
  // Keep the books and their inputs alive until measured: V8 frees arrays no longer used, which
  // would subtract their size from the figures.
  if (book.best().bid === undefined || market.books.size === 0 || orders.length + inputs.length !== 2 * n) throw new Error('nothing rested');
  return { book: perBook, market: perMarket };
}

const n = 200_000;
// Memory first, while the heap holds nothing else to collect.
const memory = heapPerResting(100_000);
const resting = continuous('resting', n);
const crossing = continuous('crossing', n);
const call = auctions(100_000, 100);
const row = (name: string, r: { ours: number; facade: number; hft: number }) =>
  `${name.padEnd(34)} ${r.ours.toFixed(0).padStart(14)} ${r.facade.toFixed(0).padStart(14)} ${r.hft.toFixed(0).padStart(14)}`;
const ok = (b: boolean) => (b ? 'met' : 'MISSED');
process.stdout.write(`micromarket bench:engine — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread, ${n} orders per flow

orders/s                           our order book  Market.submit  hft-limit-order-book
${row('resting flow (10 % crossing)', resting)}
${row('crossing flow (±10 ticks of mid)', crossing)}

call auction, 100000 curve bids x 100 price steps (median of 3):
  clearing (crossing of the running aggregate + 100000 allocations): ${call.clearMs.toFixed(1)} ms, price ${call.price?.toFixed(4)}
  clearing and settling (+ 100000 transactions and positions):       ${call.settleMs.toFixed(1)} ms
heap per resting tender: ${memory.book.toFixed(0)} B in the order book, ${memory.market.toFixed(0)} B through Market.submit (with its tender record)

goals: resting >= 500000/s ${ok(resting.ours >= 500_000)}, crossing >= 200000/s ${ok(crossing.ours >= 200_000)}, auction clearing <= 50 ms ${ok(call.clearMs <= 50)}, <= 1 KB per resting tender ${ok(memory.market <= 1024)}
`);
