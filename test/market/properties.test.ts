import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { intersection, priceOfStep, stepOf, type PriceGrid } from '../../src/terms/curve.js';
import { ContinuousMarket } from '../../src/market/continuous-market.js';
import { createMarket } from '../../src/market/market.js';
import type { MarketRules } from '../../src/terms/rules.js';
import { clearStepAuction } from '../../src/market/step-auction.js';
import type { Removal, Transaction } from '../../src/market/types.js';
import { exampleRules, tender } from '../support/markets.js';

const now = Date.UTC(2026, 10, 23, 12, 0);
const t = Date.UTC(2026, 10, 23, 13, 0);
let feeder: MarketRules;
beforeAll(async () => {
  feeder = await exampleRules('feeder-7');
});

type Op =
  | { kind: 'submit'; party: number; buy: boolean; price: number; quantity: number; integral: boolean; expiresIn: number | null; late: number }
  | { kind: 'cancel'; own: boolean; target: number };

const ops = fc.array(fc.oneof(
  { weight: 5, arbitrary: fc.record({
    kind: fc.constant('submit' as const), party: fc.integer({ min: 0, max: 3 }), buy: fc.boolean(),
    // Offset from the side's own range: bids 90-101, asks 99-110, so books build depth and cross near 100.
    price: fc.integer({ min: 0, max: 11 }), quantity: fc.integer({ min: 1, max: 20 }),
    integral: fc.integer({ min: 0, max: 4 }).map((n) => n === 0), expiresIn: fc.option(fc.integer({ min: 1, max: 30 })),
    late: fc.integer({ min: 0, max: 20 }),
  }) },
  // Mostly the owner cancels (the interesting case); sometimes another party tries and must fail.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), own: fc.integer({ min: 0, max: 4 }).map((n) => n > 0), target: fc.nat() }) },
), { minLength: 20, maxLength: 150, size: 'max' });

interface Run {
  transactions: Transaction[];
  removals: Removal[];
  /** Op index of each event, parallel to transactions and removals. */
  tradeSteps: number[];
  removalSteps: number[];
  limits: Map<string, { party: string; buy: boolean; price: number; quantity: number; at: number; integral: boolean }>;
  market: ContinuousMarket;
}

/** Replays ops on a fresh feeder market; time advances one second per op. */
function run(sequence: readonly Op[], rules: MarketRules): Run {
  const market = createMarket(rules) as ContinuousMarket;
  const out: Run = { transactions: [], removals: [], tradeSteps: [], removalSteps: [], limits: new Map(), market };
  sequence.forEach((op, n) => {
    const at = now + n * 1000;
    if (op.kind === 'submit') {
      const id = `t${n}`;
      const price = (op.buy ? 90 + op.price : 110 - op.price) / 1000;
      const r = market.submit(tender(id, `p${op.party}`, op.buy ? 'buy' : 'sell', price, op.quantity, t, {
        integral: op.integral, ...(op.expiresIn !== null ? { expires: at + op.expiresIn * 1000 } : {}),
      }), at);
      expect(r.rejection).toBeUndefined();
      out.limits.set(id, { party: `p${op.party}`, buy: op.buy, price, quantity: op.quantity, at, integral: op.integral });
      out.transactions.push(...r.transactions);
      out.tradeSteps.push(...r.transactions.map(() => n));
      out.removals.push(...r.removals);
      out.removalSteps.push(...r.removals.map(() => n));
    } else {
      const ids = [...out.limits.keys()];
      if (ids.length === 0) return;
      const id = ids[op.target % ids.length]!;
      const owner = out.limits.get(id)!.party;
      const r = market.cancel(op.own ? owner : `${owner}-other`, id, at);
      if (!op.own) expect(r).toMatchObject({ code: 'unknown-tender' });
      if ('removals' in r) {
        out.removals.push(...r.removals);
        out.removalSteps.push(...r.removals.map(() => n));
      }
    }
  });
  return out;
}

