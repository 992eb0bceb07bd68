/**
 * What the operator's dashboard shows, as one JSON snapshot read from the service: each market with
 * its rules, books and recent clearing prices, the parties' positions, recent transactions, the
 * interties, the OpenADR events with their answers, and the devices adapters report on.
 */
import type { ServiceContext } from '../host/context.js';
import { collections } from '../host/records.js';
import type { DeviceView, EventView, IntertieReading, ProtocolReadings } from '../host/views.js';
import type { IntervalBook } from '../market/market-base.js';
import type { Transaction } from '../market/types.js';
import { publicRules, type PublicRules } from '../terms/public-rules.js';

export interface MarketView {
  readonly rules: PublicRules;
  /** The next open intervals' books. */
  readonly books: IntervalBook[];
  /** Volume-weighted price of each interval that traded, oldest first. */
  readonly prices: Array<{ interval: number; price: number; quantity: number }>;
  /** The market's intertie to its parent, if it has one: the limits congestion is read against. */
  readonly intertie?: { parent: string; partyID: string; importCapacity: number; exportCapacity: number; lossFactor: number; fee: number };
  /**
   * Each party's net position (bought minus sold) and cost in the last interval that traded, and
   * what it delivered there by its power telemetry (mean, market units; null without readings).
   */
  readonly positions: { interval: number | null; parties: Array<{ partyID: string; net: number; cost: number; delivered: number | null }> };
}

export interface Snapshot {
  readonly now: number;
  readonly markets: MarketView[];
  readonly transactions: Transaction[];
  readonly interties: IntertieReading[];
  readonly events: EventView[];
  readonly devices: DeviceView[];
}

const BOOKS = 4;
const PRICES = 96;
const RECENT = 25;

/** Where the snapshot's protocol parts come from: the interties' readings, and the VENs' events and telemetry (OpenADR). */
export interface SnapshotSources {
  readonly interties: () => IntertieReading[];
  readonly readings: (now: number, recent: number) => Promise<ProtocolReadings>;
}

export async function snapshot(context: ServiceContext, sources: SnapshotSources): Promise<Snapshot> {
  const now = context.clock();
  const markets = await context.host.current(context.host.markets);
  const readings = await sources.readings(now, RECENT);
  // Each transaction is filed under both parties: one copy of each (a market's and two parties' own IDs may meet).
  const byID = new Map((await collections.partyTransactions.list(context.store))
    .map(([key, t]) => [`${collections.partyTransactions.parts(key)[1]}/${t.transactionID}`, t]));
  const transactions = [...byID.values()].sort((a, b) => b.at - a.at || b.interval - a.interval).slice(0, RECENT);
  return {
    now,
    markets: markets.map((market) => {
      const traded = market.positions.intervals().filter((i) => market.positions.averagePrice(i) !== undefined);
      const last = traded.filter((i) => i <= now + 86_400_000).at(-1);
      const tie = market.rules.intertie;
      return {
        rules: publicRules(context.host.setup(market)),
        ...(tie ? { intertie: { parent: tie.parent.kind === 'local' ? tie.parent.marketID : tie.parent.url, partyID: tie.partyID,
          importCapacity: tie.importCapacity, exportCapacity: tie.exportCapacity, lossFactor: tie.lossFactor, fee: tie.fee } } : {}),
        books: market.book(BOOKS),
        prices: traded.slice(-PRICES).map((interval) => {
          const quantity = [...market.positions.of(interval).values()].reduce((sum, p) => sum + p.bought, 0);
          return { interval, price: market.positions.averagePrice(interval)!, quantity };
        }),
        positions: { interval: last ?? null, parties: last === undefined ? [] : [...market.positions.of(last)]
          .map(([partyID, p]) => ({ partyID, net: p.bought - p.sold, cost: p.cost, delivered: readings.delivered(partyID, market.rules, last) }))
          .sort((a, b) => a.partyID.localeCompare(b.partyID)) },
      };
    }),
    transactions,
    interties: sources.interties(),
    events: readings.events,
    devices: readings.devices,
  };
}
