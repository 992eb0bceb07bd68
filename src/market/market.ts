import { CallMarket } from './call-market.js';
import { ContinuousMarket } from './continuous-market.js';
import type { MarketRules } from '../terms/rules.js';

export type Market = ContinuousMarket | CallMarket;

/** Builds the market its rules describe. */
export function createMarket(rules: MarketRules): Market {
  return rules.clearing.kind === 'continuous'
    ? new ContinuousMarket(rules as MarketRules & { clearing: { kind: 'continuous' } })
    : new CallMarket(rules as MarketRules & { clearing: { kind: 'call' } });
}
