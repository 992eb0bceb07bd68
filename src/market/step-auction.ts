import type { ClearingType } from './types.js';

/**
 * GridLAB-D's uniform-price double auction (market/auction.cpp) for price/quantity step bids:
 * the marginal unit sets the price and bids tied at the clearing price share the marginal
 * quantity pro rata. Bids without a price are unresponsive (must-run) and sit at the cap
 * (buyers) or the floor (sellers); a bid priced at the cap or floor is read the same way, as
 * GridLAB-D reads bids by price. See docs/clearing.md.
 */
export interface StepBid {
  readonly key: number;
  /** Undefined: unresponsive. */
  readonly price: number | undefined;
  readonly quantity: number;
}

export interface StepClearing {
  readonly price: number | undefined;
  readonly type: Extract<ClearingType, 'marginal-buyer' | 'marginal-seller' | 'exact' | 'marginal-price' | 'failure' | 'null'>;
  readonly quantity: number;
  /** Cleared quantity per bid key; bids that clear nothing are absent. */
  readonly buys: ReadonlyMap<number, number>;
  readonly sells: ReadonlyMap<number, number>;
}

/** GridLAB-D's bid_offset: how far past a neighbouring bid a marginal price is placed. */
export const BID_OFFSET = 1e-4;

interface Ranked { key: number; price: number; quantity: number; unresponsive: boolean }

export function clearStepAuction(buyBids: readonly StepBid[], sellBids: readonly StepBid[], floor: number, cap: number): StepClearing {
  // GridLAB-D reads a bid by its price alone: one at the cap (a buy) or the floor (a sell) accepts
  // any price the market can have, so it is unresponsive exactly as a bid without a price is.
  const rank = (bids: readonly StepBid[], extreme: number) =>
    bids.map((b) => ({ key: b.key, price: b.price ?? extreme, quantity: b.quantity, unresponsive: (b.price ?? extreme) === extreme }));
  // Stable sorts keep submission order among equal prices.
  const buyers: Ranked[] = rank(buyBids, cap).sort((x, y) => y.price - x.price);
  const sellers: Ranked[] = rank(sellBids, floor).sort((x, y) => x.price - y.price);
  const empty = new Map<number, number>();
  if (buyers.length === 0 && sellers.length === 0) return { price: undefined, type: 'null', quantity: 0, buys: empty, sells: empty };

  let i = 0;
  let j = 0;
  let demand = 0;
  let supply = 0;
  let cleared = 0;
  let a = cap;
  let b = floor;
  let type: StepClearing['type'] = 'null';
  let equalLast = false;
  while (i < buyers.length && j < sellers.length && buyers[i]!.price >= sellers[j]!.price) {
    const buyQuantity = demand + buyers[i]!.quantity;
    const sellQuantity = supply + sellers[j]!.quantity;
    if (buyQuantity > sellQuantity) {
      cleared = supply = sellQuantity;
      a = b = buyers[i]!.price;
      j++;
      type = 'marginal-buyer';
      equalLast = false;
    } else if (buyQuantity < sellQuantity) {
      cleared = demand = buyQuantity;
      a = b = sellers[j]!.price;
      i++;
      type = 'marginal-seller';
      equalLast = false;
    } else {
      cleared = demand = supply = buyQuantity;
      a = buyers[i]!.price;
      b = sellers[j]!.price;
      i++;
      j++;
      equalLast = true;
    }
  }

  let price: number;
  if (cleared === 0) {
    type = 'null';
    if (buyers.length > 0 && sellers.length > 0) price = sellers[0]!.price + (buyers[0]!.price - sellers[0]!.price) * 0.5;
    else if (buyers.length > 0) price = buyers[0]!.price + BID_OFFSET;
    else price = sellers[0]!.price - BID_OFFSET;
  } else if (equalLast) {
    const nextBuyer = buyers[i];
    const nextSeller = sellers[j];
    const buyerAtA = nextBuyer !== undefined && nextBuyer.price === a;
    const sellerAtB = nextSeller !== undefined && nextSeller.price === b;
    if (buyerAtA && !sellerAtB) {
      type = 'marginal-buyer';
      price = a;
    } else if (sellerAtB && !buyerAtA) {
      type = 'marginal-seller';
      price = b;
    } else if (a === b) {
      type = 'exact';
      price = a;
    } else {
      type = 'marginal-price';
      price = marginalPrice(a, b, nextBuyer?.price, nextSeller?.price, floor, cap);
    }
  } else {
    price = a;
  }

  // Must-run bids that could not all be served: GridLAB-D's FAILURE, at the cap or the floor.
  const unresponsiveDemand = sum(buyers.filter((x) => x.unresponsive));
  const unresponsiveSupply = sum(sellers.filter((x) => x.unresponsive));
  if (cleared > 0 && cleared < unresponsiveDemand) {
    type = 'failure';
    price = cap;
  } else if (cleared > 0 && cleared < unresponsiveSupply) {
    type = 'failure';
    price = floor;
  }
  price = Math.min(cap, Math.max(floor, price));
  if (cleared === 0) return { price, type, quantity: 0, buys: empty, sells: empty };
  const buys = allocate(buyers, cleared, price, (p) => p > price);
  const sells = allocate(sellers, cleared, price, (p) => p < price);
  return { price, type, quantity: cleared, buys, sells };
}

function sum(bids: readonly Ranked[]): number {
  return bids.reduce((s, x) => s + x.quantity, 0);
}

/** A price inside the gap [b, a] that triggers no further bid (GridLAB-D's PRICE case). */
function marginalPrice(a: number, b: number, nextBuyer: number | undefined, nextSeller: number | undefined, floor: number, cap: number): number {
  if (a === cap && b === floor) {
    if (nextBuyer === undefined && nextSeller === undefined) return 0;
    if (nextBuyer !== undefined && nextSeller !== undefined) return (nextBuyer + nextSeller) / 2;
    return nextBuyer !== undefined ? nextBuyer + BID_OFFSET : nextSeller! - BID_OFFSET;
  }
  if (a === cap) return nextBuyer !== undefined && nextBuyer + BID_OFFSET > b ? nextBuyer + BID_OFFSET : b;
  if (b === floor) return nextSeller !== undefined && nextSeller - BID_OFFSET < a ? nextSeller - BID_OFFSET : a;
  if (nextBuyer === a) return a;
  if (nextSeller === b) return b;
  const average = (a + b) / 2;
  if (nextBuyer !== undefined && average < nextBuyer) return nextBuyer + BID_OFFSET;
  if (nextSeller !== undefined && average > nextSeller) return nextSeller - BID_OFFSET;
  return average;
}

/**
 * Bids strictly better than the price clear in full; bids exactly at the price share what is left
 * of the cleared quantity in proportion to their size (marginal_frac).
 */
function allocate(side: readonly Ranked[], cleared: number, price: number, better: (p: number) => boolean): Map<number, number> {
  const out = new Map<number, number>();
  let full = 0;
  let tied = 0;
  for (const x of side) {
    if (better(x.price)) full += x.quantity;
    else if (x.price === price) tied += x.quantity;
  }
  const fraction = tied > 0 ? Math.max(0, Math.min(1, (cleared - full) / tied)) : 0;
  for (const x of side) {
    const q = better(x.price) ? x.quantity : x.price === price ? x.quantity * fraction : 0;
    if (q > 0) out.set(x.key, q);
  }
  return out;
}
