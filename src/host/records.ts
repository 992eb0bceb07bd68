import type { Availability } from '../calendar/availability.js';
import type { ClearingResult, Transaction } from '../market/types.js';
import { Collection } from '../store/collection.js';
import type { EngineCommand } from './markets.js';
import type { partyRoles } from '../xml/payloads/ei.js';

export type PartyRole = (typeof partyRoles)[number];

/**
 * What the kernel keeps in the Store: parties, their enrollments and availability, the first answers
 * to requests, the markets' command logs, transactions and clearings. Each protocol keeps its own
 * records beside its code (src/auth/records.ts, src/ei/records.ts, src/openadr/records.ts,
 * src/intertie/records.ts); a collection's name is unique across them all.
 */
export const collections = {
  /** partyID → PartyRecord */
  parties: new Collection<PartyRecord>('parties'),
  /** marketID/partyID → EnrollmentRecord */
  enrollments: new Collection<EnrollmentRecord, [marketID: string, partyID: string]>('enrollments'),
  /** partyID/availID → AvailRecord */
  avails: new Collection<AvailRecord, [partyID: string, availID: string]>('avails'),
  /** partyID/requestID → the first response to a request, for idempotent retries within the retry window */
  requests: new Collection<RequestRecord, [partyID: string, requestID: string]>('requests'),
  /** when/partyID/requestID: the first answers in the order they expire (`when`: 15 digits of ms) */
  answersByTime: new Collection<Record<string, never>, [when: string, partyID: string, requestID: string]>('answers-by-time'),
  /** marketID/seq → engine command, replayed in order at start-up */
  commands: new Collection<EngineCommand, [marketID: string, seq: string]>('commands'),
  /**
   * partyID/origin/transactionID → transaction, under both parties. A market's trades and those two
   * parties make (eiCreateTransaction) are apart, so no ID a party chooses can address a market's trade.
   */
  partyTransactions: new Collection<Transaction, [partyID: string, origin: TransactionOrigin, transactionID: string]>('party-transactions'),
  /** marketID/interval → the last clearing of a call-auction interval */
  clearings: new Collection<ClearingSummary, [marketID: string, interval: number]>('clearings'),
} as const;

/** A clearing as recorded: its transactions are filed under the parties. */
export type ClearingSummary = Omit<ClearingResult, 'transactions'>;

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

export type EnrollmentStatus = 'pendingEnrollment' | 'approvedEnrollment' | 'underReview' | 'denied' | 'separated';

/** Who made a transaction: a market's clearing (its IDs are `<marketID>-<n>`), or two parties between them. */
export type TransactionOrigin = 'market' | 'peer';

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

export interface RequestRecord {
  status: number;
  body: string;
}
