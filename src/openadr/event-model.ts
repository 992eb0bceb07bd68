/**
 * OpenADR events as micromarket issues them: one event per VEN per cleared market interval,
 * carrying the interval's price, its SIMPLE level and the VEN's own transacted position. Pure
 * values and functions: the issuer stores the records, the handlers render them.
 */
import { durationOfMillis } from '../calendar/duration.js';
import type { Instant } from '../calendar/instant.js';
import { NOMINAL_GRID, SI_EXPONENT } from '../emix/product.js';
import type { MarketRules } from '../terms/rules.js';
import type { SimpleLevels } from '../terms/signals.js';
import type { ValueOf } from '../xml/codec.js';
import { targetOf, type eiEvent, type eventStatuses } from '../xml/payloads/oadr.js';

export type EventStatus = (typeof eventStatuses)[number];
export type OptType = 'optIn' | 'optOut';
type EiEvent = ValueOf<typeof eiEvent>;
type EventSignal = EiEvent['signals']['signals'][number];

/** An issued event, as stored (collection `events`, key venID/eventID). */
export interface EventRecord {
  eventID: string;
  /** 0 when issued; +1 on every change, cancellation included. Never reused or lowered. */
  modificationNumber: number;
  venID: string;
  marketID: string;
  marketContext: string;
  /** The market interval: the event's active period. */
  dtstart: Instant;
  durationMs: number;
  createdDateTime: Instant;
  modificationDateTime?: Instant;
  /** Volume-weighted average price of the interval (an auction's clearing price), in the market's terms. */
  price: number;
  level: 0 | 1 | 2 | 3;
  /** The VEN's net position in the interval, bought minus sold, in the market's units. */
  dispatch: number;
  cancelled: boolean;
  /** The VEN's answer (oadrCreatedEvent) to the current modificationNumber, if it gave one. */
  response?: { optType: OptType; modificationNumber: number; at: Instant };
}

/** The SIMPLE level of a price: 0 normal, 1 moderate, 2 high, 3 special (conformance rule 9). */
export function simpleLevel(price: number, levels: SimpleLevels): EventRecord['level'] {
  return price >= levels.special ? 3 : price >= levels.high ? 2 : price >= levels.moderate ? 1 : 0;
}

/**
 * far until one market interval before the start, then near, active during the interval,
 * completed after it; a cancelled event stays cancelled.
 */
export function eventStatus(event: EventRecord, now: Instant): EventStatus {
  if (event.cancelled) return 'cancelled';
  if (now >= event.dtstart + event.durationMs) return 'completed';
  if (now >= event.dtstart) return 'active';
  return event.dtstart - now <= event.durationMs ? 'near' : 'far';
}

/**
 * A readable eventID, unique per VTN and at most 50 characters (the certification harness's
 * limit): market, interval start (UTC, to the minute) and a digest of the venID.
 */
export function eventIDFor(marketID: string, dtstart: Instant, venDigest: string): string {
  const stamp = new Date(dtstart).toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return `${marketID.slice(0, 24)}.${stamp}.${venDigest.slice(0, 12)}`;
}

/** What a market's prices are stated in: currency per kWh for power markets, per market unit otherwise. */
export function priceItem(rules: MarketRules): NonNullable<EventSignal['item']> {
  const kind = rules.resource.units === 'W' ? 'currencyPerKWh' : 'currency';
  return { kind, value: { itemDescription: kind, itemUnits: rules.currency, siScaleCode: 'none' } };
}

/** A market price in its `priceItem`: scaled from the market's unit to kWh for power markets. */
export function publishedPrice(price: number, rules: MarketRules): number {
  const { resource } = rules;
  return round(resource.units === 'W' ? price * 10 ** (SI_EXPONENT.k - SI_EXPONENT[resource.siScaleCode]) : price);
}

function priceSignal(event: EventRecord, rules: MarketRules, active: boolean): EventSignal {
  const value = publishedPrice(event.price, rules);
  return {
    intervals: [{ duration: durationOfMillis(event.durationMs), uid: '0', values: [value] }],
    signalName: rules.resource.name === 'electricity' ? 'ELECTRICITY_PRICE' : 'ENERGY_PRICE', signalType: 'price', signalID: 'price',
    item: priceItem(rules), currentValue: active ? value : 0,
  };
}

function dispatchSignal(event: EventRecord, rules: MarketRules, active: boolean): EventSignal {
  const { resource } = rules;
  return {
    intervals: [{ duration: durationOfMillis(event.durationMs), uid: '0', values: [round(event.dispatch)] }],
    signalName: 'LOAD_DISPATCH', signalType: 'setpoint', signalID: 'dispatch',
    item: resource.units === 'W'
      ? { kind: 'powerReal', value: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: resource.siScaleCode, powerAttributes: NOMINAL_GRID } }
      : { kind: 'customUnit', value: { itemDescription: resource.name, itemUnits: resource.units, siScaleCode: resource.siScaleCode } },
    currentValue: active ? round(event.dispatch) : 0,
  };
}

/**
 * The event as OpenADR's eiEvent at `now`: status and current values follow the clock (each
 * signal's currentValue is its interval's value while active, else 0: the harness checks both).
 */
export function toEiEvent(event: EventRecord, rules: MarketRules, now: Instant): EiEvent {
  const status = eventStatus(event, now);
  const active = status === 'active';
  const notice = Math.max(0, Math.floor((event.dtstart - event.createdDateTime) / 1000) * 1000);
  return {
    descriptor: {
      eventID: event.eventID,
      modificationNumber: event.modificationNumber,
      ...(event.modificationDateTime !== undefined ? { modificationDateTime: event.modificationDateTime } : {}),
      priority: 1,
      marketContext: { marketContext: event.marketContext },
      createdDateTime: event.createdDateTime,
      eventStatus: status,
      testEvent: 'false',
      vtnComment: `${rules.name}: cleared interval`,
    },
    activePeriod: {
      properties: { dtstart: event.dtstart, duration: durationOfMillis(event.durationMs), notification: durationOfMillis(notice) },
      components: [],
    },
    signals: {
      signals: [
        priceSignal(event, rules, active),
        {
          intervals: [{ duration: durationOfMillis(event.durationMs), uid: '0', values: [event.level] }],
          signalName: 'SIMPLE', signalType: 'level', signalID: 'simple', currentValue: active ? event.level : 0,
        },
        dispatchSignal(event, rules, active),
      ],
    },
    target: targetOf({ venIDs: [event.venID] }),
  };
}

/** Prices and quantities as decimals a VEN can read back exactly (no binary float tails). */
export const round = (value: number) => Number(value.toFixed(9));
