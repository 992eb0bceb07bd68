import { formatInstant, type Instant } from '../calendar/instant.js';
import type { TenderInput } from './admission.js';
import type { MarketOutput } from './market-base.js';
import { createMarket, type Market } from './market.js';
import { clearNested } from './nested.js';
import { gateClosureMs, granularityMs, type MarketRules } from '../terms/rules.js';
import type { ClearingResult, Removal, Transaction } from './types.js';

/** A tender read from an input file, or the reason the file's content could not be used. */
export type SimulationInput =
  | { readonly file: string; readonly tender: TenderInput }
  | { readonly file: string; readonly invalid: { code: string; reason: string } };

/** Numbers in the report are rounded to 9 decimals so that float noise does not change the output. */
const round = (x: number) => Math.round(x * 1e9) / 1e9;
const iso = (t: Instant) => formatInstant(t);

export interface SimulationReport {
  readonly market: string;
  readonly marketContext: string;
  readonly clearing: 'continuous' | 'call';
  readonly at: string;
  readonly intervals: Array<{
    start: string; end: string; type: ClearingResult['type'] | 'continuous';
    price: number | null; quantity: number; imbalance: number; transactions: string[];
  }>;
  readonly transactions: Array<{
    transactionID: string; interval: string; buyer: string; seller: string;
    buyTenderID: string | null; sellTenderID: string | null; price: number; quantity: number;
  }>;
  readonly rejected: Array<{ file: string; tenderID: string | null; partyID: string | null; code: string; reason: string; interval: string | null }>;
  readonly removed: Array<{ tenderID: string; partyID: string; interval: string; quantity: number; code: Removal['code'] }>;
  readonly positions: Array<{ interval: string; party: string; bought: number; sold: number; net: number; cost: number }>;
}

/** The default submission time: one interval before the earliest gate closure among the tenders (of the markets given). */
export function defaultSimulationTime(rules: MarketRules | readonly MarketRules[], inputs: readonly SimulationInput[]): Instant | undefined {
  const all = Array.isArray(rules) ? rules as readonly MarketRules[] : [rules as MarketRules];
  const byContext = new Map(all.map((r) => [r.marketContext, r]));
  const gates = inputs.flatMap((i) => {
    if (!('tender' in i) || i.tender.product.dtstart === undefined) return [];
    const r = byContext.get(i.tender.product.marketContext) ?? all[0]!;
    // A parent's gate closes before its children's: the earliest gate of the tree is its longest gate closure.
    return [i.tender.product.dtstart - Math.max(...all.map(gateClosureMs)) - granularityMs(r)];
  });
  return gates.length === 0 ? undefined : Math.min(...gates);
}

interface Submitted {
  readonly transactions: Transaction[];
  readonly removals: Removal[];
  readonly rejected: SimulationReport['rejected'];
}

const wrongMarket = (input: SimulationInput & { tender: TenderInput }, expected: string): SimulationReport['rejected'][number] => ({
  file: input.file, tenderID: input.tender.tenderID, partyID: input.tender.partyID, code: 'wrong-market',
  reason: `${input.tender.product.marketContext} is not ${expected}`, interval: null,
});

/** Submits the inputs at `at`, in input order; a tender for another market is refused as wrong-market. */
function submitInputs(market: Market, inputs: readonly SimulationInput[], at: Instant): Submitted {
  const out: Submitted = { transactions: [], removals: [], rejected: [] };
  for (const input of inputs) {
    if ('invalid' in input) {
      out.rejected.push({ file: input.file, tenderID: null, partyID: null, ...input.invalid, interval: null });
      continue;
    }
    if (input.tender.product.marketContext !== market.rules.marketContext) {
      out.rejected.push(wrongMarket(input, market.rules.marketContext));
      continue;
    }
    const outcome = market.submit(input.tender, at);
    if (outcome.rejection) {
      const r = outcome.rejection;
      out.rejected.push({ file: input.file, tenderID: r.tenderID, partyID: input.tender.partyID, code: r.code, reason: r.reason,
        interval: r.interval === undefined ? null : iso(r.interval) });
    }
    out.transactions.push(...outcome.transactions);
    out.removals.push(...outcome.removals);
  }
  return out;
}


/**
 * Runs tenders through a fresh market as if all were submitted at `at`, in input order, then lets
 * every gate close. The report is the documented output of `micromarket simulate`.
 */
