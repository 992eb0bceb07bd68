/**
 * EiOpt: a VEN's schedule of participation. An opt-out's periods become busy windows in the party's
 * availability (RFC 7953: a VAVAILABILITY covering a period with no AVAILABLE inside is busy), so
 * the markets refuse the party's tenders for them, as they do for availability declared through
 * EiAvail. An opt-in constrains nothing on its own; both are kept for dispatch.
 *
 *   VEN ──oadrCreateOpt─▶ VTN   records the schedule (optID unique per VEN)
 *   VEN ──oadrCancelOpt─▶ VTN   removes it and its busy windows
 */
import { requireSelf } from '../auth/tokens.js';
import type { Availability } from '../calendar/availability.js';
import { undeclarable } from '../calendar/availability-check.js';
import { MicromarketError } from '../errors.js';
import { marketFor, registeredParty } from '../host/lookups.js';
import { requireRoom } from '../host/quotas.js';
import { collections, type AvailRecord } from '../host/records.js';
import type { WriteOp } from '../store/store.js';
import type { OadrHandlers } from './handlers.js';
import { oadrCollections, type OptRecord } from './records.js';
import { ok } from '../xml/payloads/index.js';

/** One busy window per period of an opt-out; a target naming resources scopes them to those resources. */
function busyWindows(opt: OptRecord): AvailRecord[] {
  const periods = opt.availability?.available ?? [];
  const resources = opt.resourceIDs.length > 0 ? opt.resourceIDs : [undefined];
  return periods.flatMap((period, i) => resources.map((resourceID, j): AvailRecord => ({
    availID: `opt:${opt.optID}:${i}:${j}`,
    partyID: opt.partyID,
    ...(resourceID !== undefined ? { resourceID } : {}),
    ...(opt.marketContext !== undefined ? { marketContext: opt.marketContext } : {}),
    availability: { properties: period.properties, available: [] } satisfies Availability,
  })));
}

export const opting: OadrHandlers = {
  async oadrCreateOpt(body, { principal, store, host, quotas }) {
    requireSelf(principal, body.venID);
    await registeredParty(store, body.venID);
    if (body.marketContext !== undefined) marketFor(host, body.marketContext);
    const why = body.availability && undeclarable(body.availability);
    if (why) throw new MicromarketError('MM_ERR_EI_INVALID', [`opt ${body.optID}: ${why}`]);
    if (await oadrCollections.opts.get(store, [body.venID, body.optID])) throw new MicromarketError('MM_ERR_EI_DUPLICATE_ID', ['opt', body.optID]);
    // An opt about one event (a VEN opting some of its resources out of it) names an event of its own.
    if (body.qualifiedEventID && !await oadrCollections.events.get(store, [body.venID, body.qualifiedEventID.eventID])) {
      throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['event', body.qualifiedEventID.eventID]);
    }
    const opt: OptRecord = {
      optID: body.optID, partyID: body.venID, optType: body.optType, optReason: body.optReason, resourceIDs: body.target.resourceIDs,
      createdDateTime: body.createdDateTime, availKeys: [],
      ...(body.marketContext !== undefined ? { marketContext: body.marketContext } : {}),
      ...(body.qualifiedEventID ? { eventID: body.qualifiedEventID.eventID } : {}),
      ...(body.availability ? { availability: body.availability } : {}),
    };
    const windows = opt.optType === 'optOut' ? busyWindows(opt) : [];
    const [opts, avails] = await Promise.all([oadrCollections.opts.list(store, [body.venID]), collections.avails.list(store, [body.venID])]);
    requireRoom(quotas, 'opts', opts.length, 1);
    requireRoom(quotas, 'availability windows', avails.length, windows.length);
    opt.availKeys = windows.map((w) => collections.avails.key(opt.partyID, w.availID));
    const writes: WriteOp[] = [
      oadrCollections.opts.put([opt.partyID, opt.optID], opt, true),
      ...windows.map((w) => collections.avails.put([w.partyID, w.availID], w)),
    ];
    return { reply: { kind: 'oadrCreatedOpt', value: { eiResponse: ok(body.requestID), optID: body.optID } }, writes };
  },

  async oadrCancelOpt(body, { principal, store }) {
    requireSelf(principal, body.venID);
    const opt = await oadrCollections.opts.get(store, [body.venID, body.optID]);
    if (!opt) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['opt', body.optID]);
    return {
      reply: { kind: 'oadrCanceledOpt', value: { eiResponse: ok(body.requestID), optID: body.optID } },
      writes: [oadrCollections.opts.del([opt.partyID, opt.optID]), ...opt.availKeys.map((key) => collections.avails.del(key))],
    };
  },
};
