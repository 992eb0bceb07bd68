/**
 * EiEvent: the VEN fetches its events and answers them.
 *
 *   VEN ──oadrRequestEvent─▶ VTN   oadrDistributeEvent with every far, near and active event (rule 50)
 *   VEN ──oadrCreatedEvent─▶ VTN   optIn / optOut per event at its current modificationNumber
 *
 * An answer naming an unknown event (452) or another modificationNumber (450) refuses the whole
 * message (rule 48), so a VEN's answers are recorded all or none.
 */
import { requireSelf } from '../auth/tokens.js';
import type { Instant } from '../calendar/instant.js';
import { MicromarketError } from '../errors.js';
import { registeredParty } from '../host/lookups.js';
import type { MarketHost } from '../host/markets.js';
import { ifUnchanged, type Store, type WriteOp } from '../store/store.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { liveEventIDs } from './event-index.js';
import { eventStatus, toEiEvent, type EventRecord } from './event-model.js';
import type { OadrHandlers } from './handlers.js';
import { oadrResponse, VTN_ID } from './vtn.js';
import { oadrCollections } from './records.js';
import { ok } from '../xml/payloads/index.js';

/** What a distribute carries: the far, near and active events, and cancellations not yet acknowledged. */
function current(event: EventRecord, now: Instant): boolean {
  const status = eventStatus(event, now);
  if (status === 'cancelled') return event.response?.modificationNumber !== event.modificationNumber;
  return status !== 'completed';
}

/** The VEN's current events, earliest first. */
export async function currentEvents(store: Store, venID: string, now: Instant): Promise<EventRecord[]> {
  const events: EventRecord[] = [];
  for (const eventID of await liveEventIDs(store, venID, now)) {
    const event = (await oadrCollections.events.get(store, [venID, eventID]))!;
    if (current(event, now)) events.push(event);
  }
  return events.sort((a, b) => a.dtstart - b.dtstart || a.eventID.localeCompare(b.eventID));
}

/** oadrDistributeEvent for a VEN; every event asks for an answer (oadrResponseRequired always). */
export function distribute(host: MarketHost, events: readonly EventRecord[], requestID: string, now: Instant): OadrMessage {
  return {
    kind: 'oadrDistributeEvent',
    value: {
      eiResponse: ok(requestID), requestID, vtnID: VTN_ID,
      events: events.map((e) => ({ event: toEiEvent(e, host.byId(e.marketID)!.rules, now), responseRequired: 'always' as const })),
    },
  };
}

export const eventing: OadrHandlers = {
  async oadrRequestEvent({ requestID, venID, replyLimit }, { principal, store, host, now }) {
    requireSelf(principal, venID);
    await registeredParty(store, venID);
    const events = await currentEvents(store, venID, now);
    return { reply: distribute(host, replyLimit !== undefined ? events.slice(0, replyLimit) : events, requestID, now) };
  },

  async oadrCreatedEvent({ eiResponse, eventResponses, venID }, { principal, store, now }) {
    requireSelf(principal, venID);
    await registeredParty(store, venID);
    // A VEN reporting that it could not process a distribute answers no event.
    if (eiResponse.responseCode !== '200' || !eventResponses) return { reply: oadrResponse(ok(eiResponse.requestID), venID) };
    const writes: WriteOp[] = [];
    const answered = new Map<string, EventRecord>();
    const flag = await oadrCollections.pendingDistributes.get(store, [venID]);
    for (const response of eventResponses) {
      const { eventID, modificationNumber } = response.qualifiedEventID;
      const stored = await oadrCollections.events.get(store, [venID, eventID]);
      const event = stored;
      if (!event) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['event', eventID]);
      if (modificationNumber !== event.modificationNumber) {
        throw new MicromarketError('MM_ERR_EI_OUT_OF_SEQUENCE', [eventID, event.modificationNumber, modificationNumber]);
      }
      const updated: EventRecord = { ...event, response: { optType: response.optType, modificationNumber, at: now } };
      answered.set(eventID, updated);
      // An event changed meanwhile (cancelled by the VEN's leaving) keeps its change: this answer was to the old version.
      writes.push(ifUnchanged(oadrCollections.events.put([venID, eventID], updated), stored));
    }
    const outstanding = (await currentEvents(store, venID, now)).filter((e) => (answered.get(e.eventID) ?? e).response?.modificationNumber !== e.modificationNumber);
    // Only the flag read before the events were: one a gate closure set meanwhile stays.
    if (outstanding.length === 0) writes.push(ifUnchanged(oadrCollections.pendingDistributes.del([venID]), flag));
    return { reply: oadrResponse(ok(eiResponse.requestID), venID), writes };
  },
};
