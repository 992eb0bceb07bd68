/**
 * A tree of markets cleared in one pass, offline (simulate, benchmarks): every child's aggregate
 * goes up as its bid in the parent, deepest first; then, parents first, each market clears and
 * its children receive their intertie flow as a fixed bid before they clear. The service runs the
 * same steps in time, gate by gate, over EI (src/intertie).
 */
import type { Instant } from '../calendar/instant.js';
import { CallMarket } from './call-market.js';
import { childFlow, parity, priceBounds, upwardCurve } from './intertie.js';
import type { MarketOutput } from './market-base.js';
import type { Market } from './market.js';
import type { MarketRules } from './rules.js';
import { gridOf, parentID, rootsFirst } from './tree.js';

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
export const intertieAccount = (rules: MarketRules): string =>
  `intertie:${rules.intertie?.parent.kind === 'local' ? rules.intertie.parent.marketID : rules.intertie?.parent.marketContext ?? ''}`;


/**
 * Bids every child's aggregate into its parent at `now`, then clears every market up to `until`,
 * parents first. Markets must be curve call markets wherever an intertie joins them (checkTree).
 */
export function clearNested(markets: readonly Market[], now: Instant, until: Instant): { outputs: Map<string, MarketOutput>; flows: IntertieFlow[] } {
  const ordered = rootsFirst(markets);
  const byID = new Map(markets.map((m) => [m.rules.id, m]));
  const link = (child: Market) => {
    const parent = byID.get(parentID(child.rules) ?? '');
    return parent instanceof CallMarket && child instanceof CallMarket && child.rules.intertie ? { parent, child, terms: child.rules.intertie } : undefined;
  };
  for (const market of [...ordered].reverse()) {
    const l = link(market);
    if (!l) continue;
    for (const interval of l.child.openIntervals()) {
      const aggregate = l.child.aggregate(interval);
      if (!aggregate) continue;
      const bid = upwardCurve(l.child.grid!, aggregate, gridOf(l.parent.rules)!, l.terms);
      const rejection = l.parent.submitCurve(l.terms.partyID, 'intertie', interval, bid, now);
      if (rejection) throw new Error(`${l.child.rules.id}'s bid refused by ${l.parent.rules.id}: ${rejection.reason}`);
    }
  }
  const outputs = new Map<string, MarketOutput>();
  const flows: IntertieFlow[] = [];
  for (const market of ordered) {
    const l = link(market);
    if (l) {
      const cleared = new Map(outputs.get(l.parent.rules.id)!.clearings.map((c) => [c.interval, c]));
      for (const interval of l.child.openIntervals()) {
        const position = l.parent.positions.of(interval).get(l.terms.partyID);
        const parentNet = position ? position.bought - position.sold : 0;
        const flow = childFlow(l.terms, parentNet);
        const price = cleared.get(interval)?.price;
        if (price !== undefined) {
          const rejection = l.child.placeIntertie(intertieAccount(l.child.rules), interval, flow, priceBounds(l.terms, price, flow, l.parent.rules.quantities.tick), now);
          if (rejection) throw new Error(`intertie flow refused by ${l.child.rules.id}: ${rejection.reason}`);
        }
        flows.push({ child: l.child.rules.id, parent: l.parent.rules.id, interval, parentPrice: price, parentNet, flow,
          losses: Math.abs(parentNet - flow), parity: price === undefined ? undefined : parity(l.terms, price) });
      }
    }
    outputs.set(market.rules.id, market.advance(until));
  }
  return { outputs, flows };
}
