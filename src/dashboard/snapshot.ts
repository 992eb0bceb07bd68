/**
 * What the operator's dashboard shows, as one JSON snapshot read from the service: each market with
 * its rules, books and recent clearing prices, the parties' positions, recent transactions, the
 * interties, the OpenADR events with their answers, and the devices adapters report on.
 */
import type { EiServices } from '../ei/operation.js';
import { publicRules, type PublicRules } from '../terms/public-rules.js';
import { collections, fromJson, type OptRecord } from '../host/records.js';
import type { IntertieReading } from '../intertie/records.js';
import type { IntervalBook } from '../market/market-base.js';
import type { Transaction } from '../market/types.js';
import { deliveredByInterval } from '../openadr/delivery.js';
import { eventStatus, type EventRecord } from '../openadr/event-model.js';
import type { TelemetryPoint } from '../openadr/reports.js';

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

export interface DeviceView {
  readonly venID: string;
  readonly resourceID: string;
  readonly state?: number;
  readonly online?: boolean;
  readonly manualOverride?: boolean;
  readonly watts?: number;
  readonly at: number;
}

export interface Snapshot {
  readonly now: number;
  readonly markets: MarketView[];
  readonly transactions: Transaction[];
  readonly interties: IntertieReading[];
  readonly events: Array<{ venID: string; eventID: string; marketID: string; interval: number; price: number; level: number; dispatch: number;
    status: string; optType: string | null; resourcesOptedOut: string[] }>;
  readonly devices: DeviceView[];
}

const BOOKS = 4;
const PRICES = 96;
const RECENT = 25;

export async function snapshot(ei: EiServices, interties: () => IntertieReading[]): Promise<Snapshot> {
  const now = ei.clock();
  const markets = await ei.host.current(ei.host.markets);
  const telemetry = (await ei.store.list(collections.telemetry, '')).map(([key, v]) => ({ venID: key.slice(0, key.indexOf('/')), point: fromJson<TelemetryPoint>(v)! }));
  // Each VEN's points once, not a scan of all telemetry per party and market.
  const byVen = new Map<string, TelemetryPoint[]>();
  for (const { venID, point } of telemetry) {
    const points = byVen.get(venID) ?? [];
    points.push(point);
    byVen.set(venID, points);
  }
  const events = (await ei.store.list(collections.events, '')).map(([, v]) => fromJson<EventRecord>(v)!)
    .sort((a, b) => b.dtstart - a.dtstart || a.venID.localeCompare(b.venID)).slice(0, RECENT);
  const opts = (await ei.store.list(collections.opts, '')).map(([, v]) => fromJson<OptRecord>(v)!).filter((o) => o.optType === 'optOut' && o.eventID !== undefined);
  // Each transaction is filed under both parties: one copy of each.
  const byID = new Map((await ei.store.list(collections.partyTransactions, '')).map(([, v]) => fromJson<Transaction>(v)!).map((t) => [t.transactionID, t]));
  const transactions = [...byID.values()].sort((a, b) => b.at - a.at || b.interval - a.interval).slice(0, RECENT);
  return {
    now,
    markets: markets.map((market) => {
      const traded = market.positions.intervals().filter((i) => market.positions.averagePrice(i) !== undefined);
      const last = traded.filter((i) => i <= now + 86_400_000).at(-1);
      const tie = market.rules.intertie;
      return {
        rules: publicRules(market.rules),
        ...(tie ? { intertie: { parent: tie.parent.kind === 'local' ? tie.parent.marketID : tie.parent.url, partyID: tie.partyID,
          importCapacity: tie.importCapacity, exportCapacity: tie.exportCapacity, lossFactor: tie.lossFactor, fee: tie.fee } } : {}),
        books: market.book(BOOKS),
        prices: traded.slice(-PRICES).map((interval) => {
          const quantity = [...market.positions.of(interval).values()].reduce((sum, p) => sum + p.bought, 0);
          return { interval, price: market.positions.averagePrice(interval)!, quantity };
        }),
        positions: { interval: last ?? null, parties: last === undefined ? [] : [...market.positions.of(last)]
          .map(([partyID, p]) => ({ partyID, net: p.bought - p.sold, cost: p.cost, delivered: deliveredByInterval(byVen.get(partyID) ?? [], market.rules).get(last) ?? null }))
          .sort((a, b) => a.partyID.localeCompare(b.partyID)) },
      };
    }),
    transactions,
    interties: interties(),
    events: events.map((e) => ({
      venID: e.venID, eventID: e.eventID, marketID: e.marketID, interval: e.dtstart, price: e.price, level: e.level, dispatch: e.dispatch,
      status: eventStatus(e, now), optType: e.response?.modificationNumber === e.modificationNumber ? e.response.optType : null,
      resourcesOptedOut: opts.filter((o) => o.partyID === e.venID && o.eventID === e.eventID).flatMap((o) => o.resourceIDs),
    })),
    devices: devices(telemetry),
  };
}

/** The latest readings of each device (a resource a VEN reports on), per VEN: state, status and power. */
function devices(telemetry: ReadonlyArray<{ venID: string; point: TelemetryPoint }>): DeviceView[] {
  const latest = new Map<string, { venID: string; resourceID: string; at: number; state?: number; online?: boolean; manualOverride?: boolean; watts?: number }>();
  for (const { venID, point } of telemetry) {
    if (point.resourceID === undefined) continue;
    const id = `${venID}/${point.resourceID}`;
    const device = latest.get(id) ?? { venID, resourceID: point.resourceID, at: point.dtstart };
    latest.set(id, device);
    device.at = Math.max(device.at, point.dtstart);
    // Points are listed oldest first per rID: the last one read is the latest.
    if (point.reportType === 'operatingState' && typeof point.value === 'number') device.state = point.value;
    else if (point.reportType === 'x-resourceStatus' && typeof point.value === 'object' && point.value !== null && !Array.isArray(point.value)) {
      const status = point.value as { online?: boolean; manualOverride?: boolean };
      if (status.online !== undefined) device.online = status.online;
      if (status.manualOverride !== undefined) device.manualOverride = status.manualOverride;
    } else if (point.watts !== undefined) device.watts = point.watts;
  }
  return [...latest.values()].sort((a, b) => a.venID.localeCompare(b.venID) || a.resourceID.localeCompare(b.resourceID));
}
