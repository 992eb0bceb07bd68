import { element, enumeration, one, opt, sequence, some, text, type ContentCodec } from '../codec.js';
import { NS } from '../namespaces.js';
import { instant, vavailability } from './calendar.js';
import { marketContext, product } from './emix.js';
import { standardTerms } from './standard-terms.js';

export const ei = <T>(name: string, content: ContentCodec<T>) => element(NS.ei, name, content);
const id = (name: string) => ei(name, text);

export const requestID = element(NS.pyld, 'requestID', text);
export const partyID = id('partyID');
export const counterPartyID = id('counterPartyID');
export const registreePartyID = id('registreePartyID');
export const registrarPartyID = id('registrarPartyID');
export const requestorPartyID = id('requestorPartyID');
export const publisherPartyID = id('publisherPartyID');
export const subscriberPartyID = id('subscriberPartyID');
export const tenderID = id('tenderID');
export const transactionID = id('transactionID');
export const quoteID = id('quoteID');
export const registrationID = id('registrationID');
export const availID = id('availID');
export const resourceID = id('resourceID');
export const createdDateTime = ei('createdDateTime', instant);

export const eiResponse = ei('eiResponse', sequence({
  responseCode: one(ei('responseCode', text)),
  responseDescription: opt(ei('responseDescription', text)),
  requestID: one(requestID),
}));

export const eiTender = ei('eiTender', sequence({ tenderID: one(tenderID), product: one(product) }));
export const eiTransaction = ei('eiTransaction', sequence({
  transactionID: one(transactionID),
  tenderID: opt(tenderID),
  product: one(product),
}));
export const eiQuote = ei('eiQuote', sequence({ quoteID: one(quoteID), products: some(product) }));

export const eiMarketContext = ei('eiMarketContext', sequence({
  marketContext: one(marketContext),
  marketName: opt(ei('marketName', text)),
  standardTerms: opt(standardTerms),
  createdDateTime: opt(createdDateTime),
}));

export const partyRoles = [
  'aggregator', 'consumer', 'distribution', 'resource', 'enrollingAuthority', 'generator', 'lse', 'market',
  'meterAuthority', 'schedulingEntity', 'serviceProvider', 'supplier', 'systemOperator', 'tdsp', 'transmission',
] as const;
export const partyRole = enumeration(partyRoles);

export const eiRegistrationInfo = ei('eiRegistrationInfo', sequence({
  partyName: opt(ei('partyName', text)),
  partyRoles: some(ei('partyRole', partyRole)),
  transportAddress: opt(ei('transportAddress', text)),
}));

export const eiAvail = ei('eiAvail', sequence({
  availID: opt(availID),
  resourceID: opt(resourceID),
  marketContext: opt(marketContext),
  availability: one(vavailability),
}));

