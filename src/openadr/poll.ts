/**
 * OadrPoll: a pull VEN asks for the next message queued for it. The queue (events from clearings,
 * report requests, re-registration) comes with the events of issue 5; until then a poll from a
 * registered VEN is answered with oadrResponse 200: nothing pending.
 */
import { requireSelf } from '../auth/tokens.js';
import { registeredParty } from '../ei/lookups.js';
import { ok } from '../ei/operation.js';
import type { OadrHandlers } from './handlers.js';
import { oadrResponse } from './vtn.js';

export const polling: OadrHandlers = {
  async oadrPoll({ venID }, { principal, store }) {
    requireSelf(principal, venID);
    await registeredParty(store, venID);
    return { reply: oadrResponse(ok(''), venID) };
  },
};
