import type { Instant } from '../calendar/instant.js';

export type Side = 'buy' | 'sell';

/** A binding trade for one market interval. Quantities and prices are in the market's units. */
export interface Transaction {
  readonly transactionID: string;
  readonly marketID: string;
  /** Start of the market interval delivered. */
  readonly interval: Instant;
  readonly buyer: string;
  readonly seller: string;
  /** Tender of each side; the market's balancing account has none. */
  readonly buyTenderID?: string;
  readonly sellTenderID?: string;
  readonly price: number;
  readonly quantity: number;
  /** When it was made (the `now` of the call that made it). */
  readonly at: Instant;
}

/** Why a tender was refused. Codes are stable: clients and `simulate` output rely on them. */
export type RejectionCode =
  | 'duplicate-tender' | 'unknown-tender' | 'no-schedule' | 'not-aligned' | 'beyond-horizon' | 'gate-closed'
  | 'market-closed' | 'party-unavailable' | 'expired' | 'wrong-currency' | 'wrong-resource' | 'unsupported-price'
  | 'no-quantity' | 'quantity-not-positive' | 'quantity-off-tick' | 'quantity-below-minimum' | 'quantity-above-maximum'
  | 'price-out-of-range' | 'price-off-tick' | 'integral-not-fillable' | 'self-trade' | 'curve-invalid';

export interface Rejection {
  readonly tenderID: string;
  readonly code: RejectionCode;
  readonly reason: string;
  /** The market interval concerned, when the problem is with one interval. */
  readonly interval?: Instant;
}

/** A resting order that left the book without trading: cancelled, expired, or removed by self-trade prevention. */
export interface Removal {
  readonly tenderID: string;
  readonly partyID: string;
  readonly interval: Instant;
  readonly quantity: number;
  readonly code: 'cancelled' | 'expired' | 'gate-closed' | 'self-trade' | 'integral-not-fillable';
}

/** The name GridLAB-D (step bids) or PowerMatcher (curves) gives the way a call auction cleared. */
export type ClearingType =
  | 'marginal-buyer' | 'marginal-seller' | 'exact' | 'marginal-price' | 'failure' | 'null'
  | 'interpolated' | 'flat-midpoint' | 'floor' | 'cap'
  /** Held at a bound an uncongested intertie set: the parent's price, moved by losses and fee. */
  | 'intertie';

export interface ClearingResult {
  readonly marketID: string;
  readonly interval: Instant;
  /** Undefined only when nobody bid (type `null` without a price). */
  readonly price: number | undefined;
  readonly type: ClearingType;
  /** Total bought (= total sold). */
  readonly quantity: number;
  /** Net of the participants' allocations that the balancing account took (curve markets); 0 otherwise. */
  readonly imbalance: number;
  readonly transactions: readonly Transaction[];
}
