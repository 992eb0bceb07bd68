import type { Instant } from '../calendar/instant.js';
import type { Transaction } from './types.js';

/** A party's position in one interval. Net is bought minus sold. */
export interface Position {
  bought: number;
  sold: number;
  /** Paid for what it bought minus received for what it sold. */
  cost: number;
}

/** Positions per interval per party, kept up to date from transactions. */
export class Positions {
  readonly #byInterval = new Map<Instant, Map<string, Position>>();

  record(t: Transaction): void {
    let parties = this.#byInterval.get(t.interval);
    if (!parties) this.#byInterval.set(t.interval, (parties = new Map()));
    const value = t.price * t.quantity;
    const buyer = parties.get(t.buyer) ?? { bought: 0, sold: 0, cost: 0 };
    buyer.bought += t.quantity;
    buyer.cost += value;
    parties.set(t.buyer, buyer);
    const seller = parties.get(t.seller) ?? { bought: 0, sold: 0, cost: 0 };
    seller.sold += t.quantity;
    seller.cost -= value;
    parties.set(t.seller, seller);
  }

  /** Every party's position in an interval. */
  of(interval: Instant): ReadonlyMap<string, Readonly<Position>> {
    return this.#byInterval.get(interval) ?? new Map();
  }

  intervals(): Instant[] {
    return [...this.#byInterval.keys()].sort((a, b) => a - b);
  }
}
