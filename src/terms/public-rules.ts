/**
 * A market's rules as served by GET /markets: what a party (or a child market's intertie) needs to
 * bid well, as JSON with ISO 8601 durations. Market hours, SIMPLE levels and the market's own
 * intertie stay private to its operator.
 */
import { formatDuration, parseDuration } from '../calendar/duration.js';
import type { MarketRules } from './rules.js';
import type { MarketSetup } from './signals.js';

export interface PublicRules {
  readonly id: string;
  readonly marketContext: string;
  readonly name: string;
  readonly resource: MarketRules['resource'];
  readonly currency: string;
  readonly granularity: string;
  readonly horizon: string;
  readonly clearing: { readonly kind: 'continuous' | 'call'; readonly gateClosure: string; readonly bids?: 'curve' | 'step'; readonly priceSteps?: number };
  readonly prices: MarketRules['prices'];
  readonly quantities: MarketRules['quantities'];
  readonly enrollment: MarketRules['enrollment'];
  /** For device bridges: the command for each SIMPLE level, the load-up price, the reference price. */
  readonly deviceSignals: MarketSetup['deviceSignals'];
}

export function publicRules(rules: MarketSetup): PublicRules {
  const c = rules.clearing;
  return {
    id: rules.id, marketContext: rules.marketContext, name: rules.name, resource: rules.resource, currency: rules.currency,
    granularity: formatDuration(rules.granularity), horizon: formatDuration(rules.horizon),
    clearing: c.kind === 'continuous'
      ? { kind: c.kind, gateClosure: formatDuration(c.gateClosure) }
      : { kind: c.kind, gateClosure: formatDuration(c.gateClosure), bids: c.bids, ...(c.priceSteps !== undefined ? { priceSteps: c.priceSteps } : {}) },
    prices: rules.prices, quantities: rules.quantities, enrollment: rules.enrollment, deviceSignals: rules.deviceSignals,
  };
}

/** The rules again, as far as they were served (no hours: a remote market's hours are its own to enforce). */
export function rulesOf(p: PublicRules): MarketRules {
  const gateClosure = parseDuration(p.clearing.gateClosure);
  return {
    id: p.id, marketContext: p.marketContext, name: p.name, resource: p.resource, currency: p.currency,
    granularity: parseDuration(p.granularity), horizon: parseDuration(p.horizon),
    clearing: p.clearing.kind === 'continuous'
      ? { kind: 'continuous', gateClosure, selfTrade: 'cancel-resting' }
      : { kind: 'call', gateClosure, bids: p.clearing.bids ?? 'step', ...(p.clearing.priceSteps !== undefined ? { priceSteps: p.clearing.priceSteps } : {}) },
    prices: p.prices, quantities: p.quantities, hours: [], enrollment: p.enrollment,
  };
}