export function simulate(rules: MarketRules, inputs: readonly SimulationInput[], at: Instant): SimulationReport {
  const market = createMarket(rules);
  const submitted = submitInputs(market, inputs, at);
  return reportOf(market, at, submitted, market.advance(Number.MAX_SAFE_INTEGER));
}

/** The report of `micromarket simulate --rules DIR`: every market's, and what crossed each intertie. */
export interface NestedSimulationReport {
  readonly at: string;
  readonly markets: SimulationReport[];
  readonly interties: Array<{ child: string; parent: string; interval: string; parentPrice: number | null; parentNet: number; flow: number; losses: number;
    importParity: number | null; exportParity: number | null }>;
  /** Tenders for a market context none of the rules define. */
  readonly rejected: SimulationReport['rejected'];
}

/**
 * A tree of markets (rules with interties): every tender goes to the market its context names,
 * then the tree clears as the service clears it, children's aggregates up and flows down.
 */
export function simulateNested(rules: readonly MarketRules[], inputs: readonly SimulationInput[], at: Instant): NestedSimulationReport {
  const markets = rules.map((r) => createMarket(r));
  const byContext = new Map(markets.map((m) => [m.rules.marketContext, m]));
  const submitted = new Map(markets.map((m) => [m, submitInputs(m, inputs.filter((i) => 'tender' in i && i.tender.product.marketContext === m.rules.marketContext), at)]));
  const rejected: SimulationReport['rejected'] = [];
  for (const input of inputs) {
    if ('invalid' in input) rejected.push({ file: input.file, tenderID: null, partyID: null, ...input.invalid, interval: null });
    else if (!byContext.has(input.tender.product.marketContext)) rejected.push(wrongMarket(input, [...byContext.keys()].join(' or ')));
  }
  const { outputs, flows } = clearNested(markets, at, Number.MAX_SAFE_INTEGER);
  return {
    at: iso(at),
    markets: markets.map((m) => reportOf(m, at, submitted.get(m)!, outputs.get(m.rules.id)!)),
    interties: flows.map((f) => ({ child: f.child, parent: f.parent, interval: iso(f.interval), parentPrice: f.parentPrice === undefined ? null : round(f.parentPrice),
      parentNet: round(f.parentNet), flow: round(f.flow), losses: round(f.losses),
      importParity: f.parity ? round(f.parity.import) : null, exportParity: f.parity ? round(f.parity.export) : null })),
    rejected,
  };
}

function reportOf(market: Market, at: Instant, submitted: Submitted, closing: MarketOutput): SimulationReport {
  const { rules } = market;
  const transactions = [...submitted.transactions];
  for (const t of closing.transactions) transactions.push(t); // an auction can make too many to spread
  const removals = [...submitted.removals, ...closing.removals];
  const step = granularityMs(rules);
  const clearings = new Map(closing.clearings.map((c) => [c.interval, c]));
  const starts = [...new Set([...transactions.map((t) => t.interval), ...clearings.keys()])].sort((a, b) => a - b);
  const intervals = starts.map((start) => {
    const traded = transactions.filter((t) => t.interval === start);
    const clearing = clearings.get(start);
    return {
      start: iso(start), end: iso(start + step),
      type: clearing?.type ?? 'continuous' as const,
      price: clearing ? (clearing.price === undefined ? null : round(clearing.price)) : round(traded.at(-1)!.price),
      quantity: round(clearing ? clearing.quantity : traded.reduce((s, t) => s + t.quantity, 0)),
      imbalance: round(clearing?.imbalance ?? 0),
      transactions: traded.map((t) => t.transactionID),
    };
  });
  return {
    market: rules.id,
    marketContext: rules.marketContext,
    clearing: rules.clearing.kind,
    at: iso(at),
    intervals,
    transactions: transactions.map((t) => ({
      transactionID: t.transactionID, interval: iso(t.interval), buyer: t.buyer, seller: t.seller,
      buyTenderID: t.buyTenderID ?? null, sellTenderID: t.sellTenderID ?? null, price: round(t.price), quantity: round(t.quantity),
    })),
    rejected: submitted.rejected,
    removed: removals.map((r) => ({ tenderID: r.tenderID, partyID: r.partyID, interval: iso(r.interval), quantity: round(r.quantity), code: r.code })),
    positions: market.positions.intervals().flatMap((interval) => [...market.positions.of(interval)].sort(([a], [b]) => a.localeCompare(b))
      .map(([party, p]) => ({ interval: iso(interval), party, bought: round(p.bought), sold: round(p.sold), net: round(p.bought - p.sold), cost: round(p.cost) }))),
  };
}
