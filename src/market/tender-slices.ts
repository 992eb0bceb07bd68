import { durationOfMillis, durationToMillis } from '../calendar/duration.js';
import type { Instant } from '../calendar/instant.js';
import { streamAsSequence } from '../calendar/sequence.js';
import { SI_EXPONENT, type Item, type Product, type TemixPower } from '../emix/product.js';
import { granularityMs, horizonMs, type MarketRules } from '../terms/rules.js';
import type { Rejection, RejectionCode, Side } from './types.js';

/** A tender's terms for one market interval, in the market's units. Price undefined: price-taking. */
export interface Slice {
  readonly start: Instant;
  readonly end: Instant;
  readonly price: number | undefined;
  readonly quantity: number;
}

export interface SlicedTender {
  readonly side: Side;
  readonly integral: boolean;
  readonly expiresAt: number;
  readonly slices: readonly Slice[];
}

/** The factor that turns a quantity of `item` into the market's units, or a reason it cannot. */
function unitFactor(item: Item | undefined, rules: MarketRules): number | string {
  if (!item) return 1;
  const { resource } = rules;
  const [kind, units] = item.kind === 'powerReal' ? ['electricity', 'W'] : ['electricity', 'Wh'];
  if (kind !== resource.name || units !== resource.units) {
    return `${item.kind} (${units}) is not what ${rules.id} trades (${resource.name} in ${resource.units})`;
  }
  return 10 ** (SI_EXPONENT[item.value.siScaleCode]! - SI_EXPONENT[resource.siScaleCode]!);
}

/**
 * Splits a tender's product into one slice per market interval. A stream interval without a
 * duration lasts one market interval; market intervals the stream does not reach take the
 * product's own payload, and payload fields a stream interval omits come from it too (gluon).
 */
export function sliceTender(tenderID: string, product: Product, rules: MarketRules): SlicedTender | Rejection {
  const reject = (code: RejectionCode, reason: string, interval?: Instant): Rejection =>
    ({ tenderID, code, reason, ...(interval !== undefined ? { interval } : {}) });
  const step = granularityMs(rules);
  if (product.dtstart === undefined) return reject('no-schedule', 'the product has no dtstart');
  if (product.dtstart % step !== 0) return reject('not-aligned', `dtstart must fall on a ${rules.id} interval boundary`);
  if (product.currency !== undefined && product.currency !== rules.currency) {
    return reject('wrong-currency', `${rules.id} trades in ${rules.currency}, not ${product.currency}`);
  }
  const total = product.duration ? durationToMillis(product.duration) : step;
  if (total <= 0 || total % step !== 0) return reject('not-aligned', 'the duration must be a whole number of market intervals');
  // Refused before slicing: a product longer than the horizon has slices beyond it wherever it starts.
  if (total > horizonMs(rules)) return reject('beyond-horizon', `the product lasts longer than ${rules.id} trades ahead (${horizonMs(rules) / 60_000} minutes)`);

  const base: TemixPower = product.payload?.value ?? {};
  // Most tenders have no stream: skip placing one (the hot path of a busy market).
  const stream = !product.intervals?.length ? [] : streamAsSequence<TemixPower>(product.dtstart,
    (product.intervals ?? []).map((i) => ({ duration: i.duration ?? durationOfMillis(step), payload: i.payloads[0]?.value ?? {} })),
    base);
  const end = product.dtstart + total;
  if (stream.length > 0 && stream.at(-1)!.end > end) return reject('not-aligned', 'the stream runs past the product duration');
  const misaligned = stream.find((s) => s.start % step !== 0 || s.end % step !== 0);
  if (misaligned) return reject('not-aligned', 'stream intervals must be whole market intervals', misaligned.start);
  const slices: Slice[] = [];
  for (let start = product.dtstart; start < end; start += step) {
    const covering = stream.length === 0 ? undefined : stream.find((s) => s.start <= start && s.end > start);
    const payload = covering ? covering.payload : base;
    if (payload.price && payload.price.kind !== 'price') {
      return reject('unsupported-price', `${payload.price.kind} is not supported; give an absolute price`, start);
    }
    if (payload.quantity === undefined) return reject('no-quantity', 'no quantity for this interval', start);
    const factor = unitFactor(payload.item ?? base.item, rules);
    if (typeof factor === 'string') return reject('wrong-resource', factor, start);
    const quantity = payload.quantity * factor;
    if (!(quantity > 0)) return reject('quantity-not-positive', 'quantities are positive; the side says the direction', start);
    slices.push({ start, end: start + step, price: payload.price?.value, quantity });
  }
  return {
    side: product.side,
    integral: product.integralOnly ?? false,
    expiresAt: product.expirationDate ?? Number.POSITIVE_INFINITY,
    slices,
  };
}
