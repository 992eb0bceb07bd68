/**
 * Each VEN's events that have not ended (collection event-index, key venID). Polls, requests and
 * cancellations read these few instead of the VEN's whole event history, which grows by one event
 * per market interval for as long as the VEN trades.
 */
import type { Instant } from '../calendar/instant.js';
import { asJson, collections, fromJson } from '../ei/records.js';
import { put, type Store, type WriteOp } from '../store/store.js';
import type { EventRecord } from './event-model.js';

interface EventIndex {
  events: Array<{ eventID: string; end: Instant }>;
}

const entries = async (store: Store, venID: string) => fromJson<EventIndex>(await store.get(collections.eventIndex, venID))?.events ?? [];

/** The IDs of the VEN's events that end after `now`. */
export async function liveEventIDs(store: Store, venID: string, now: Instant): Promise<string[]> {
  return (await entries(store, venID)).filter((e) => e.end > now).map((e) => e.eventID);
}

/** The index with `added` events in it and the ended ones gone. */
export async function indexWith(store: Store, venID: string, added: readonly EventRecord[], now: Instant): Promise<WriteOp> {
  const events = [...(await entries(store, venID)).filter((e) => e.end > now), ...added.map((e) => ({ eventID: e.eventID, end: e.dtstart + e.durationMs }))];
  return put(collections.eventIndex, venID, asJson({ events } satisfies EventIndex));
}
