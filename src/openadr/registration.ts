/**
 * EiRegisterParty for OpenADR VENs. A VEN is a party: its venID is the partyID its token or client
 * certificate names, and its registration is the party's registration, shared with the EI services.
 *
 *   VEN ──oadrQueryRegistration───────▶ VTN  what the VTN offers, and the VEN's registrationID if it has one
 *   VEN ──oadrCreatePartyRegistration─▶ VTN  registers (or re-registers: same registrationID) the VEN
 *   VEN ──oadrCancelPartyRegistration─▶ VTN  cancels it: open tenders are withdrawn, polls are refused
 */
import { MicromarketError } from '../errors.js';
import { registeredParty } from '../host/lookups.js';
import { cancelRegistration } from '../host/tendering.js';
import { collections, type PartyRecord } from '../host/records.js';
import { ok, type EiResponse } from '../xml/payloads/index.js';
import { ownVen, type OadrHandlers } from './handlers.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { POLL_FREQUENCY, VTN_ID, oadrResponse } from './vtn.js';
import { oadrCollections } from './records.js';

/** The VTN's answer to a query or a registration: what it offers, and the VEN's registration if any. */
function created(eiResponse: EiResponse, party: PartyRecord | undefined): OadrMessage {
  const registered = party && !party.cancelled;
  return { kind: 'oadrCreatedPartyRegistration', value: {
    eiResponse,
    ...(registered ? { registrationID: party.registrationID, venID: party.partyID } : {}),
    vtnID: VTN_ID,
    profiles: { profiles: [{ profileName: '2.0b', transports: { transports: [{ transportName: 'simpleHttp' }] } }] },
    pollFrequency: POLL_FREQUENCY,
  } };
}

export const registration: OadrHandlers = {
  async oadrQueryRegistration({ requestID }, { principal, store }) {
    return { reply: created(ok(requestID), await collections.parties.get(store, [principal.partyID])) };
  },

  async oadrCreatePartyRegistration(body, { principal, store, now }) {
    ownVen(principal, body.venID);
    if (body.profileName !== '2.0b') throw new MicromarketError('MM_ERR_EI_INVALID', [`profile ${body.profileName} is not offered: this VTN speaks 2.0b`]);
    if (body.transportName !== 'simpleHttp') throw new MicromarketError('MM_ERR_EI_INVALID', [`transport ${body.transportName} is not offered: use simpleHttp`]);
    const pull = body.httpPullModel ?? true;
    // Pull VENs often send the text "None" as their address; a push VEN must give a real one.
    const address = body.transportAddress !== undefined && body.transportAddress !== 'None' ? body.transportAddress : undefined;
    if (!pull && !address) throw new MicromarketError('MM_ERR_EI_INVALID', ['a push registration needs an oadrTransportAddress']);
    const existing = await collections.parties.get(store, [principal.partyID]);
    const current = existing && !existing.cancelled ? existing : undefined;
    if (body.registrationID !== undefined && body.registrationID !== current?.registrationID) {
      throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['registration', body.registrationID]);
    }
    const record: PartyRecord = {
      partyID: principal.partyID,
      registrationID: current?.registrationID ?? `reg-${principal.partyID}-${now}`,
      partyRoles: current?.partyRoles ?? ['aggregator'],
      registeredAt: now,
      ...(body.venName !== undefined ? { partyName: body.venName } : current?.partyName !== undefined ? { partyName: current.partyName } : {}),
      ...(address !== undefined && !pull ? { transportAddress: address } : {}),
      oadr: { profileName: '2.0b', transportName: 'simpleHttp', httpPullModel: pull, reportOnly: body.reportOnly, xmlSignature: body.xmlSignature },
    };
    return { reply: created(ok(body.requestID), record), writes: [collections.parties.put([record.partyID], record),
      pull ? oadrCollections.pushVens.del([record.partyID]) : oadrCollections.pushVens.put([record.partyID], {})] };
  },

  async oadrCancelPartyRegistration(body, { principal, store, host, now, work }) {
    ownVen(principal, body.venID);
    const party = await registeredParty(store, principal.partyID);
    if (body.registrationID !== party.registrationID) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['registration', body.registrationID]);
    return {
      reply: { kind: 'oadrCanceledPartyRegistration', value: { eiResponse: ok(body.requestID), registrationID: party.registrationID, venID: party.partyID } },
      writes: await cancelRegistration(work, host, party, now),
    };
  },

  // The VEN's acknowledgement of a cancellation the VTN sent it: the registration ends here.
  async oadrCanceledPartyRegistration(body, { principal, store, host, now, work }) {
    ownVen(principal, body.venID);
    const party = await collections.parties.get(store, [principal.partyID]);
    const reply = oadrResponse(ok(body.eiResponse.requestID), principal.partyID);
    if (!party?.oadr?.cancelRequested || party.cancelled || body.eiResponse.responseCode !== '200') return { reply };
    return { reply, writes: await cancelRegistration(work, host, party, now) };
  },

  // The VEN's acknowledgement of oadrRequestReregistration; its new registration follows.
  async oadrResponse(body, { principal }) {
    return { reply: oadrResponse(ok(body.eiResponse.requestID), ownVen(principal, body.venID)) };
  },
};
