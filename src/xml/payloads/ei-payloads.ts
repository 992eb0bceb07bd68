import { element, many, one, opt, sequence, some, type ContentCodec } from '../codec.js';
import { NS } from '../namespaces.js';
import {
  availID, counterPartyID, eiAvail, eiMarketContext, eiQuote, eiRegistrationInfo, eiResponse, eiTender, eiTransaction,
  partyID, publisherPartyID, quoteID, registrarPartyID, registrationID, registreePartyID, requestID, requestorPartyID,
  resourceID, subscriberPartyID, tenderID, transactionID,
} from './ei.js';
import { intervals, marketContext } from './emix.js';

const pyld = <T>(name: string, content: ContentCodec<T>) => element(NS.pyld, name, content);

/** EiRegisterParty payload roots. */
export const registrationPayloads = {
  eiCreatePartyRegistration: pyld('eiCreatePartyRegistration', sequence({
    requestID: one(requestID),
    registreePartyID: opt(registreePartyID),
    registrationInfo: one(eiRegistrationInfo),
  })),
  eiCreatedPartyRegistration: pyld('eiCreatedPartyRegistration', sequence({
    eiResponse: one(eiResponse),
    registrarPartyID: opt(registrarPartyID),
    registrationID: opt(registrationID),
    registreePartyID: opt(registreePartyID),
  })),
  eiRequestPartyRegistration: pyld('eiRequestPartyRegistration', sequence({
    requestID: one(requestID),
    registreePartyID: opt(registreePartyID),
    registrationID: opt(registrationID),
  })),
  eiReplyPartyRegistration: pyld('eiReplyPartyRegistration', sequence({
    eiResponse: one(eiResponse),
    registrarPartyID: opt(registrarPartyID),
    registrationID: opt(registrationID),
    registreePartyID: opt(registreePartyID),
    registrationInfo: opt(eiRegistrationInfo),
  })),
  eiCancelPartyRegistration: pyld('eiCancelPartyRegistration', sequence({
    requestID: one(requestID),
    registrationID: one(registrationID),
    registreePartyID: opt(registreePartyID),
  })),
  eiCanceledPartyRegistration: pyld('eiCanceledPartyRegistration', sequence({
    eiResponse: one(eiResponse),
    registrationID: opt(registrationID),
    registreePartyID: opt(registreePartyID),
  })),
};

/** EiMarketContext payload roots. */
export const marketContextPayloads = {
  eiRequestEiMarketContext: pyld('eiRequestEiMarketContext', sequence({
    requestID: one(requestID),
    requestorPartyID: one(requestorPartyID),
    marketContexts: many(marketContext),
  })),
  eiReplyEiMarketContext: pyld('eiReplyEiMarketContext', sequence({
    eiResponse: one(eiResponse),
    marketContexts: many(eiMarketContext),
  })),
};

/** EiQuote payload roots. */
export const quotePayloads = {
  eiCreateQuote: pyld('eiCreateQuote', sequence({
    requestID: one(requestID),
    publisherPartyID: one(publisherPartyID),
    subscriberPartyID: one(subscriberPartyID),
    quotes: some(eiQuote),
  })),
  eiCreatedQuote: pyld('eiCreatedQuote', sequence({
    eiResponse: one(eiResponse),
    publisherPartyID: opt(publisherPartyID),
    subscriberPartyID: opt(subscriberPartyID),
    quoteIDs: many(quoteID),
  })),
  eiCancelQuote: pyld('eiCancelQuote', sequence({
    requestID: one(requestID),
    publisherPartyID: one(publisherPartyID),
    quoteIDs: some(quoteID),
  })),
  eiCanceledQuote: pyld('eiCanceledQuote', sequence({
    eiResponse: one(eiResponse),
    publisherPartyID: opt(publisherPartyID),
    quoteIDs: many(quoteID),
  })),
  eiRequestQuote: pyld('eiRequestQuote', sequence({
    requestID: one(requestID),
    requestorPartyID: one(requestorPartyID),
    publisherPartyID: one(publisherPartyID),
    marketContexts: many(marketContext),
    quoteIDs: many(quoteID),
    intervals: opt(intervals),
  })),
  eiReplyQuote: pyld('eiReplyQuote', sequence({ eiResponse: one(eiResponse), quotes: many(eiQuote) })),
};

