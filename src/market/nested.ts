/**
 * A tree of markets cleared in one pass, offline (simulate, benchmarks): every child's aggregate
 * goes up as its bid in the parent, deepest first; then, parents first, each market clears and
 * its children receive their intertie flow as a fixed bid before they clear. The service runs the
 * same steps in time, gate by gate, over EI (src/intertie).
 */
import type { Instant } from '../calendar/instant.js';
import type { TenderInput } from './admission.js';
import { CallMarket } from './call-market.js';
import { ContinuousMarket } from './continuous-market.js';
import { childFlow, parity, priceBounds, termsAt, upwardCurve } from './intertie.js';
import type { IntertieTerms } from '../terms/rules.js';
import type { MarketOutput } from './market-base.js';
import type { Market } from './market.js';
import type { MarketRules } from '../terms/rules.js';
import { Ticks } from '../terms/ticks.js';
import { parentID, rootsFirst } from './tree.js';
import { gridOf } from '../terms/ladder.js';

/** What crossed one intertie in one interval. Quantities per interval; positive: into the child. */
export interface IntertieFlow {
  readonly child: string;
  readonly parent: string;
  readonly interval: Instant;
  /** The parent's clearing price. */
  readonly parentPrice: number | undefined;
  /** The child party's net purchase in the parent (parent side). */
  readonly parentNet: number;
  /** What reached the child (negative: left it). */
  readonly flow: number;
  /** Lost on the way: |parentNet − flow|. */
  readonly losses: number;
  readonly parity: { import: number; export: number } | undefined;
}

/** The child's account for its intertie: the counterparty of the flow in the child market. */
export function intertieAccount(rules: MarketRules): string {
  const parent = rules.intertie?.parent;
  return `intertie:${parent?.kind === 'local' ? parent.marketID : parent?.kind === 'remote' ? parent.marketContext : parent?.kind === 'powermatcher' ? 'powermatcher' : ''}`;
}

/** A market that can trade through an intertie: a curve call market, or a continuous market (its unmatched book). */
export type ChildMarket = CallMarket | ContinuousMarket;

/** The intertie's limits in one of the child's intervals (its own, or a derate's). */
export const termsOf = (child: Market, interval: Instant): IntertieTerms => termsAt(child.rules.intertie!, interval, interval + child.step);

export const canBeChild = (market: Market): market is ChildMarket => market instanceof ContinuousMarket || market.grid !== undefined;

/**
 * The intertie's flow as limit orders in a continuous child: a sell of what was imported at import
 * parity (a buy of what is exported, at export parity), on the child's ticks, split at its maximum.
 * They trade against the residual the child bid upward; what finds no counterparty rests until the
 * gate and is reported removed.
 */
export function flowTenders(child: ContinuousMarket, interval: Instant, flow: number, parentPrice: number): TenderInput[] {
  const { rules } = child;
  const prices = new Ticks(rules.prices.tick);
  const quantities = new Ticks(rules.quantities.tick);
  const at = parity(termsOf(child, interval), parentPrice);
  const limit = Math.min(rules.prices.cap, Math.max(rules.prices.floor, prices.value(Math.round((flow > 0 ? at.import : at.export) / rules.prices.tick))));
  const maximum = rules.quantities.maximum ?? Number.POSITIVE_INFINITY;
  const tenders: TenderInput[] = [];
  for (let left = quantities.value(Math.floor(Math.abs(flow) / rules.quantities.tick + 1e-9)); left >= (rules.quantities.minimum ?? rules.quantities.tick); ) {
    const quantity = Math.min(left, maximum);
    left = quantities.value(Math.round((left - quantity) / rules.quantities.tick));
    // A party's tender IDs are never reused in a continuous market: the interval makes them unique.
    const tenderID = `intertie-${interval}-${tenders.length}`;
    tenders.push({ tenderID, partyID: intertieAccount(rules), product: {
      dtstart: interval, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: limit }, quantity } },
      uid: tenderID, transactiveState: 'tender', marketContext: rules.marketContext, side: flow > 0 ? 'sell' : 'buy',
    } });
  }
  return tenders;
}

/**
 * Bids every child's residual into its parent at `now`, then clears every market up to `until`,
 * parents first, each child taking its flow before it clears. Parents are curve call markets,
 * children curve call or continuous markets (checkTree).
 */
export function clearNested(markets: readonly Market[], now: Instant, until: Instant): { outputs: Map<string, MarketOutput>; flows: IntertieFlow[] } {
  const ordered = rootsFirst(markets);
  const byID = new Map(markets.map((m) => [m.rules.id, m]));
  const link = (child: Market) => {
    const parent = byID.get(parentID(child.rules) ?? '');
    return parent instanceof CallMarket && canBeChild(child) && child.rules.intertie ? { parent, child, partyID: child.rules.intertie.partyID } : undefined;
  };
  for (const market of [...ordered].reverse()) {
    const l = link(market);
    if (!l) continue;
    for (const interval of l.child.openIntervals()) {
      const residual = l.child.residual(interval);
      if (!residual) continue;
      const bid = upwardCurve(l.child.grid!, residual, gridOf(l.parent.rules)!, termsOf(l.child, interval));
      const rejection = l.parent.submitCurve(l.partyID, 'intertie', interval, bid, now);
      if (rejection) throw new Error(`${l.child.rules.id}'s bid refused by ${l.parent.rules.id}: ${rejection.reason}`);
    }
  }
  const outputs = new Map<string, MarketOutput>();
  const flows: IntertieFlow[] = [];
  for (const market of ordered) {
    const l = link(market);
    const placed: MarketOutput[] = [];
    if (l) {
      const cleared = new Map(outputs.get(l.parent.rules.id)!.clearings.map((c) => [c.interval, c]));
      for (const interval of l.child.openIntervals()) {
        const terms = termsOf(l.child, interval);
        const position = l.parent.positions.of(interval).get(l.partyID);
        const parentNet = position ? position.bought - position.sold : 0;
        const flow = childFlow(terms, parentNet);
        const price = cleared.get(interval)?.price;
        if (price !== undefined) placed.push(...placeFlow(l.child, interval, flow, price, l.parent.rules.quantities.tick, now));
        flows.push({ child: l.child.rules.id, parent: l.parent.rules.id, interval, parentPrice: price, parentNet, flow,
          losses: Math.abs(parentNet - flow), parity: price === undefined ? undefined : parity(terms, price) });
      }
    }
    const closing = market.advance(until);
    // A continuous child's intertie orders trade as they are placed: their trades come before the closing's.
    outputs.set(market.rules.id, { transactions: [...placed.flatMap((p) => p.transactions), ...closing.transactions],
      removals: [...placed.flatMap((p) => p.removals), ...closing.removals], clearings: closing.clearings });
  }
  return { outputs, flows };
}

/** Places a flow in a child engine: a fixed bid with price bounds (curve market), or limit orders (continuous). */
function placeFlow(child: ChildMarket, interval: Instant, flow: number, parentPrice: number, tolerance: number, now: Instant): MarketOutput[] {
  const refused = (reason: string) => new Error(`intertie flow refused by ${child.rules.id}: ${reason}`);
  if (child instanceof CallMarket) {
    const rejection = child.placeIntertie(intertieAccount(child.rules), interval, flow, priceBounds(termsOf(child, interval), parentPrice, flow, tolerance), now);
    if (rejection) throw refused(rejection.reason);
    return [];
  }
  return flowTenders(child, interval, flow, parentPrice).map((tender) => {
    const outcome = child.submit(tender, now);
    if (outcome.rejection) throw refused(outcome.rejection.reason);
    return outcome;
  });
}
