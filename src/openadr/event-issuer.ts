/**
 * Turns market outcomes into OpenADR events. Once an interval's gate has closed its positions are
 * final, so each VEN enrolled in the market gets one event for it: the interval's price, its
 * SIMPLE level and the VEN's own position. Events, the VENs' pending distributes and the market's
 * issue mark are committed together, so a restart neither loses nor repeats an issue.
 */
import { createHash } from 'node:crypto';
import type { Instant } from '../calendar/instant.js';
import { enrolledParties } from '../host/lookups.js';
import type { Market } from '../market/market.js';
import { gateClosureMs, granularityMs } from '../terms/rules.js';
import type { Store, WriteOp } from '../store/store.js';
import { indexWith, liveEventIDs } from './event-index.js';
import { eventIDFor, round, simpleLevel, type EventRecord } from './event-model.js';
import { priceUpdates } from './vtn-reports.js';
import { oadrCollections } from './records.js';
import type { SimpleLevels } from '../terms/signals.js';

/** The last interval of a market whose events were issued. */
export interface IssuedRecord {
  through: Instant;
}

/**
 * A distribute a VEN has yet to take: `deliveries` counts the polls that returned it unanswered, or
 * the pushes tried; `lastTry` is when a push last failed.
 */
export interface PendingDistribute {
  since: Instant;
  deliveries: number;
  lastTry?: Instant;
}

const venDigest = (venID: string) => createHash('sha256').update(venID).digest('hex');

/** Intervals whose gate has closed by `now`, not yet issued and not yet over, in which something traded. */
function closedIntervals(market: Market, through: Instant, now: Instant): Instant[] {
  const step = granularityMs(market.rules);
  const lastClosed = now + gateClosureMs(market.rules);
  return market.positions.intervals()
    .filter((start) => start > through && start <= lastClosed && start + step > now && market.positions.averagePrice(start) !== undefined);
}

/**
 * The events of the market's intervals that closed since the last issue, with the new issue mark:
 * writes for the caller to commit with the gate closure itself, under the market's lease. The
 * market must be current (its engine holds the closed intervals' positions).
 */
export async function eventWrites(store: Store, market: Market, levels: SimpleLevels, now: Instant): Promise<WriteOp[]> {
  const mark = await oadrCollections.eventsIssued.get(store, [market.rules.id]);
  const intervals = closedIntervals(market, mark?.through ?? -Infinity, now);
  if (intervals.length === 0) return [];
  const writes: WriteOp[] = [oadrCollections.eventsIssued.put([market.rules.id], { through: intervals.at(-1)! } satisfies IssuedRecord)];
  for (const venID of (await enrolledParties(store, market)).filter((p) => p.oadr).map((p) => p.partyID)) {
    const events = intervals.map((dtstart) => event(market, levels, venID, dtstart, now));
    for (const e of events) writes.push(oadrCollections.events.put([venID, e.eventID], e));
    writes.push(await indexWith(store, venID, market.rules.id, events, now));
    writes.push(oadrCollections.pendingDistributes.put([venID], { since: now, deliveries: 0 } satisfies PendingDistribute));
  }
  writes.push(...await priceUpdates(store, market, intervals, now));
  return writes;
}

function event(market: Market, levels: SimpleLevels, venID: string, dtstart: Instant, now: Instant): EventRecord {
  const { rules, positions } = market;
  // Rounded before the level is read from it: 3 x 0.80 + 1 x 1.40 over 4 is 0.9500000000000001 in binary.
  const price = round(positions.averagePrice(dtstart)!);
  const position = positions.of(dtstart).get(venID);
  return {
    eventID: eventIDFor(rules.id, dtstart, venDigest(venID)), modificationNumber: 0, venID, marketID: rules.id, marketContext: rules.marketContext,
    dtstart, durationMs: granularityMs(rules), createdDateTime: now, price, level: simpleLevel(price, levels),
    dispatch: position ? round(position.bought - position.sold) : 0, cancelled: false,
  };
}

/**
 * Cancels a VEN's events in the markets it leaves that have not ended: each moves to the next
 * modificationNumber with status cancelled, and the VEN's next poll carries the cancellation
 * (conformance rule 50) until it acknowledges it. Returns the writes, for the leaving's own commit.
 */
export async function cancelEvents(store: Store, venID: string, marketIDs: readonly string[], now: Instant): Promise<WriteOp[]> {
  const writes: WriteOp[] = [];
  for (const eventID of await liveEventIDs(store, venID, now)) {
    const key = oadrCollections.events.key(venID, eventID);
    const event = (await oadrCollections.events.get(store, key))!;
    if (!marketIDs.includes(event.marketID) || event.cancelled) continue;
    const { response: _answered, ...rest } = event;
    writes.push(oadrCollections.events.put(key, { ...rest, cancelled: true, modificationNumber: event.modificationNumber + 1, modificationDateTime: now } satisfies EventRecord));
  }
  if (writes.length > 0) writes.push(oadrCollections.pendingDistributes.put([venID], { since: now, deliveries: 0 } satisfies PendingDistribute));
  return writes;
}
