/**
 * EiReport: a VEN describes what it can measure, the VTN asks for telemetry, the VEN sends it.
 *
 *   VEN ──oadrRegisterReport─▶ VTN   metadata kept; oadrRegisteredReport asks for each telemetry report
 *   VEN ──oadrCreatedReport──▶ VTN   the requests the VEN has started (pending)
 *   VEN ──oadrUpdateReport───▶ VTN   telemetry points stored per VEN, rID and interval start
 *   VEN ──oadrCancelReport───▶ VTN   cancels what it asked of the VTN's own report (vtn-reports.ts)
 *
 * Every rID in an update must be one the VEN registered and its request must be one the VTN made
 * (452 otherwise): telemetry is only ever what was asked for, filed under its owner.
 */
import { createHash } from 'node:crypto';
import { durationOfMillis, durationToMillis, type Duration } from '../calendar/duration.js';
import type { Instant } from '../calendar/instant.js';
import { SI_EXPONENT, type SiScaleCode } from '../emix/product.js';
import { MicromarketError } from '../errors.js';
import { registeredParty } from '../host/lookups.js';
import { timePart } from '../store/collection.js';
import type { Json, WriteOp } from '../store/store.js';
import type { ValueOf } from '../xml/codec.js';
import { ok, type EiResponse } from '../xml/payloads/index.js';
import type { oadrReport, oadrReportRequest } from '../xml/payloads/oadr.js';
import { ownVen, type OadrAnswer, type OadrContext, type OadrHandlers } from './handlers.js';
import { enqueue } from './queue.js';
import { oadrResponse } from './vtn.js';
import { cancelRequests, requestsOf, vtnMetadata } from './vtn-reports.js';
import { oadrCollections } from './records.js';

type OadrReport = ValueOf<typeof oadrReport>;
type ReportRequest = ValueOf<typeof oadrReportRequest>;
type ReportValue = NonNullable<OadrReport['intervals']>[number]['payloads'][number]['value'];

/** One data point a VEN can report, from its METADATA report. */
export interface ReportDescription {
  rID: string;
  reportType: string;
  readingType: string;
  resourceID?: string;
  itemUnits?: string;
  siScaleCode?: SiScaleCode;
  minPeriodMs?: number;
  maxPeriodMs?: number;
}

export interface ReportMetadata {
  reportSpecifierID: string;
  reportName: string;
  descriptions: ReportDescription[];
  registeredAt: Instant;
}

export interface ReportRequestRecord {
  reportRequestID: string;
  reportSpecifierID: string;
  rIDs: string[];
  granularityMs: number;
  /** requested by the VTN; pending once the VEN confirmed it (oadrCreatedReport); cancelled. */
  status: 'requested' | 'pending' | 'cancelled';
  requestedAt: Instant;
}

export interface TelemetryPoint {
  rID: string;
  resourceID?: string;
  reportType: string;
  /** Set for power readings (W), scaled: what delivery is measured from. */
  watts?: number;
  dtstart: Instant;
  durationMs?: number;
  value: Json;
  reportRequestID: string;
  receivedAt: Instant;
}

/** The telemetry reports micromarket asks for; history and the VTN-defined reports it does not. */
const TELEMETRY = new Set(['METADATA_TELEMETRY_USAGE', 'METADATA_TELEMETRY_STATUS']);
/** Sampling asked for when a VEN's range allows it: one point a minute. */
const PREFERRED_GRANULARITY = 60_000;

const ms = (d: Duration | undefined) => (d === undefined ? undefined : durationToMillis(d));
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
export const telemetryKey = (venID: string, rID: string, dtstart: Instant) => oadrCollections.telemetry.key(venID, rID, timePart(dtstart));

function metadataOf(report: OadrReport, now: Instant): ReportMetadata {
  return {
    reportSpecifierID: report.reportSpecifierID,
    reportName: report.reportName ?? '',
    registeredAt: now,
    descriptions: report.descriptions.map((d) => {
      const resourceID = (d.dataSource ?? d.subject)?.resourceIDs[0];
      const minPeriodMs = ms(d.samplingRate?.minPeriod);
      const maxPeriodMs = ms(d.samplingRate?.maxPeriod);
      return {
        rID: d.rID, reportType: d.reportType, readingType: d.readingType,
        ...(resourceID !== undefined ? { resourceID } : {}),
        ...(d.item && 'siScaleCode' in d.item.value ? { itemUnits: d.item.value.itemUnits, siScaleCode: d.item.value.siScaleCode } : {}),
        ...(minPeriodMs !== undefined ? { minPeriodMs } : {}),
        ...(maxPeriodMs !== undefined ? { maxPeriodMs } : {}),
      };
    }),
  };
}

/** A sampling period inside every description's range (never below a minPeriod: the harness checks it). */
function granularityFor(descriptions: readonly ReportDescription[]): number {
  const floor = Math.max(0, ...descriptions.map((d) => d.minPeriodMs ?? 0));
  const ceiling = Math.min(...descriptions.map((d) => d.maxPeriodMs ?? Infinity));
  return Math.max(floor, Math.min(PREFERRED_GRANULARITY, ceiling));
}

function requestFor(venID: string, metadata: ReportMetadata, now: Instant): { record: ReportRequestRecord; request: ReportRequest } {
  const granularityMs = granularityFor(metadata.descriptions);
  const reportRequestID = `rr-${digest(`${venID}/${metadata.reportSpecifierID}/${now}`)}`;
  const rIDs = metadata.descriptions.map((d) => d.rID);
  return {
    record: { reportRequestID, reportSpecifierID: metadata.reportSpecifierID, rIDs, granularityMs, status: 'requested', requestedAt: now },
    request: { reportRequestID, specifier: {
      reportSpecifierID: metadata.reportSpecifierID, granularity: durationOfMillis(granularityMs), reportBackDuration: durationOfMillis(granularityMs),
      payloads: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })),
    } },
  };
}

