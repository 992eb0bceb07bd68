/**
 * Nested markets as a tree: which market is whose parent, the rules an intertie between two markets
 * of one service must satisfy, and the order in which a tree clears (parents before children).
 */
import { durationToMillis } from '../calendar/duration.js';
import { gridOf } from '../terms/ladder.js';
import { gateClosureMs, granularityMs, type MarketRules, type RuleProblem } from '../terms/rules.js';

/** The local parent of a market, if it has one. */
export const parentID = (rules: MarketRules): string | undefined =>
  rules.intertie?.parent.kind === 'local' ? rules.intertie.parent.marketID : undefined;

/**
 * What must hold between a child and its parent market, whichever service runs the parent: both
 * curve call markets trading the same resource in the same currency and interval length, the
 * parent's gate closing before the child's (its price must be known when the child clears). The
 * parent's steps need not be on its ticks: the child's ladder names each step gap by a tick price
 * inside it (intertie.ts, ladder), which checkRules makes sure exists.
 */
export function checkParent(child: MarketRules, parent: MarketRules): string[] {
  const reasons: string[] = [];
  if (!gridOf(parent)) reasons.push(`its parent ${parent.id} must be a curve-bid call market`);
  const r = child.resource;
  const p = parent.resource;
  if (r.name !== p.name || r.units !== p.units || r.siScaleCode !== p.siScaleCode) reasons.push(`${parent.id} trades ${p.siScaleCode}${p.units} of ${p.name}, not ${r.siScaleCode}${r.units} of ${r.name}`);
  if (child.currency !== parent.currency) reasons.push(`${parent.id} trades in ${parent.currency}, not ${child.currency}`);
  if (granularityMs(child) !== granularityMs(parent)) reasons.push(`${parent.id} has intervals of ${durationToMillis(parent.granularity) / 1000} s, not ${granularityMs(child) / 1000} s`);
  if (!(gateClosureMs(parent) > gateClosureMs(child))) reasons.push(`the gate of ${parent.id} must close before this market's (a longer gateClosure)`);
  return reasons;
}

/** The interties among one service's markets: parents that exist and suit their children, and no cycles. */
export function checkTree(markets: readonly MarketRules[]): Array<RuleProblem & { marketID: string }> {
  const byID = new Map(markets.map((m) => [m.id, m]));
  const problems: Array<RuleProblem & { marketID: string }> = [];
  for (const child of markets) {
    const id = parentID(child);
    if (id === undefined) continue;
    const parent = byID.get(id);
    const problem = (reason: string) => problems.push({ marketID: child.id, element: 'parent', reason });
    if (!parent) problem(`no market ${id} in the rules`);
    else if (parent.id === child.id) problem('a market cannot be its own parent');
    else for (const reason of checkParent(child, parent)) problem(reason);
    const seen = new Set([child.id]);
    for (let up = parent; up; up = byID.get(parentID(up) ?? '')) {
      if (seen.has(up.id)) {
        problem(`the interties form a cycle through ${[...seen].join(', ')}`);
        break;
      }
      seen.add(up.id);
    }
  }
  return problems;
}

/** Depth of each market below its local root (0 for a root). */
function depths(markets: readonly MarketRules[]): Map<string, number> {
  const byID = new Map(markets.map((m) => [m.id, m]));
  const depth = new Map<string, number>();
  const of = (m: MarketRules, guard: number): number => {
    const known = depth.get(m.id);
    if (known !== undefined) return known;
    const parent = byID.get(parentID(m) ?? '');
    const d = parent && guard < markets.length ? of(parent, guard + 1) + 1 : 0;
    depth.set(m.id, d);
    return d;
  };
  for (const m of markets) of(m, 0);
  return depth;
}

/** Markets ordered parents first (stable otherwise): the order in which gates close and prices travel down. */
export function rootsFirst<T extends { readonly rules: MarketRules }>(markets: readonly T[]): T[] {
  const depth = depths(markets.map((m) => m.rules));
  return [...markets].sort((a, b) => depth.get(a.rules.id)! - depth.get(b.rules.id)!);
}
