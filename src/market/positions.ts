import type { Instant } from '../calendar/instant.js';
import { roundPrice } from '../terms/rules.js';
import type { Transaction } from './types.js';

/** A party's position in one interval. Net is bought minus sold. */
export interface Position {
  bought: number;
  sold: number;
  /**
   * Paid for what it bought minus received for what it sold: price times the amount traded, which
   * for a rate unit (kW) is the quantity times the interval's hours (units.ts).
   */
  cost: number;
}

/** What changed hands in one interval: quantity and its value at the transactions' prices. */
export interface Traded {
  quantity: number;
  value: number;
}

/** Positions per interval per party, kept up to date from transactions. */
export class Positions {
  readonly #byInterval = new Map<Instant, Map<string, Position>>();
  readonly #traded = new Map<Instant, Traded>();

  /**
   * `amountPerUnit`: the amount one unit of quantity stands for in an interval (units.ts);
   * `precision`: decimal places of the prices the market publishes (rules.ts, pricePrecision).
   */
  constructor(private readonly amountPerUnit: number, private readonly precision: number) {}

  record(t: Transaction): void {
    let parties = this.#byInterval.get(t.interval);
    if (!parties) this.#byInterval.set(t.interval, (parties = new Map()));
    const value = t.price * t.quantity;
    let traded = this.#traded.get(t.interval);
    if (!traded) this.#traded.set(t.interval, (traded = { quantity: 0, value: 0 }));
    traded.quantity += t.quantity;
    traded.value += value;
    // Entries are mutated in place: an auction records 100,000s of transactions at once.
    const buyer = positionOf(parties, t.buyer);
    buyer.bought += t.quantity;
    const cost = value * this.amountPerUnit;
    buyer.cost += cost;
    const seller = positionOf(parties, t.seller);
    seller.sold += t.quantity;
    seller.cost -= cost;
  }

  /** Every party's position in an interval. */
  of(interval: Instant): ReadonlyMap<string, Readonly<Position>> {
    return this.#byInterval.get(interval) ?? new Map();
  }

  /**
   * The interval's volume-weighted average price, rounded as the market publishes prices, or
   * undefined if nothing traded. An auction's transactions all carry its uniform price, so for a
   * call market this is the clearing price.
   */
  averagePrice(interval: Instant): number | undefined {
    const traded = this.#traded.get(interval);
    return traded && traded.quantity > 0 ? roundPrice(traded.value / traded.quantity, this.precision) : undefined;
  }

  intervals(): Instant[] {
    return [...this.#byInterval.keys()].sort((a, b) => a - b);
  }
}

function positionOf(parties: Map<string, Position>, party: string): Position {
  let position = parties.get(party);
  if (!position) parties.set(party, (position = { bought: 0, sold: 0, cost: 0 }));
  return position;
}
