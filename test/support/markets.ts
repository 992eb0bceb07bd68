import { join } from 'node:path';
import { parseDuration } from '../../src/calendar/duration.js';
import type { Product, TemixPower } from '../../src/emix/product.js';
import type { TenderInput } from '../../src/market/admission.js';
import type { MarketSetup } from '../../src/terms/signals.js';
import { exampleRulesDir } from '../../src/paths.js';
import { loadMarketRules } from '../../src/rules/load.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from './schemas.js';

/** The example markets (found from the package root, so compiled tests find them too). */
export const rulesDir = exampleRulesDir;

let loaded: Promise<MarketSetup[]> | undefined;
/** The example markets shipped in market-rules/. */
export async function exampleRules(id: string): Promise<MarketSetup> {
  loaded ??= loadMarketRules(rulesDir, new XmlPipeline(schemaSet()));
  const rules = (await loaded).find((r) => r.id === id);
  if (!rules) throw new Error(`no example market ${id}`);
  return rules;
}

export interface TenderOptions {
  duration?: string;
  integral?: boolean;
  expires?: number;
  currency?: string;
  payload?: Partial<TemixPower>;
  intervals?: Product['intervals'];
  marketContext?: string;
}

/** A one-interval (or `duration`) tender with a plain price and quantity. */
export function tender(tenderID: string, partyID: string, side: 'buy' | 'sell', price: number | undefined, quantity: number | undefined,
  dtstart: number, options: TenderOptions = {}): TenderInput {
  const payload: TemixPower = {
    ...(price !== undefined ? { price: { kind: 'price', value: price } } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...options.payload,
  };
  return {
    tenderID, partyID,
    product: {
      dtstart,
      ...(options.duration ? { duration: parseDuration(options.duration) } : {}),
      payload: { kind: 'temixPower', value: payload },
      ...(options.intervals ? { intervals: options.intervals } : {}),
      uid: `${tenderID}-p`, transactiveState: 'tender',
      ...(options.expires !== undefined ? { expirationDate: options.expires } : {}),
      ...(options.integral !== undefined ? { integralOnly: options.integral } : {}),
      ...(options.currency ? { currency: options.currency } : {}),
      marketContext: options.marketContext ?? 'urn:micromarket:feeder-7',
      side,
    },
  };
}

let nested: Promise<MarketSetup[]> | undefined;
/** The worked three-level example in market-rules/nested: substation ← feeder-north ← home-1, home-2. */
export function nestedRules(): Promise<MarketSetup[]> {
  return (nested ??= loadMarketRules(join(rulesDir, 'nested'), new XmlPipeline(schemaSet())));
}

/** PowerMatcher-style device curves on a 0..1 grid of `steps` prices. */
export const curves = {
  /** Consumes `kw` at price 0, less as the price rises, nothing from `until` up. */
  load: (steps: number, kw: number, until: number) => Float64Array.from({ length: steps }, (_, i) => Math.max(0, kw * (1 - i / (steps - 1) / until))),
  /** Produces `kw` at any price. */
  flat: (steps: number, kw: number) => new Float64Array(steps).fill(kw),
  /** Supplies up to `kw`, rising linearly from price `from` to `to`. */
  supply: (steps: number, kw: number, from: number, to: number) =>
    Float64Array.from({ length: steps }, (_, i) => -kw * Math.min(1, Math.max(0, (i / (steps - 1) - from) / (to - from)))),
};
