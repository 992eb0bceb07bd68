/**
 * A price-time priority limit order book for one market interval. Prices and quantities are
 * integers (ticks), so matching is exact. Each side keeps its price levels in a sorted array with
 * the best price last (taking the best level is a pop) and a map from price to level.
 */
export interface RestingOrder {
  readonly tenderID: string;
  readonly partyID: string;
  readonly buy: boolean;
  readonly price: number;
  remaining: number;
  /** Submission order, for time priority across levels (tests, snapshots). */
  readonly seq: number;
  /** Instant after which the order may no longer trade; Infinity if none. */
  readonly expiresAt: number;
  /** All or none: trades only against an order that takes all of its remaining quantity. */
  readonly integral: boolean;
  /** False once filled, cancelled or expired; such entries are skipped and compacted away. */
  active: boolean;
}

interface Level {
  readonly price: number;
  orders: RestingOrder[];
  head: number;
  /** Inactive entries past the head (cancelled out of turn); compacted once they dominate. */
  dead: number;
  /** Active quantity resting at this price. */
  total: number;
}

class BookSide {
  /** Sorted so the best price is last: ascending for bids, descending for asks. */
  readonly prices: number[] = [];
  readonly levels = new Map<number, Level>();

  constructor(readonly buy: boolean) {}

  /** True if `a` is a better price than `b` for this side. */
  better(a: number, b: number): boolean {
    return this.buy ? a > b : a < b;
  }

  add(order: RestingOrder): void {
    let level = this.levels.get(order.price);
    if (!level) {
      level = { price: order.price, orders: [], head: 0, dead: 0, total: 0 };
      this.levels.set(order.price, level);
      this.insertPrice(order.price);
    }
    level.orders.push(order);
    level.total += order.remaining;
  }

