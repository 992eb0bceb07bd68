/**
 * EiEnroll: a registered party applies to take part in a market; the market's policy decides.
 *
 *   party ───eiCreateEnroll──▶ service   open market: approvedEnrollment; approval market: pendingEnrollment
 *   operator ─eiCreateEnroll──▶ service   with enrollmentID and status approvedEnrollment or denied: decides
 *   party ───eiRequestEnroll─▶ service   its enrollments (the operator: anyone's)
 *   party ───eiCancelEnroll──▶ service   leaves (status separated); its open tenders there are withdrawn
 */
import { requireScope, requireSelf } from '../../auth/tokens.js';
import { MicromarketError } from '../../errors.js';
import { partyLeftWrites } from '../../host/context.js';
import { enrollmentID, marketFor, registeredParty } from '../../host/lookups.js';
import { withdrawAll } from '../../host/tendering.js';
import type { EiService } from '../operation.js';
import { collections, type EnrollmentRecord } from '../../host/records.js';
import { ok } from '../../xml/payloads/index.js';

const DECISIONS = new Set(['approvedEnrollment', 'denied']);

export const eiEnroll: EiService = {
  name: 'EiEnroll',
  operations: {
    eiCreateEnroll: {
      scope: 'enroll',
      mutates: true,
      async handle({ body, principal, now }, { store, host }) {
        const e = body.enrollment;
        const market = marketFor(host, e.marketContext);
        const key = collections.enrollments.key(market.rules.id, e.enrolleePartyID);
        const existing = await collections.enrollments.get(store, key);
        const answer = (record: EnrollmentRecord) => ({
          payload: { name: 'eiCreatedEnroll' as const, body: { eiResponse: ok(body.requestID), enrollmentID: record.enrollmentID,
            marketContext: record.marketContext, enrollmentStatus: record.status } },
          writes: [collections.enrollments.put(key, record)],
        });
        if (e.enrollmentID !== undefined && e.enrollmentStatus && DECISIONS.has(e.enrollmentStatus)) {
          requireScope(principal, 'operator'); // only the operator decides on enrollments
          if (!existing || existing.enrollmentID !== e.enrollmentID) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['enrollment', e.enrollmentID]);
          return answer({ ...existing, status: e.enrollmentStatus });
        }
        requireSelf(principal, e.enrolleePartyID);
        await registeredParty(store, e.enrolleePartyID);
        if (existing && existing.status !== 'separated' && existing.status !== 'denied') return answer(existing);
        return answer({
          enrollmentID: enrollmentID(market, e.enrolleePartyID), partyID: e.enrolleePartyID, marketContext: market.rules.marketContext, enrolleeType: e.enrolleeType,
          status: market.rules.enrollment === 'open' ? 'approvedEnrollment' : 'pendingEnrollment',
          applicationDate: now, resourceIDs: e.resourceIDs,
          ...(e.enrollmentName !== undefined ? { enrollmentName: e.enrollmentName } : {}),
          ...(e.enrollmentComments !== undefined ? { enrollmentComments: e.enrollmentComments } : {}),
        });
      },
      refuse: (_body, eiResponse) => ({ name: 'eiCreatedEnroll', body: { eiResponse } }),
    },
    eiRequestEnroll: {
      scope: 'enroll',
      mutates: false,
      async handle({ body, principal }, { store }) {
        const operator = principal.scopes.has('operator');
        const partyID = body.enrolleePartyID ?? (operator ? undefined : principal.partyID);
        if (partyID !== undefined) requireSelf(principal, partyID);
        const all = await collections.enrollments.values(store);
        const enrollments = all.filter((e) => (partyID === undefined || e.partyID === partyID)
          && (body.enrollmentIDs.length === 0 || body.enrollmentIDs.includes(e.enrollmentID))
          && (body.marketContexts.length === 0 || body.marketContexts.includes(e.marketContext)));
        return { payload: { name: 'eiReplyEnroll', body: { eiResponse: ok(body.requestID), enrollments: enrollments.map((e) => ({
          applicationDate: e.applicationDate, enrolleePartyID: e.partyID, enrolleeType: e.enrolleeType, enrollmentID: e.enrollmentID,
          ...(e.enrollmentName !== undefined ? { enrollmentName: e.enrollmentName } : {}),
          ...(e.enrollmentComments !== undefined ? { enrollmentComments: e.enrollmentComments } : {}),
          marketContext: e.marketContext, enrollmentStatus: e.status, resourceIDs: e.resourceIDs,
        })) } } };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiReplyEnroll', body: { eiResponse, enrollments: [] } }),
    },
    eiCancelEnroll: {
      scope: 'enroll',
      mutates: true,
      party: (body) => body.enrolleePartyID,
      async handle({ body, now, work }, { store, host, hooks }) {
        // The party's enrollments, one per market: an ID it names must be one of them.
        const own = await Promise.all(host.markets.map(async (market) => ({ market, record: await collections.enrollments.get(store, [market.rules.id, body.enrolleePartyID]) })));
        const leaving = body.enrollmentIDs.map((id) => {
          const found = own.find((o) => o.record?.enrollmentID === id);
          if (!found) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['enrollment', id]);
          return found;
        });
        // Leaving a market withdraws the party's open tenders there, and what other protocols hold for it
        // there goes too (OpenADR cancels its coming events), in the same commit.
        const left = leaving.map((l) => l.market);
        const cancellations = await partyLeftWrites(hooks, body.enrolleePartyID, left, now);
        return {
          payload: { name: 'eiCanceledEnroll', body: { eiResponse: ok(body.requestID), enrollmentIDs: body.enrollmentIDs } },
          writes: [...await withdrawAll(work, host, body.enrolleePartyID, now, left), ...leaving.map(({ market, record }) => collections.enrollments.put([market.rules.id, body.enrolleePartyID], { ...record!, status: 'separated' })),
            ...cancellations],
        };
      },
      refuse: (_body, eiResponse) => ({ name: 'eiCanceledEnroll', body: { eiResponse, enrollmentIDs: [] } }),
    },
  },
};
