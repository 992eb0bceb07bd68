/**
 * Each VEN's events that have not ended, one index per VEN and market (collection event-index, key
 * venID/marketID). Polls, requests and cancellations read these few instead of the VEN's whole
 * event history, which grows by one event per market interval for as long as the VEN trades.
 *
 * An index is per market because its writer is the market's gate closure, which runs under that
 * market's lease: two markets closing their gates at once, on two instances, each rewrite their own
 * index, where a shared one would keep only the last of the two.
 */
import type { Instant } from '../calendar/instant.js';
import type { Store, WriteOp } from '../store/store.js';
import type { EventRecord } from './event-model.js';
import { oadrCollections } from './records.js';

export interface EventIndex {
  events: Array<{ eventID: string; end: Instant }>;
}

/** The IDs of the VEN's events, in every market, that end after `now`. */
export async function liveEventIDs(store: Store, venID: string, now: Instant): Promise<string[]> {
  return (await oadrCollections.eventIndex.list(store, [venID]))
    .flatMap(([, value]) => value.events).filter((e) => e.end > now).map((e) => e.eventID);
}

/** The VEN's index for the market with `added` events in it and the ended ones gone. */
export async function indexWith(store: Store, venID: string, marketID: string, added: readonly EventRecord[], now: Instant): Promise<WriteOp> {
  const key = oadrCollections.eventIndex.key(venID, marketID);
  const kept = (await oadrCollections.eventIndex.get(store, key))?.events.filter((e) => e.end > now) ?? [];
  const events = [...kept, ...added.map((e) => ({ eventID: e.eventID, end: e.dtstart + e.durationMs }))];
  return oadrCollections.eventIndex.put(key, { events } satisfies EventIndex);
}
