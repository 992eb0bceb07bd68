/**
 * micromarket's own report, offered to every VEN that registers its reports: the cleared price of
 * each market, one data point (rID `price.{marketID}`) per market interval.
 *
 *   VTN ──oadrRegisterReport (by poll or push)─▶ VEN   the METADATA report below
 *   VEN ──oadrRegisteredReport─────────────────▶ VTN   the VEN's requests for it, if any, are kept
 *   VTN ──oadrUpdateReport (by poll or push)───▶ VEN   each interval's price once its gate has closed
 *   VEN ──oadrCancelReport─────────────────────▶ VTN   its requests end
 *
 * Updates go only to VENs that asked: OpenLEADR's VEN, which never asks, must never get one.
 */
import type { Instant } from '../calendar/instant.js';
import { durationOfMillis } from '../calendar/duration.js';
import type { MarketHost } from '../host/markets.js';
import { MicromarketError } from '../errors.js';
import type { Market } from '../market/market.js';
import { granularityMs } from '../terms/rules.js';
import type { Store, WriteOp } from '../store/store.js';
import type { OadrMessage, OadrMessageOf } from '../xml/payloads/oadr.js';
import { priceItem, publishedPrice } from './event-model.js';
import { enqueue } from './queue.js';
import { oadrCollections } from './records.js';

export const VTN_REPORT_SPECIFIER = 'micromarket-prices';
/** Not one of OpenADR's report names, so extension tokens (x-), as the profile allows. */
const REPORT_NAME = 'x-MARKET_PRICE';
export const priceRID = (marketID: string) => `price.${marketID}`;

/** A VEN's request for the VTN's report (collection vtn-report-requests, key venID/reportRequestID). */
export interface VtnReportRequest {
  reportRequestID: string;
  rIDs: string[];
  cancelled: boolean;
}

/** The VTN's METADATA report: one price data point per market, sampled once per market interval. */
export function vtnMetadata(host: MarketHost, venID: string, now: Instant): OadrMessage {
  return { kind: 'oadrRegisterReport', value: { requestID: `vtn-metadata-${now}`, venID, reports: [{
    descriptions: host.markets.map((market) => {
      const step = durationOfMillis(granularityMs(market.rules));
      return {
        rID: priceRID(market.rules.id), reportType: 'price', readingType: 'x-notApplicable', marketContext: market.rules.marketContext,
        item: priceItem(market.rules), samplingRate: { minPeriod: step, maxPeriod: step, onChange: false },
      };
    }),
    reportRequestID: '0', reportSpecifierID: VTN_REPORT_SPECIFIER, reportName: 'x-METADATA_MARKET_PRICE', createdDateTime: now,
  }] } };
}

/** The requests the VEN made in its oadrRegisteredReport answer, as records; refuses (452) an rID the VTN does not offer. */
export function requestsOf(host: MarketHost, requests: OadrMessageOf<'oadrRegisteredReport'>['requests']): VtnReportRequest[] {
  const offered = new Set(host.markets.map((m) => priceRID(m.rules.id)));
  return requests.map((request) => {
    const rIDs = request.specifier.payloads.map((p) => p.rID);
    const unknown = request.specifier.reportSpecifierID !== VTN_REPORT_SPECIFIER ? request.specifier.reportSpecifierID : rIDs.find((rID) => !offered.has(rID));
    if (unknown !== undefined) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['report data point', unknown]);
    return { reportRequestID: request.reportRequestID, rIDs, cancelled: false };
  });
}

/** Queues, for every VEN that asked for a market's price, an oadrUpdateReport with the intervals just issued. */
export async function priceUpdates(store: Store, market: Market, intervals: readonly Instant[], now: Instant): Promise<WriteOp[]> {
  const rID = priceRID(market.rules.id);
  const step = granularityMs(market.rules);
  const writes: WriteOp[] = [];
  for (const [key, request] of await oadrCollections.vtnReportRequests.list(store)) {
    if (request.cancelled || !request.rIDs.includes(rID)) continue;
    const venID = key.slice(0, key.lastIndexOf('/'));
    const points = intervals.map((dtstart, i) => ({ dtstart, duration: durationOfMillis(step), uid: String(i),
      payloads: [{ rID, value: { kind: 'payloadFloat' as const, value: publishedPrice(market.positions.averagePrice(dtstart)!, market.rules) } }] }));
    writes.push(enqueue(venID, { kind: 'oadrUpdateReport', value: { requestID: `price-${market.rules.id}-${intervals[0]}`, venID, reports: [{
      dtstart: intervals[0]!, duration: durationOfMillis(step * intervals.length), intervals: points, eiReportID: `${rID}.${intervals[0]}`, descriptions: [],
      reportRequestID: request.reportRequestID, reportSpecifierID: VTN_REPORT_SPECIFIER, reportName: REPORT_NAME, createdDateTime: now,
    }] } }, now, market.rules.id));
  }
  return writes;
}

/** Marks the VEN's requests named in its cancel as cancelled; returns the writes and the requests still pending. */
export async function cancelRequests(store: Store, venID: string, reportRequestIDs: readonly string[]): Promise<{ writes: WriteOp[]; pending: string[] }> {
  const writes: WriteOp[] = [];
  const pending: string[] = [];
  const known = new Set<string>();
  for (const [key, request] of await oadrCollections.vtnReportRequests.list(store, [venID])) {
    known.add(request.reportRequestID);
    if (request.cancelled) continue;
    if (reportRequestIDs.includes(request.reportRequestID)) writes.push(oadrCollections.vtnReportRequests.put(key, { ...request, cancelled: true }));
    else pending.push(request.reportRequestID);
  }
  // 2.0b's 452 (invalid ID) for an ID the VEN never asked for; the whole cancel is refused, nothing ends.
  const unknown = reportRequestIDs.find((id) => !known.has(id));
  if (unknown !== undefined) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['report request', unknown]);
  return { writes, pending };
}
