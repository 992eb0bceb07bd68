import type { Availability } from '../calendar/availability.js';
import { isAvailable } from '../calendar/availability-check.js';
import type { Instant } from '../calendar/instant.js';
import type { Product } from '../emix/product.js';
import { gateClosureMs, horizonMs, type MarketRules } from '../terms/rules.js';
import { sliceTender } from './tender-slices.js';
import { Ticks } from '../terms/ticks.js';
import type { Rejection, RejectionCode, Side } from './types.js';

/** A tender as the engine receives it: who, which tender, and the EMIX product it offers. */
export interface TenderInput {
  readonly tenderID: string;
  readonly partyID: string;
  readonly product: Product;
}

/** One interval of an admitted tender, in ticks. `price` undefined: price-taking (unresponsive). */
export interface AdmittedSlice {
  readonly interval: Instant;
  readonly price: number | undefined;
  readonly quantity: number;
}

export interface Admitted {
  readonly side: Side;
  readonly integral: boolean;
  readonly expiresAt: number;
  readonly slices: readonly AdmittedSlice[];
}

/** Market hours, answered once per interval start. */
export class MarketCalendar {
  readonly #open = new Map<Instant, boolean>();

  constructor(private readonly hours: readonly Availability[], private readonly step: number) {}

  isOpen(start: Instant): boolean {
    if (this.hours.length === 0) return true;
    let open = this.#open.get(start);
    if (open === undefined) {
      open = isAvailable(this.hours, start, start + this.step);
      this.#open.set(start, open);
    }
    return open;
  }

  /** Forgets intervals that have started; they are never asked about again. */
  forgetBefore(instant: Instant): void {
    for (const start of this.#open.keys()) if (start < instant) this.#open.delete(start);
  }
}

/**
 * Every check a tender must pass before it reaches a book or an auction: schedule, units, gate,
 * horizon, market hours, the party's own availability, price limits and ticks, quantity limits
 * and ticks. A tender is admitted whole or refused with the first reason found.
 */
export function admit(
  rules: MarketRules, calendar: MarketCalendar, prices: Ticks, quantities: Ticks,
  tender: TenderInput, now: Instant, partyAvailability: readonly Availability[],
): Admitted | Rejection {
  const sliced = sliceTender(tender.tenderID, tender.product, rules);
  if ('code' in sliced) return sliced;
  const reject = (code: RejectionCode, reason: string, interval: Instant): Rejection => ({ tenderID: tender.tenderID, code, reason, interval });
  if (sliced.expiresAt <= now) return { tenderID: tender.tenderID, code: 'expired', reason: 'the expirationDate has passed' };
  const gate = gateClosureMs(rules);
  const horizon = horizonMs(rules);
  const { floor, cap } = rules.prices;
  const q = rules.quantities;
  const slices: AdmittedSlice[] = [];
  for (const s of sliced.slices) {
    if (now >= s.start - gate) return reject('gate-closed', 'trading in this interval has closed', s.start);
    if (s.start >= now + horizon) return reject('beyond-horizon', `${rules.id} trades at most ${horizon / 60_000} minutes ahead`, s.start);
    if (!calendar.isOpen(s.start)) return reject('market-closed', `${rules.id} is closed for this interval`, s.start);
    if (partyAvailability.length > 0 && !isAvailable(partyAvailability, s.start, s.end)) {
      return reject('party-unavailable', 'outside the availability the party declared', s.start);
    }
    let price: number | undefined;
    if (s.price !== undefined) {
      if (s.price < floor || s.price > cap) return reject('price-out-of-range', `the price must lie within ${floor}..${cap}`, s.start);
      price = prices.of(s.price);
      if (price === undefined) return reject('price-off-tick', `the price must be a multiple of ${rules.prices.tick}`, s.start);
    }
    const quantity = quantities.of(s.quantity);
    if (quantity === undefined) return reject('quantity-off-tick', `the quantity must be a multiple of ${q.tick}`, s.start);
    if (q.minimum !== undefined && s.quantity < q.minimum) return reject('quantity-below-minimum', `the minimum quantity is ${q.minimum}`, s.start);
    if (q.maximum !== undefined && s.quantity > q.maximum) return reject('quantity-above-maximum', `the maximum quantity is ${q.maximum}`, s.start);
    slices.push({ interval: s.start, price, quantity });
  }
  return { side: sliced.side, integral: sliced.integral, expiresAt: sliced.expiresAt, slices };
}