describe('continuous market properties', () => {
  it('trades only within both limits, at the resting (earlier) tender price, never with oneself', () => {
    fc.assert(fc.property(ops, (sequence) => {
      const { transactions, limits } = run(sequence, feeder);
      for (const x of transactions) {
        const buy = limits.get(x.buyTenderID!)!;
        const sell = limits.get(x.sellTenderID!)!;
        expect(x.buyer).not.toBe(x.seller);
        expect(x.price).toBeLessThanOrEqual(buy.price);
        expect(x.price).toBeGreaterThanOrEqual(sell.price);
        expect(x.price).toBe(buy.at < sell.at ? buy.price : sell.price);
        expect(x.quantity).toBeGreaterThan(0);
      }
    }), { numRuns: 150 });
  });

  it('accounts for every unit: traded + resting + removed = tendered, and bought = sold', () => {
    fc.assert(fc.property(ops, (sequence) => {
      const { transactions, removals, limits, market } = run(sequence, feeder);
      const used = new Map<string, number>();
      const add = (id: string | undefined, q: number) => id && used.set(id, Math.round(((used.get(id) ?? 0) + q) * 1000) / 1000);
      for (const x of transactions) {
        add(x.buyTenderID, x.quantity);
        add(x.sellTenderID, x.quantity);
      }
      for (const r of removals) add(r.tenderID, r.quantity);
      const book = market.books.get(t);
      for (const buy of [true, false]) for (const o of book?.resting(buy) ?? []) add(o.tenderID, o.remaining / 1000);
      for (const [id, l] of limits) expect(used.get(id) ?? 0, id).toBe(l.quantity);
      const positions = [...market.positions.of(t).values()];
      const bought = positions.reduce((s, p) => s + p.bought, 0);
      const sold = positions.reduce((s, p) => s + p.sold, 0);
      expect(bought).toBeCloseTo(sold, 9);
    }), { numRuns: 150 });
  });

  it('never leaves the book crossed unless an all-or-none order is resting', () => {
    fc.assert(fc.property(ops, (sequence) => {
      const { market } = run(sequence.map((o) => (o.kind === 'submit' ? { ...o, integral: false } : o)), feeder);
      const best = market.books.get(t)?.best();
      if (best?.bid !== undefined && best.ask !== undefined) expect(best.bid).toBeLessThan(best.ask);
    }), { numRuns: 150 });
  });

  it('is deterministic: the same calls give the same results', () => {
    fc.assert(fc.property(ops, (sequence) => {
      const a = run(sequence, feeder);
      const b = run(sequence, feeder);
      expect(b.transactions).toEqual(a.transactions);
      expect(b.removals).toEqual(a.removals);
    }), { numRuns: 50 });
  });

  it('never trades a tender after it was cancelled, expired or removed, and removes each at most once', () => {
    fc.assert(fc.property(ops, (sequence) => {
      const { transactions, tradeSteps, removals, removalSteps, limits } = run(sequence, feeder);
      const removedAt = new Map<string, number>();
      removals.forEach((r, i) => {
        expect(removedAt.has(r.tenderID), `${r.tenderID} removed twice`).toBe(false);
        removedAt.set(r.tenderID, removalSteps[i]!);
      });
      transactions.forEach((x, i) => {
        for (const id of [x.buyTenderID!, x.sellTenderID!]) {
          const removed = removedAt.get(id);
          if (removed !== undefined) expect(tradeSteps[i]!, `${id} traded after removal`).toBeLessThanOrEqual(removed);
        }
      });
      // An expired tender was removed no earlier than its expiry.
      removals.forEach((r, i) => {
        if (r.code === 'expired') expect(now + removalSteps[i]! * 1000).toBeGreaterThan(limits.get(r.tenderID)!.at);
      });
    }), { numRuns: 100 });
  });
});

const stepBids = fc.array(fc.record({ price: fc.integer({ min: 0, max: 100 }), quantity: fc.integer({ min: 1, max: 50 }) }), { maxLength: 30, size: 'max' });

describe('step auction properties (GridLAB-D)', () => {
  it('sells what it buys, within limits, with better bids served in full', () => {
    fc.assert(fc.property(stepBids, stepBids, (buys, sells) => {
      const b = buys.map((x, key) => ({ key, ...x }));
      const s = sells.map((x, key) => ({ key: 1000 + key, ...x }));
      const r = clearStepAuction(b, s, 0, 100);
      const total = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, q) => a + q, 0);
      expect(total(r.buys)).toBeCloseTo(r.quantity, 9);
      expect(total(r.sells)).toBeCloseTo(r.quantity, 9);
      if (r.price === undefined) return;
      expect(r.price).toBeGreaterThanOrEqual(0);
      expect(r.price).toBeLessThanOrEqual(100);
      for (const x of b) {
        const q = r.buys.get(x.key) ?? 0;
        expect(q).toBeLessThanOrEqual(x.quantity + 1e-9);
        if (x.price < r.price) expect(q).toBe(0);
        if (x.price > r.price && r.quantity > 0) expect(q).toBe(x.quantity);
      }
      for (const x of s) {
        const q = r.sells.get(x.key) ?? 0;
        if (x.price > r.price) expect(q).toBe(0);
        if (x.price < r.price && r.quantity > 0) expect(q).toBe(x.quantity);
      }
    }), { numRuns: 300 });
  });
});

const curves = fc.array(fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 11, maxLength: 11 })
  .map((d) => Float64Array.from(d.sort((x, y) => y - x))), { minLength: 1, maxLength: 20, size: 'max' });

describe('curve clearing properties (PowerMatcher)', () => {
  const grid: PriceGrid = { minimum: 0, maximum: 1, steps: 11 };
  it('clears inside the price range, on the crossing when there is one', () => {
    fc.assert(fc.property(curves, (list) => {
      const aggregate = new Float64Array(grid.steps);
      for (const c of list) for (let i = 0; i < grid.steps; i++) aggregate[i]! += c[i]!;
      const { price, type } = intersection(grid, aggregate);
      expect(price).toBeGreaterThanOrEqual(0);
      expect(price).toBeLessThanOrEqual(1);
      if (type === 'interpolated') {
        // Linear interpolation of the aggregate at the price is zero.
        const x = (price - grid.minimum) / (priceOfStep(grid, 1) - grid.minimum);
        const i = Math.min(grid.steps - 2, Math.floor(x));
        const at = aggregate[i]! + (aggregate[i + 1]! - aggregate[i]!) * (x - i);
        expect(Math.abs(at)).toBeLessThan(1e-6);
      }
      if (type === 'floor') expect(aggregate[0]!).toBeLessThan(0);
      if (type === 'cap') expect(aggregate[grid.steps - 1]!).toBeGreaterThan(0);
      expect(stepOf(grid, price)).toBeGreaterThanOrEqual(0);
    }), { numRuns: 300 });
  });
});
