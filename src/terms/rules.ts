import type { Availability } from '../calendar/availability.js';
import { durationToMillis, type Duration } from '../calendar/duration.js';
import type { SiScaleCode } from '../emix/product.js';
import { Ticks } from './ticks.js';

/** What a market trades: a named resource measured in `units` scaled by an SI prefix (kW = W, k). */
export interface Resource {
  readonly name: string;
  readonly units: string;
  readonly siScaleCode: SiScaleCode;
}

export type SelfTradePolicy = 'cancel-resting' | 'cancel-incoming';

export type ClearingRules =
  | { readonly kind: 'continuous'; readonly gateClosure: Duration; readonly selfTrade: SelfTradePolicy }
  | { readonly kind: 'call'; readonly gateClosure: Duration; readonly bids: 'curve' | 'step'; readonly priceSteps?: number };

/** A market as its operator defines it in market-rules/. Close to the EMIX standard terms it is served as. */
export interface MarketRules {
  readonly id: string;
  readonly marketContext: string;
  readonly name: string;
  readonly resource: Resource;
  readonly currency: string;
  readonly granularity: Duration;
  readonly horizon: Duration;
  readonly clearing: ClearingRules;
  /**
   * `precision`: decimal places of a clearing price as published and settled (see `pricePrecision`).
   */
  readonly prices: { readonly floor: number; readonly cap: number; readonly tick: number; readonly precision?: number };
  readonly quantities: { readonly tick: number; readonly minimum?: number; readonly maximum?: number };
  /** Market hours; empty means always open. */
  readonly hours: readonly Availability[];
  readonly enrollment: 'open' | 'approval';
  /** Nested markets: this market trades its residual in a parent market, as one party. */
  readonly intertie?: IntertieRules;
}

/** What an intertie between a child market and its parent allows (src/market/intertie.ts prices it). */
export interface IntertieTerms {
  /** Most the child may receive per interval, in its units. */
  readonly importCapacity: number;
  /** Most the child may send per interval, in its units. */
  readonly exportCapacity: number;
  /** Share of what is sent that is lost on the way (0 ≤ λ < 1). */
  readonly lossFactor: number;
  /** Transport fee per unit, in the child's currency, charged on what crosses. */
  readonly fee: number;
}

/** Where a child market's parent is: a market of this service, or of another micromarket service. */
export type IntertieParent =
  | { readonly kind: 'local'; readonly marketID: string }
  | { readonly kind: 'remote'; readonly url: string; readonly marketContext: string; readonly clientSecretEnv: string }
  /**
   * A PowerMatcher cluster joined as a remote agent. `lead`: how long before this market's gate its
   * last bid goes up; `minTimeBetweenBidUpdates`: PowerMatcher's limit on how often it bids (real time).
   */
  | { readonly kind: 'powermatcher'; readonly url: string; readonly agentId: string; readonly lead: Duration; readonly minTimeBetweenBidUpdates: Duration };

export interface IntertieRules extends IntertieTerms {
  readonly parent: IntertieParent;
  /** The party the child is in the parent: the only name of the child the parent ever sees. */
  readonly partyID: string;
  /** Other limits in some intervals (intertie.ts, termsAt): the first whose windows cover an interval applies. */
  readonly derates: readonly Derate[];
}

/** Limits that replace the intertie's own inside the AVAILABLE windows of `when`. */
export interface Derate extends Partial<IntertieTerms> {
  readonly when: Availability;
}

/** A rule that does not hold, naming the element it concerns. */
export interface RuleProblem {
  readonly element: string;
  readonly reason: string;
}

const DAY = 86_400_000;
const isMultipleOf = (value: number, tick: number) => new Ticks(tick).of(value) !== undefined;

function fixedLength(d: Duration): number | undefined {
  return d.years || d.months || d.negative ? undefined : durationToMillis(d);
}

