/**
 * EiRegisterParty: a party tells the service who it is (name, roles, where to push to).
 *
 *   party ──eiCreatePartyRegistration──▶ service   registers (or re-registers) the token's party
 *   party ──eiRequestPartyRegistration─▶ service   reads it back
 *   party ──eiCancelPartyRegistration──▶ service   cancels it: its open tenders are withdrawn, it can no longer trade
 */
import { requireSelf, type Principal } from '../../auth/tokens.js';
import { MicromarketError } from '../../errors.js';
import { registeredParty } from '../../host/lookups.js';
import { cancelRegistration } from '../../host/tendering.js';
import type { EiService } from '../operation.js';
import { SERVICE_PARTY } from '../quote-distribution.js';
import { collections, type PartyRecord } from '../../host/records.js';
import { ok } from '../../xml/payloads/index.js';

/** The party a registration payload is about (the caller when it names none); it must be the caller. */
function registree(body: { registreePartyID?: string }, principal: Principal): string {
  const partyID = body.registreePartyID ?? principal.partyID;
  requireSelf(principal, partyID);
  return partyID;
}

export const eiRegisterParty: EiService = {
  name: 'EiRegisterParty',
  operations: {
    eiCreatePartyRegistration: {
      scope: 'register',
      mutates: true,
      async handle({ body, principal, now }, { store }) {
        const partyID = registree(body, principal);
        const existing = await collections.parties.get(store, [partyID]);
        const record: PartyRecord = {
          partyID,
          registrationID: existing && !existing.cancelled ? existing.registrationID : `reg-${partyID}-${now}`,
          partyRoles: body.registrationInfo.partyRoles,
          registeredAt: now,
          ...(body.registrationInfo.partyName !== undefined ? { partyName: body.registrationInfo.partyName } : {}),
          ...(body.registrationInfo.transportAddress !== undefined ? { transportAddress: body.registrationInfo.transportAddress } : {}),
        };
        return {
          payload: { name: 'eiCreatedPartyRegistration', body: { eiResponse: ok(body.requestID), registrarPartyID: SERVICE_PARTY,
            registrationID: record.registrationID, registreePartyID: partyID } },
          writes: [collections.parties.put([partyID], record)],
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCreatedPartyRegistration', body: { eiResponse } }),
    },
    eiRequestPartyRegistration: {
      scope: 'register',
      mutates: false,
      async handle({ body, principal }, { store }) {
        const partyID = registree(body, principal);
        const party = await registeredParty(store, partyID);
        return { payload: { name: 'eiReplyPartyRegistration', body: {
          eiResponse: ok(body.requestID), registrarPartyID: SERVICE_PARTY, registrationID: party.registrationID, registreePartyID: partyID,
          registrationInfo: { partyRoles: party.partyRoles,
            ...(party.partyName !== undefined ? { partyName: party.partyName } : {}),
            ...(party.transportAddress !== undefined ? { transportAddress: party.transportAddress } : {}) },
        } } };
      },
      refuse: (body, eiResponse) => ({ name: 'eiReplyPartyRegistration', body: { eiResponse } }),
    },
    eiCancelPartyRegistration: {
      scope: 'register',
      mutates: true,
      async handle({ body, principal, now, work }, { store, host }) {
        const partyID = registree(body, principal);
        const party = await registeredParty(store, partyID);
        if (party.registrationID !== body.registrationID) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['registration', body.registrationID]);
        return {
          payload: { name: 'eiCanceledPartyRegistration', body: { eiResponse: ok(body.requestID), registrationID: party.registrationID, registreePartyID: partyID } },
          // A party that leaves takes its open tenders with it.
          writes: await cancelRegistration(work, host, party, now),
        };
      },
      refuse: (body, eiResponse) => ({ name: 'eiCanceledPartyRegistration', body: { eiResponse } }),
    },
  },
};
