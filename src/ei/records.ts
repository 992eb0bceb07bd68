/** What the EI services keep in the Store beside the kernel's records. */
import { Collection } from '../store/collection.js';
import type { QuoteOutboxRecord } from './quote-distribution.js';
import type { OfferRecord } from './services/ei-tender.js';

export const eiCollections = {
  /** partyID/tenderID → OfferRecord: tenders distributed peer to peer */
  offers: new Collection<OfferRecord, [partyID: string, tenderID: string]>('offers'),
  /** marketID/interval → QuoteOutboxRecord (quote-distribution.ts): a clearing price still to send to subscribers */
  quoteOutbox: new Collection<QuoteOutboxRecord, [marketID: string, interval: number]>('quote-outbox'),
} as const;