  private insertPrice(price: number): void {
    const prices = this.prices;
    const n = prices.length;
    if (n === 0 || this.better(price, prices[n - 1]!)) {
      prices.push(price);
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(price, prices[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    prices.splice(lo, 0, price);
  }

  removeLevelAt(index: number): void {
    const price = this.prices[index]!;
    this.levels.delete(price);
    if (index === this.prices.length - 1) this.prices.pop();
    else this.prices.splice(index, 1);
  }

  /** Marks an order inactive and keeps the level's total; drops the level when it empties. */
  deactivate(order: RestingOrder): void {
    if (!order.active) return;
    order.active = false;
    const level = this.levels.get(order.price)!;
    level.total -= order.remaining;
    if (level.total === 0) {
      const index = this.indexOf(order.price);
      if (index >= 0) this.removeLevelAt(index);
    } else if (++level.dead > 32 && level.dead * 2 > level.orders.length - level.head) {
      level.orders = level.orders.filter((o) => o.active);
      level.head = 0;
      level.dead = 0;
    }
  }

  indexOf(price: number): number {
    const prices = this.prices;
    if (prices[prices.length - 1] === price) return prices.length - 1;
    let lo = 0;
    let hi = prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(price, prices[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return prices[lo] === price ? lo : -1;
  }
}

/** One trade between an incoming order and a resting one, at the resting order's price. */
export interface Fill {
  readonly resting: RestingOrder;
  readonly price: number;
  readonly quantity: number;
}

export interface MatchOutcome {
  readonly fills: Fill[];
  /** Resting orders taken out while matching: expired, or removed by self-trade prevention. */
  readonly removed: Array<{ order: RestingOrder; why: 'expired' | 'self-trade' }>;
  /** What the incoming order does next. */
  readonly incoming: 'rests' | 'filled' | 'self-trade' | 'integral-not-fillable';
  /** The order left resting, when `incoming` is 'rests'. */
  readonly resting?: RestingOrder;
}

export type SelfTrade = 'cancel-resting' | 'cancel-incoming';

export interface IncomingOrder {
  readonly tenderID: string;
  readonly partyID: string;
  readonly buy: boolean;
  readonly price: number;
  readonly quantity: number;
  readonly expiresAt: number;
  readonly integral: boolean;
}

export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  #seq = 0;

  constructor(private readonly selfTrade: SelfTrade) {}

  private crosses(buy: boolean, limit: number, resting: number): boolean {
    return buy ? resting <= limit : resting >= limit;
  }

  /** The quantity an integral incoming order could take now, without changing the book. */
  private fillable(order: IncomingOrder, now: number): number {
    const opposite = order.buy ? this.asks : this.bids;
    let need = order.quantity;
    for (let k = opposite.prices.length - 1; k >= 0 && need > 0; k--) {
      const level = opposite.levels.get(opposite.prices[k]!)!;
      if (!this.crosses(order.buy, order.price, level.price)) break;
      for (let i = level.head; i < level.orders.length && need > 0; i++) {
        const o = level.orders[i]!;
        if (!o.active || o.expiresAt <= now) continue;
        if (o.partyID === order.partyID) {
          if (this.selfTrade === 'cancel-incoming') return order.quantity - need;
          continue;
        }
        if (o.integral && o.remaining > need) continue;
        need -= Math.min(need, o.remaining);
      }
    }
    return order.quantity - need;
  }

  /**
   * Matches an incoming order against the book (price-time priority, each trade at the resting
   * order's price) and rests what is left. An integral order that crosses but cannot be filled
   * entirely is refused rather than left crossing the book.
   */
  submit(order: IncomingOrder, now: number): MatchOutcome {
    const fills: Fill[] = [];
    const removed: Array<{ order: RestingOrder; why: 'expired' | 'self-trade' }> = [];
    const opposite = order.buy ? this.asks : this.bids;
    if (order.integral) {
      const best = opposite.prices[opposite.prices.length - 1];
      if (best !== undefined && this.crosses(order.buy, order.price, best) && this.fillable(order, now) < order.quantity) {
        return { fills, removed, incoming: 'integral-not-fillable' };
      }
    }
    let remaining = order.quantity;
    let k = opposite.prices.length - 1;
    levels: while (remaining > 0 && k >= 0) {
      const level = opposite.levels.get(opposite.prices[k]!)!;
      if (!this.crosses(order.buy, order.price, level.price)) break;
      const orders = level.orders;
      let blocked = false; // an integral order too large for us stays, and so does the level
      for (let i = level.head; i < orders.length && remaining > 0; i++) {
        const o = orders[i]!;
        if (!o.active) {
          if (i === level.head && !blocked) level.head++;
          continue;
        }
        if (o.expiresAt <= now) {
          o.active = false;
          level.total -= o.remaining;
          removed.push({ order: o, why: 'expired' });
          if (i === level.head && !blocked) level.head++;
          continue;
        }
        if (o.partyID === order.partyID) {
          if (this.selfTrade === 'cancel-incoming') {
            this.dropIfEmpty(opposite, level, k);
            return { fills, removed, incoming: 'self-trade' };
          }
          o.active = false;
          level.total -= o.remaining;
          removed.push({ order: o, why: 'self-trade' });
          if (i === level.head && !blocked) level.head++;
          continue;
        }
        if (o.integral && o.remaining > remaining) {
          blocked = true;
          continue;
        }
        const quantity = o.remaining < remaining ? o.remaining : remaining;
        o.remaining -= quantity;
        level.total -= quantity;
        remaining -= quantity;
        fills.push({ resting: o, price: level.price, quantity });
        if (o.remaining === 0) {
          o.active = false;
          if (i === level.head && !blocked) level.head++;
        }
      }
      if (level.head > 64 && level.head * 2 > orders.length) {
        level.orders = orders.slice(level.head); // drop the consumed front of a long-lived level
        level.head = 0;
        level.dead = 0;
      }
      if (level.total === 0) {
        opposite.removeLevelAt(k);
      } else if (remaining > 0 && !blocked) {
        break levels; // only inactive entries beyond the head remain; cannot happen with exact totals
      }
      k--;
    }
    if (remaining === 0) return { fills, removed, incoming: 'filled' };
    const resting: RestingOrder = {
      tenderID: order.tenderID, partyID: order.partyID, buy: order.buy, price: order.price, remaining,
      seq: this.#seq++, expiresAt: order.expiresAt, integral: order.integral, active: true,
    };
    (order.buy ? this.bids : this.asks).add(resting);
    return { fills, removed, incoming: 'rests', resting };
  }

  private dropIfEmpty(side: BookSide, level: Level, index: number): void {
    if (level.total === 0) side.removeLevelAt(index);
  }

  /** Takes a resting order out of the book. */
  remove(order: RestingOrder): void {
    (order.buy ? this.bids : this.asks).deactivate(order);
  }

  /** Best bid and ask prices (ticks), ignoring integral orders' effect on depth. */
  best(): { bid: number | undefined; ask: number | undefined } {
    return { bid: this.bids.prices.at(-1), ask: this.asks.prices.at(-1) };
  }

  /** Active resting orders, best price first, then time. */
  *resting(buy: boolean): Generator<RestingOrder> {
    const side = buy ? this.bids : this.asks;
    for (let k = side.prices.length - 1; k >= 0; k--) {
      const level = side.levels.get(side.prices[k]!)!;
      for (let i = level.head; i < level.orders.length; i++) if (level.orders[i]!.active) yield level.orders[i]!;
    }
  }

  /** Depth per price level (ticks → active quantity), best first. */
  depth(buy: boolean): Array<[number, number]> {
    const side = buy ? this.bids : this.asks;
    return side.prices.map((p) => [p, side.levels.get(p)!.total] as [number, number]).reverse();
  }
}
