import type { Availability } from '../calendar/availability.js';
import type { Json } from '../store/store.js';
import type { partyRoles } from '../xml/payloads/ei.js';

export type PartyRole = (typeof partyRoles)[number];

/**
 * What the EI services keep in the Store, by collection. Keys put the owning party first so that
 * a party's records are one prefix scan away.
 */
export const collections = {
  /** partyID → PartyRecord */
  parties: 'parties',
  /** client_id (= partyID) → ClientRecord: OAuth2 client credentials */
  clients: 'clients',
  /** enrollmentID → EnrollmentRecord */
  enrollments: 'enrollments',
  /** partyID/availID → AvailRecord */
  avails: 'avails',
  /** partyID/requestID → RequestRecord: the first response to a request, for idempotent retries */
  requests: 'requests',
  /** marketID/seq → engine command, replayed in order at start-up */
  commands: 'commands',
  /** partyID/transactionID → transaction, under both parties */
  partyTransactions: 'party-transactions',
  /** marketID/interval → the last clearing of a call-auction interval */
  clearings: 'clearings',
  /** marketID/interval → QuoteOutboxRecord (src/ei/quote-distribution.ts): a clearing price still to send to subscribers */
  quoteOutbox: 'quote-outbox',
  /** partyID/tenderID → OfferRecord: tenders distributed peer to peer */
  offers: 'offers',
  /** SHA-256 fingerprint of a client certificate (AB:CD:...) → FingerprintRecord */
  fingerprints: 'fingerprints',
  /** partyID/optID → OptRecord: an OpenADR VEN's opt schedule */
  opts: 'opts',
  /** venID/eventID → EventRecord (src/openadr/event-model.ts): events issued from market outcomes */
  events: 'events',
  /** venID/marketID → the VEN's events in the market that have not ended (src/openadr/event-index.ts) */
  eventIndex: 'event-index',
  /** marketID → IssuedRecord: the last interval whose events were issued */
  eventsIssued: 'events-issued',
  /** venID → PendingDistribute: the VEN's events changed and a distribute awaits its poll */
  pendingDistributes: 'pending-distributes',
  /** venID → {} for each VEN registered for push delivery, so the pusher looks at those VENs only */
  pushVens: 'push-vens',
  /** venID/queuedAt-kind → QueuedMessage (src/openadr/queue.ts): VTN-initiated messages awaiting the VEN's poll */
  oadrQueue: 'oadr-queue',
  /** venID/reportSpecifierID → ReportMetadata (src/openadr/reports.ts): what a VEN can report */
  reportMetadata: 'report-metadata',
  /** venID/reportRequestID → ReportRequestRecord: telemetry the VTN asked a VEN for */
  reportRequests: 'report-requests',
  /** venID/reportRequestID → VtnReportRequest (src/openadr/vtn-reports.ts): a VEN's request for the VTN's price report */
  vtnReportRequests: 'vtn-report-requests',
  /** venID/rID/dtstart → TelemetryPoint: what a VEN reported */
  telemetry: 'telemetry',
  /** childMarketID/interval → IntertieRecord (src/intertie/records.ts): what the child bid in its parent and what came back */
  interties: 'interties',
  /** childMarketID → IntertieStatus: whether the intertie is linked or islanded, since when and why */
  intertieStatus: 'intertie-status',
} as const;

export interface PartyRecord {
  partyID: string;
  registrationID: string;
  partyName?: string;
  partyRoles: PartyRole[];
  transportAddress?: string;
  registeredAt: number;
  cancelled?: boolean;
  /** How the party registered as an OpenADR VEN, if it did (its venID is its partyID). */
  oadr?: OadrRegistration;
}

export interface OadrRegistration {
  profileName: '2.0b';
  transportName: 'simpleHttp';
  httpPullModel: boolean;
  reportOnly: boolean;
  xmlSignature: boolean;
  /** The operator asked the VEN, by poll, to cancel its registration; its oadrCanceledPartyRegistration completes it. */
  cancelRequested?: boolean;
}

/** A TLS client certificate the operator mapped to a party. */
export interface FingerprintRecord {
  partyID: string;
  scopes: string[];
}

export interface ClientRecord {
  partyID: string;
  salt: string;
  hash: string;
  scopes: string[];
}

export type EnrollmentStatus = 'pendingEnrollment' | 'approvedEnrollment' | 'underReview' | 'denied' | 'separated';

export interface EnrollmentRecord {
  enrollmentID: string;
  partyID: string;
  marketContext: string;
  enrolleeType: PartyRole;
  status: EnrollmentStatus;
  applicationDate: number;
  enrollmentName?: string;
  enrollmentComments?: string;
  resourceIDs: string[];
}

export interface AvailRecord {
  availID: string;
  partyID: string;
  resourceID?: string;
  marketContext?: string;
  availability: Availability;
}

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
  availKeys: string[];
}

export interface RequestRecord {
  status: number;
  body: string;
}

/** Records are plain data; this is the one place where their types meet the Store's Json. */
export const asJson = <T>(value: T): Json => value as unknown as Json;
export const fromJson = <T>(value: Json | undefined): T | undefined => value as unknown as T | undefined;
