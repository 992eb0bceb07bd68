/**
 * OadrPoll: a pull VEN asks for the next message for it. When its events changed it gets an
 * oadrDistributeEvent with all its current events (rule 50), again on each poll until it answers
 * them with oadrCreatedEvent or MAX_DELIVERIES polls went unanswered (rule 52's retry limit); then
 * the messages queued for it (queue.ts), one per poll; otherwise oadrResponse 200: nothing pending.
 */
import { requireSelf } from '../auth/tokens.js';
import { registeredParty } from '../host/lookups.js';
import { ifUnchanged, type WriteOp } from '../store/store.js';
import { currentEvents, distribute } from './events.js';
import type { OadrHandlers } from './handlers.js';
import { dequeue } from './queue.js';
import { oadrResponse } from './vtn.js';
import { oadrCollections } from './records.js';
import { ok } from '../xml/payloads/index.js';

/** How many polls return the same distribute before the VTN stops re-sending it unanswered. */
export const MAX_DELIVERIES = 3;

export const polling: OadrHandlers = {
  async oadrPoll({ venID }, { principal, store, host, now }) {
    requireSelf(principal, venID);
    await registeredParty(store, venID);
    const writes: WriteOp[] = [];
    const flag = await oadrCollections.pendingDistributes.get(store, [venID]);
    const pending = flag;
    if (pending) {
      const events = await currentEvents(store, venID, now);
      const deliveries = pending.deliveries + 1;
      const settled = events.length === 0 || deliveries >= MAX_DELIVERIES;
      // Only the flag this poll read: one a gate closure set meanwhile, for events not in this answer, stays.
      writes.push(ifUnchanged(settled ? oadrCollections.pendingDistributes.del([venID]) : oadrCollections.pendingDistributes.put([venID], { ...pending, deliveries }), flag));
      if (events.length > 0) return { reply: distribute(host, events, `poll-${now}`, now), writes };
    }
    const queued = await dequeue(store, venID);
    if (queued) writes.push(queued.remove);
    return { reply: queued?.message ?? oadrResponse(ok(''), venID), writes };
  },
};
