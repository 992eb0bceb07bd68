import { formatInstant, type Instant } from '../calendar/instant.js';
import type { TenderInput } from './admission.js';
import { createMarket } from './market.js';
import { gateClosureMs, granularityMs, type MarketRules } from './rules.js';
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

/** The default submission time: one interval before the earliest gate closure among the tenders. */
export function defaultSimulationTime(rules: MarketRules, inputs: readonly SimulationInput[]): Instant | undefined {
  const starts = inputs.flatMap((i) => ('tender' in i && i.tender.product.dtstart !== undefined ? [i.tender.product.dtstart] : []));
  return starts.length === 0 ? undefined : Math.min(...starts) - gateClosureMs(rules) - granularityMs(rules);
}

/**
 * Runs tenders through a fresh market as if all were submitted at `at`, in input order, then lets
 * every gate close. The report is the documented output of `micromarket simulate`.
 */
export function simulate(rules: MarketRules, inputs: readonly SimulationInput[], at: Instant): SimulationReport {
  const market = createMarket(rules);
  const transactions: Transaction[] = [];
  const removals: Removal[] = [];
  const rejected: SimulationReport['rejected'] = [];
  for (const input of inputs) {
    if ('invalid' in input) {
      rejected.push({ file: input.file, tenderID: null, partyID: null, ...input.invalid, interval: null });
      continue;
    }
    const { tender } = input;
    if (tender.product.marketContext !== rules.marketContext) {
      rejected.push({ file: input.file, tenderID: tender.tenderID, partyID: tender.partyID, code: 'wrong-market',
        reason: `${tender.product.marketContext} is not ${rules.marketContext}`, interval: null });
      continue;
    }
    const outcome = market.submit(tender, at);
    if (outcome.rejection) {
      const r = outcome.rejection;
      rejected.push({ file: input.file, tenderID: r.tenderID, partyID: tender.partyID, code: r.code, reason: r.reason,
        interval: r.interval === undefined ? null : iso(r.interval) });
    }
    transactions.push(...outcome.transactions);
    removals.push(...outcome.removals);
  }
  const closing = market.advance(Number.MAX_SAFE_INTEGER);
  for (const t of closing.transactions) transactions.push(t); // an auction can make too many to spread
  removals.push(...closing.removals);

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
    rejected,
    removed: removals.map((r) => ({ tenderID: r.tenderID, partyID: r.partyID, interval: iso(r.interval), quantity: round(r.quantity), code: r.code })),
    positions: market.positions.intervals().flatMap((interval) => [...market.positions.of(interval)].sort(([a], [b]) => a.localeCompare(b))
      .map(([party, p]) => ({ interval: iso(interval), party, bought: round(p.bought), sold: round(p.sold), net: round(p.bought - p.sold), cost: round(p.cost) }))),
  };
}