/** The checks a schema cannot express. Returns every problem, not only the first. */
export function checkRules(rules: MarketRules): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const problem = (element: string, reason: string) => problems.push({ element, reason });
  const granularity = fixedLength(rules.granularity);
  if (granularity === undefined || granularity <= 0) problem('granularity', 'must be a positive fixed length (no years or months)');
  else if (granularity < DAY ? DAY % granularity !== 0 : granularity % DAY !== 0) {
    problem('granularity', 'must divide a day, or be a whole number of days, so intervals align to UTC days');
  }
  const horizon = fixedLength(rules.horizon);
  if (horizon === undefined || (granularity !== undefined && horizon < granularity)) problem('horizon', 'must be a fixed length of at least one interval');
  const gate = fixedLength(rules.clearing.gateClosure);
  if (gate === undefined) problem('gateClosure', 'must be a non-negative fixed length');
  else if (horizon !== undefined && gate >= horizon) problem('gateClosure', 'must be shorter than the horizon');
  const { floor, cap, tick } = rules.prices;
  if (floor >= cap) problem('cap', `must be above the floor (${floor})`);
  else {
    if (!isMultipleOf(floor, tick)) problem('floor', `must be a whole number of price ticks (${tick})`);
    if (!isMultipleOf(cap, tick)) problem('cap', `must be a whole number of price ticks (${tick})`);
  }
  const q = rules.quantities;
  if (q.minimum !== undefined && !isMultipleOf(q.minimum, q.tick)) problem('minimum', `must be a whole number of quantity ticks (${q.tick})`);
  if (q.maximum !== undefined && !isMultipleOf(q.maximum, q.tick)) problem('maximum', `must be a whole number of quantity ticks (${q.tick})`);
  if (q.minimum !== undefined && q.maximum !== undefined && q.minimum > q.maximum) problem('maximum', 'must not be below the minimum');
  if (rules.clearing.kind === 'call' && rules.clearing.bids === 'curve' && rules.clearing.priceSteps === undefined) {
    problem('priceSteps', 'a curve-bid call market needs priceSteps (the PowerMatcher market basis)');
  }
  // A curve reaches the auction as step tenders on ticks, one per gap between two steps (ladder): each
  // gap must hold a tick price, or two steps could not be told apart.
  const increment = curveIncrement(rules);
  if (increment !== undefined && floor < cap && increment < tick * (1 - 1e-9)) {
    problem('priceSteps', `the price steps (${Number(increment.toPrecision(6))} apart) must not be closer than the price tick (${tick}): use fewer steps or a finer tick`);
  }
  const precision = rules.prices.precision;
  const tickDecimals = new Ticks(tick).decimals;
  if (precision !== undefined && (precision < tickDecimals || precision > MAX_PRECISION)) {
    problem('precision', `must lie within ${tickDecimals}..${MAX_PRECISION}: at least the tick's decimal places`);
  }
  if (rules.intertie && rules.clearing.kind === 'call' && rules.clearing.bids !== 'curve') {
    problem('intertie', 'a step-bid call market cannot have an intertie: a curve call market trades its aggregate curve upward, a continuous market its unmatched book');
  }
  return problems;
}

/** Decimal places a curve market publishes its continuous price at, unless its rules say otherwise. */
export const CURVE_PRECISION = 6;
/** Most decimal places a price is published with (a price is a double: about 15 significant digits). */
export const MAX_PRECISION = 12;

/** The step increment of a curve call market's price grid; undefined for other markets. */
function curveIncrement(rules: MarketRules): number | undefined {
  const c = rules.clearing;
  if (c.kind !== 'call' || c.bids !== 'curve' || c.priceSteps === undefined || c.priceSteps < 2) return undefined;
  return (rules.prices.cap - rules.prices.floor) / (c.priceSteps - 1);
}

/**
 * Decimal places of the clearing prices a market publishes (quotes, events, transactions, logs) and
 * settles at: the rules' `precision`, else the tick's decimals for continuous and step auctions
 * (they trade on ticks, or between two in GridLAB-D's marginal cases), and CURVE_PRECISION for a
 * curve market, whose price is PowerMatcher's continuous crossing: a millionth keeps the step it
 * names whatever the basis (steps of 1/99, of 8/9).
 */
export function pricePrecision(rules: MarketRules): number {
  if (rules.prices.precision !== undefined) return rules.prices.precision;
  const decimals = new Ticks(rules.prices.tick).decimals;
  return curveIncrement(rules) === undefined ? decimals : Math.max(decimals, CURVE_PRECISION);
}

/** A price as published: rounded to `precision` decimal places, halves up. */
export function roundPrice(price: number, precision: number): number {
  const scale = 10 ** precision;
  return Number((Math.round(price * scale) / scale).toFixed(precision));
}

/** Interval length in milliseconds (rules passed checkRules). */
export const granularityMs = (rules: MarketRules): number => durationToMillis(rules.granularity);
export const horizonMs = (rules: MarketRules): number => durationToMillis(rules.horizon);
export const gateClosureMs = (rules: MarketRules): number => durationToMillis(rules.clearing.gateClosure);

/** The first interval whose gate is still open at `now`: the one a bid made now is for. */
export const firstOpenInterval = (rules: MarketRules, now: number): number => {
  const step = granularityMs(rules);
  return (Math.floor((now + gateClosureMs(rules)) / step) + 1) * step;
};
