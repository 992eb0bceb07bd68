/**
 * EiAvail: when a party (or one of its resources) can trade or be dispatched. Windows without a
 * resourceID constrain the party's tenders: an interval outside them is refused (party-unavailable).
 *
 *   party ──eiCreateAvail──▶ service   stores windows (replacing those with the same availID)
 *   party ──eiCancelAvail──▶ service   removes them
 *   party ──eiRequestAvail─▶ service   lists them
 */
import { undeclarable } from '../../calendar/availability-check.js';
import { MicromarketError } from '../../errors.js';
import { marketFor, registeredParty } from '../../host/lookups.js';
import { requireRoom } from '../../host/quotas.js';
import type { EiService } from '../operation.js';
import { collections, type AvailRecord } from '../../host/records.js';
import { ok } from '../../xml/payloads/index.js';

/** The availIDs of an opt's busy windows (OpenADR opt.ts): only cancelling the opt removes them. */
function requireOwnAvailID(availID: string | undefined): void {
  if (availID?.startsWith('opt:')) throw new MicromarketError('MM_ERR_EI_INVALID', [`availID ${availID} names an opt's window; cancel the opt instead`]);
}

export const eiAvail: EiService = {
  name: 'EiAvail',
  operations: {
    eiCreateAvail: {
      scope: 'avail',
      mutates: true,
      party: (body) => body.partyID,
      async handle({ body }, { store, host, quotas }) {
        await registeredParty(store, body.partyID);
        const held = new Set((await collections.avails.list(store, [body.partyID])).map(([key]) => collections.avails.parts(key)[1]));
        const records = body.avails.map((a, i): AvailRecord => {
          if (a.marketContext !== undefined) marketFor(host, a.marketContext);
          const availID = a.availID ?? `${body.requestID}-${i}`;
          requireOwnAvailID(availID);
          const why = undeclarable(a.availability);
          if (why) throw new MicromarketError('MM_ERR_EI_INVALID', [`availability ${availID}: ${why}`]);
          return {
            availID, partyID: body.partyID, availability: a.availability,
            ...(a.resourceID !== undefined ? { resourceID: a.resourceID } : {}),
            ...(a.marketContext !== undefined ? { marketContext: a.marketContext } : {}),
          };
        });
        // Replacing a window takes no more room.
        requireRoom(quotas, 'availability windows', held.size, new Set(records.map((r) => r.availID).filter((id) => !held.has(id))).size);
        return {
          payload: { name: 'eiCreatedAvail', body: { eiResponse: ok(body.requestID), partyID: body.partyID, availIDs: records.map((r) => r.availID) } },
          writes: records.map((r) => collections.avails.put([body.partyID, r.availID], r)),
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCreatedAvail', body: { eiResponse, partyID: body.partyID, availIDs: [] } }),
    },
    eiCancelAvail: {
      scope: 'avail',
      mutates: true,
      party: (body) => body.partyID,
      async handle({ body }, { store }) {
        for (const id of body.availIDs) {
          requireOwnAvailID(id);
          if (!(await collections.avails.get(store, [body.partyID, id]))) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['availability', id]);
        }
        return {
          payload: { name: 'eiCanceledAvail', body: { eiResponse: ok(body.requestID), partyID: body.partyID, availIDs: body.availIDs } },
          writes: body.availIDs.map((id) => collections.avails.del([body.partyID, id])),
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCanceledAvail', body: { eiResponse, partyID: body.partyID, availIDs: [] } }),
    },
    eiRequestAvail: {
      scope: 'avail',
      mutates: false,
      party: (body) => body.partyID,
      async handle({ body }, { store }) {
        const avails = (await collections.avails.values(store, [body.partyID]))
          .filter((a) => (body.availIDs.length === 0 || body.availIDs.includes(a.availID))
            && (body.resourceIDs.length === 0 || (a.resourceID !== undefined && body.resourceIDs.includes(a.resourceID)))
            && (body.marketContexts.length === 0 || (a.marketContext !== undefined && body.marketContexts.includes(a.marketContext))));
        return { payload: { name: 'eiReplyAvail', body: { eiResponse: ok(body.requestID), partyID: body.partyID, avails: avails.map((a) => ({
          availID: a.availID, ...(a.resourceID !== undefined ? { resourceID: a.resourceID } : {}),
          ...(a.marketContext !== undefined ? { marketContext: a.marketContext } : {}), availability: a.availability,
        })) } } };
      },
      refuse: (body, eiResponse) => ({ name: 'eiReplyAvail', body: { eiResponse, partyID: body.partyID, avails: [] } }),
    },
  },
};
