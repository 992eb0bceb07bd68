import { boolean, element, enumeration, integer, many, one, opt, sequence, single, some, text, variant, withAttributes, type ContentCodec, type ElementCodec } from '../codec.js';
import { NS } from '../namespaces.js';
import { durationValue, vavailability } from './calendar.js';
import { createdDateTime, ei, eiResponse, partyID, registrationID, requestID, resourceID } from './ei.js';
import { marketContext } from './emix.js';

/**
 * OpenADR 2.0b messages (xsd/oadr.xsd) inside their envelope. Each message element is written with
 * ei:schemaVersion="2.0b", as the profile requires; so far registration, opt, poll and the generic
 * response (events and reports are the next part of issue 5).
 */
const oadr = <T>(name: string, content: ContentCodec<T>) => element(NS.oadr, name, content);
const message = <T>(name: string, content: ContentCodec<T>) => withAttributes(oadr(name, content), [[NS.ei, 'schemaVersion', '2.0b']]);

export const venID = ei('venID', text);
export const vtnID = ei('vtnID', text);
export const optID = ei('optID', text);

/** Whom something is for (criteria OR'd; empty: the recipient). OpenADR's device class has the same form. */
const target = sequence({
  groupIDs: many(ei('groupID', text)),
  groupNames: many(ei('groupName', text)),
  resourceIDs: many(resourceID),
  venIDs: many(venID),
  partyIDs: many(partyID),
});
export const eiTarget = ei('eiTarget', target);
export const qualifiedEventID = ei('qualifiedEventID', sequence({
  eventID: one(ei('eventID', text)),
  modificationNumber: one(ei('modificationNumber', integer)),
}));

const profileName = enumeration(['2.0a', '2.0b'] as const);
const transportName = enumeration(['simpleHttp', 'xmpp'] as const);
const serviceName = enumeration(['EiEvent', 'EiOpt', 'EiReport', 'EiRegisterParty', 'OadrPoll'] as const);
const oadrInfo = oadr('oadrInfo', sequence({ key: one(oadr('oadrKey', text)), value: one(oadr('oadrValue', text)) }));

const registration = {
  oadrQueryRegistration: message('oadrQueryRegistration', sequence({ requestID: one(requestID) })),
  oadrCreatePartyRegistration: message('oadrCreatePartyRegistration', sequence({
    requestID: one(requestID),
    registrationID: opt(registrationID),
    venID: opt(venID),
    profileName: one(oadr('oadrProfileName', profileName)),
    transportName: one(oadr('oadrTransportName', transportName)),
    transportAddress: opt(oadr('oadrTransportAddress', text)),
    reportOnly: one(oadr('oadrReportOnly', boolean)),
    xmlSignature: one(oadr('oadrXmlSignature', boolean)),
    venName: opt(oadr('oadrVenName', text)),
    httpPullModel: opt(oadr('oadrHttpPullModel', boolean)),
  })),
  oadrCreatedPartyRegistration: message('oadrCreatedPartyRegistration', sequence({
    eiResponse: one(eiResponse),
    registrationID: opt(registrationID),
    venID: opt(venID),
    vtnID: one(vtnID),
    profiles: one(oadr('oadrProfiles', sequence({
      profiles: some(oadr('oadrProfile', sequence({
        profileName: one(oadr('oadrProfileName', profileName)),
        transports: one(oadr('oadrTransports', sequence({
          transports: some(oadr('oadrTransport', sequence({ transportName: one(oadr('oadrTransportName', transportName)) }))),
        }))),
      }))),
    }))),
    pollFrequency: opt(oadr('oadrRequestedOadrPollFreq', single(durationValue))),
    serviceSpecificInfo: opt(oadr('oadrServiceSpecificInfo', sequence({
      services: many(oadr('oadrService', sequence({ serviceName: one(oadr('oadrServiceName', serviceName)), infos: some(oadrInfo) }))),
    }))),
    extensions: opt(oadr('oadrExtensions', sequence({
      extensions: many(oadr('oadrExtension', sequence({ name: one(oadr('oadrExtensionName', text)), infos: many(oadrInfo) }))),
    }))),
  })),
  oadrCancelPartyRegistration: message('oadrCancelPartyRegistration', sequence({
    requestID: one(requestID),
    registrationID: one(registrationID),
    venID: opt(venID),
  })),
  oadrCanceledPartyRegistration: message('oadrCanceledPartyRegistration', sequence({
    eiResponse: one(eiResponse),
    registrationID: opt(registrationID),
    venID: opt(venID),
  })),
  oadrRequestReregistration: message('oadrRequestReregistration', sequence({ venID: one(venID) })),
};

const optOutcome = sequence({ eiResponse: one(eiResponse), optID: one(optID) });
const opting = {
  oadrCreateOpt: message('oadrCreateOpt', sequence({
    optID: one(optID),
    optType: one(ei('optType', enumeration(['optIn', 'optOut'] as const))),
    optReason: one(ei('optReason', text)),
    marketContext: opt(marketContext),
    venID: one(venID),
    availability: opt(vavailability),
    createdDateTime: one(createdDateTime),
    requestID: one(requestID),
    qualifiedEventID: opt(qualifiedEventID),
    target: one(eiTarget),
    deviceClass: opt(oadr('oadrDeviceClass', target)),
  })),
  oadrCreatedOpt: message('oadrCreatedOpt', optOutcome),
  oadrCancelOpt: message('oadrCancelOpt', sequence({ requestID: one(requestID), optID: one(optID), venID: one(venID) })),
  oadrCanceledOpt: message('oadrCanceledOpt', optOutcome),
};

const polling = {
  oadrPoll: message('oadrPoll', sequence({ venID: one(venID) })),
  oadrResponse: message('oadrResponse', sequence({ eiResponse: one(eiResponse), venID: opt(venID) })),
};

/** One OpenADR message, tagged by its element name. */
export const oadrMessage = variant({ ...registration, ...opting, ...polling });
export type OadrMessage = typeof oadrMessage extends ElementCodec<infer T> ? T : never;

/** The envelope every OpenADR body and reply travels in. */
export const oadrPayload = oadr('oadrPayload', sequence({
  message: one(oadr('oadrSignedObject', single(oadrMessage))),
}));