/** A report value as stored: a number, or the resource status object as sent. */
const storedValue = (value: ReportValue): Json => (value.kind === 'payloadFloat' ? value.value : value.value);

/** Takes a VEN's acknowledgement of a message the VTN sent it. */
async function acknowledge({ eiResponse, venID }: { eiResponse: EiResponse; venID?: string }, { principal, store }: OadrContext): Promise<OadrAnswer> {
  const ven = ownVen(principal, venID);
  await registeredParty(store, ven);
  return { reply: oadrResponse(ok(eiResponse.requestID), ven) };
}

export const reporting: OadrHandlers = {
  async oadrRegisterReport(body, { principal, store, host, now }) {
    const venID = ownVen(principal, body.venID);
    await registeredParty(store, venID);
    const writes: WriteOp[] = [];
    const requests: ReportRequest[] = [];
    for (const report of body.reports) {
      const metadata = metadataOf(report, now);
      writes.push(oadrCollections.reportMetadata.put([venID, metadata.reportSpecifierID], metadata));
      if (!TELEMETRY.has(metadata.reportName) || metadata.descriptions.length === 0) continue;
      const { record, request } = requestFor(venID, metadata, now);
      writes.push(oadrCollections.reportRequests.put([venID, record.reportRequestID], record));
      requests.push(request);
    }
    // The VTN offers its own report in turn, by the VEN's next poll (or push).
    writes.push(enqueue(venID, vtnMetadata(host, venID, now), now));
    return { reply: { kind: 'oadrRegisteredReport', value: { eiResponse: ok(body.requestID), requests, venID } }, writes };
  },

  async oadrCreatedReport({ eiResponse, pending, venID: named }, { principal, store }) {
    const venID = ownVen(principal, named);
    await registeredParty(store, venID);
    const writes: WriteOp[] = [];
    for (const reportRequestID of pending) {
      const request = await oadrCollections.reportRequests.get(store, [venID, reportRequestID]);
      if (request?.status === 'requested') writes.push(oadrCollections.reportRequests.put([venID, reportRequestID], { ...request, status: 'pending' }));
    }
    return { reply: oadrResponse(ok(eiResponse.requestID), venID), writes };
  },

  async oadrUpdateReport(body, { principal, store, now }) {
    const venID = ownVen(principal, body.venID);
    await registeredParty(store, venID);
    const writes: WriteOp[] = [];
    for (const report of body.reports) {
      const request = await oadrCollections.reportRequests.get(store, [venID, report.reportRequestID]);
      if (!request || request.status === 'cancelled') throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['report request', report.reportRequestID]);
      const metadata = (await oadrCollections.reportMetadata.get(store, [venID, request.reportSpecifierID]))!;
      for (const interval of report.intervals ?? []) {
        const dtstart = interval.dtstart ?? report.dtstart;
        if (dtstart === undefined) throw new MicromarketError('MM_ERR_EI_INVALID', [`report ${report.reportRequestID}: an interval without a dtstart in a report without one`]);
        const durationMs = ms(interval.duration ?? report.duration);
        for (const payload of interval.payloads) {
          const description = metadata.descriptions.find((d) => d.rID === payload.rID);
          if (!description || !request.rIDs.includes(payload.rID)) throw new MicromarketError('MM_ERR_EI_UNKNOWN_ID', ['rID', payload.rID]);
          const value = storedValue(payload.value);
          const point: TelemetryPoint = {
            rID: payload.rID, reportType: description.reportType, dtstart, value, reportRequestID: request.reportRequestID, receivedAt: now,
            ...(description.itemUnits === 'W' && typeof value === 'number' ? { watts: value * 10 ** SI_EXPONENT[description.siScaleCode ?? 'none'] } : {}),
            ...(description.resourceID !== undefined ? { resourceID: description.resourceID } : {}),
            ...(durationMs !== undefined ? { durationMs } : {}),
          };
          writes.push(oadrCollections.telemetry.put(telemetryKey(venID, payload.rID, dtstart), point));
        }
      }
    }
    return { reply: { kind: 'oadrUpdatedReport', value: { eiResponse: ok(body.requestID), venID } }, writes };
  },

  async oadrCancelReport({ requestID, reportRequestIDs, venID: named }, { principal, store }) {
    const venID = ownVen(principal, named);
    await registeredParty(store, venID);
    const { writes, pending } = await cancelRequests(store, venID, reportRequestIDs);
    return { reply: { kind: 'oadrCanceledReport', value: { eiResponse: ok(requestID), pending, venID } }, writes };
  },

  // The VEN's answer to the VTN's report: its requests for it, if any, are kept (452 for an rID not offered).
  async oadrRegisteredReport({ eiResponse, requests, venID }, { principal, store, host }) {
    const ven = ownVen(principal, venID);
    await registeredParty(store, ven);
    return { reply: oadrResponse(ok(eiResponse.requestID), ven),
      writes: requestsOf(host, requests).map((r) => oadrCollections.vtnReportRequests.put([ven, r.reportRequestID], r)) };
  },

  // Acknowledgements of what the VTN sent by poll or push.
  oadrUpdatedReport: acknowledge,
  oadrCanceledReport: acknowledge,
};