/** EiTender payload roots. */
export const tenderPayloads = {
  eiCreateTender: pyld('eiCreateTender', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    counterPartyID: one(counterPartyID),
    tenders: some(eiTender),
  })),
  eiCreatedTender: pyld('eiCreatedTender', sequence({
    eiResponse: one(eiResponse),
    partyID: one(partyID),
    counterPartyID: opt(counterPartyID),
    tenderIDs: many(tenderID),
    transactions: many(eiTransaction),
  })),
  eiCancelTender: pyld('eiCancelTender', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    counterPartyID: opt(counterPartyID),
    tenderIDs: some(tenderID),
  })),
  eiCanceledTender: pyld('eiCanceledTender', sequence({
    eiResponse: one(eiResponse),
    partyID: one(partyID),
    counterPartyID: opt(counterPartyID),
    tenderIDs: many(tenderID),
  })),
  eiRequestTender: pyld('eiRequestTender', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    counterPartyIDs: many(counterPartyID),
    requestorPartyID: one(requestorPartyID),
    marketContexts: many(marketContext),
    tenderIDs: many(tenderID),
    intervals: opt(intervals),
  })),
  eiReplyTender: pyld('eiReplyTender', sequence({ eiResponse: one(eiResponse), tenders: many(eiTender) })),
  eiDistributeTender: pyld('eiDistributeTender', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    tenders: some(eiTender),
  })),
};

/** EiTransaction payload roots. A transaction is binding: there is no cancel. */
export const transactionPayloads = {
  eiCreateTransaction: pyld('eiCreateTransaction', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    counterPartyID: one(counterPartyID),
    transactions: some(eiTransaction),
  })),
  eiCreatedTransaction: pyld('eiCreatedTransaction', sequence({
    counterPartyID: one(counterPartyID),
    partyID: one(partyID),
    eiResponse: one(eiResponse),
    transactionIDs: many(transactionID),
  })),
  eiRequestTransaction: pyld('eiRequestTransaction', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    counterPartyIDs: many(counterPartyID),
    requestorPartyID: one(requestorPartyID),
    marketContexts: many(marketContext),
    transactionIDs: many(transactionID),
    intervals: opt(intervals),
  })),
  eiReplyTransaction: pyld('eiReplyTransaction', sequence({ eiResponse: one(eiResponse), transactions: many(eiTransaction) })),
};

/** EiAvail payload roots. */
export const availPayloads = {
  eiCreateAvail: pyld('eiCreateAvail', sequence({ requestID: one(requestID), partyID: one(partyID), avails: some(eiAvail) })),
  eiCreatedAvail: pyld('eiCreatedAvail', sequence({ eiResponse: one(eiResponse), partyID: one(partyID), availIDs: many(availID) })),
  eiCancelAvail: pyld('eiCancelAvail', sequence({ requestID: one(requestID), partyID: one(partyID), availIDs: some(availID) })),
  eiCanceledAvail: pyld('eiCanceledAvail', sequence({ eiResponse: one(eiResponse), partyID: one(partyID), availIDs: many(availID) })),
  eiRequestAvail: pyld('eiRequestAvail', sequence({
    requestID: one(requestID),
    partyID: one(partyID),
    resourceIDs: many(resourceID),
    marketContexts: many(marketContext),
    availIDs: many(availID),
  })),
  eiReplyAvail: pyld('eiReplyAvail', sequence({ eiResponse: one(eiResponse), partyID: one(partyID), avails: many(eiAvail) })),
};
