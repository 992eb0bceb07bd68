/** What the OpenADR VTN keeps in the Store, by collection. */
import type { Availability } from '../calendar/availability.js';
import { Collection, type Key } from '../store/collection.js';
import type { EventIndex } from './event-index.js';
import type { IssuedRecord, PendingDistribute } from './event-issuer.js';
import type { EventRecord } from './event-model.js';
import type { QueuedMessage } from './queue.js';
import type { ReportMetadata, ReportRequestRecord, TelemetryPoint } from './reports.js';
import type { VtnReportRequest } from './vtn-reports.js';

/**
 * An OpenADR opt schedule. An opt-out also stands in `avails` as one busy window per period (keys
 * in `availKeys`), which is how it keeps the party's tenders out of those periods.
 */
export interface OptRecord {
  optID: string;
  partyID: string;
  optType: 'optIn' | 'optOut';
  optReason: string;
  marketContext?: string;
  resourceIDs: string[];
  eventID?: string;
  availability?: Availability;
  createdDateTime: number;
  availKeys: Key[];
}

export const oadrCollections = {
  /** partyID/optID → OptRecord: an OpenADR VEN's opt schedule */
  opts: new Collection<OptRecord, [partyID: string, optID: string]>('opts'),
  /** venID/eventID → EventRecord (event-model.ts): events issued from market outcomes */
  events: new Collection<EventRecord, [venID: string, eventID: string]>('events'),
  /** venID/marketID → the VEN's events in the market that have not ended (event-index.ts) */
  eventIndex: new Collection<EventIndex, [venID: string, marketID: string]>('event-index'),
  /** marketID → IssuedRecord: the last interval whose events were issued */
  eventsIssued: new Collection<IssuedRecord>('events-issued'),
  /** venID → PendingDistribute: the VEN's events changed and a distribute awaits its poll */
  pendingDistributes: new Collection<PendingDistribute>('pending-distributes'),
  /** venID → {} for each VEN registered for push delivery, so the pusher looks at those VENs only */
  pushVens: new Collection<Record<string, never>>('push-vens'),
  /** venID/queuedAt-kind → QueuedMessage (queue.ts): VTN-initiated messages awaiting the VEN's poll */
  oadrQueue: new Collection<QueuedMessage, [venID: string, slot: string]>('oadr-queue'),
  /** venID/reportSpecifierID → ReportMetadata (reports.ts): what a VEN can report */
  reportMetadata: new Collection<ReportMetadata, [venID: string, reportSpecifierID: string]>('report-metadata'),
  /** venID/reportRequestID → ReportRequestRecord: telemetry the VTN asked a VEN for */
  reportRequests: new Collection<ReportRequestRecord, [venID: string, reportRequestID: string]>('report-requests'),
  /** venID/reportRequestID → VtnReportRequest (vtn-reports.ts): a VEN's request for the VTN's price report */
  vtnReportRequests: new Collection<VtnReportRequest, [venID: string, reportRequestID: string]>('vtn-report-requests'),
  /** venID/rID/dtstart → TelemetryPoint: what a VEN reported */
  telemetry: new Collection<TelemetryPoint, [venID: string, rID: string, dtstart: string]>('telemetry'),
} as const;
