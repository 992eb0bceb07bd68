import {
  boolean, decimal, element, enumeration, integer, list, many, one, opaque, opt, sequence, single, some, text, variant, withAttributes,
  type ContentCodec, type ElementCodec, type ValueOf,
} from '../codec.js';
import { NS } from '../namespaces.js';
import { dtstart, duration, durationProp, durationValue, granularity, instant, properties, uid } from './calendar.js';
import { createdDateTime, ei, eiMarketContext, eiResponse, partyID, registrationID, requestID, resourceID } from './ei.js';
import { marketContext, powerAttributes, siScaleCode } from './emix.js';

/**
 * OpenADR 2.0b messages (xsd/oadr.xsd) inside their envelope. Each message element is written with
 * ei:schemaVersion="2.0b", as the profile requires: registration, events, reports, opt, poll and the
 * generic response.
 */
const oadr = <T>(name: string, content: ContentCodec<T>) => element(NS.oadr, name, content);
const message = <T>(name: string, content: ContentCodec<T>) => withAttributes(oadr(name, content), [[NS.ei, 'schemaVersion', '2.0b']]);

export const venID = ei('venID', text);
export const vtnID = ei('vtnID', text);
export const optID = ei('optID', text);

const power = <T>(name: string, content: ContentCodec<T>) => element(NS.power, name, content);
const gridNode = (name: string) => power(name, single(power('node', text)));
const asset = (name: string) => power(name, single(power('mrid', text)));

/**
 * Whom something is for (criteria OR'd; empty: the recipient). OpenADR's device class has the same
 * form. Grid locations (nodes, assets, transport interfaces, GML areas) are read and kept; the VTN
 * itself targets VENs.
 */
const target = sequence({
  aggregatedPnodes: many(gridNode('aggregatedPnode')),
  endDeviceAssets: many(asset('endDeviceAsset')),
  meterAssets: many(asset('meterAsset')),
  pnodes: many(gridNode('pnode')),
  serviceAreas: many(element(NS.emix, 'serviceArea', opaque)),
  serviceDeliveryPoints: many(gridNode('serviceDeliveryPoint')),
  serviceLocations: many(power('serviceLocation', opaque)),
  transportInterfaces: many(power('transportInterface', sequence({
    pointOfReceipt: one(power('pointOfReceipt', text)),
    pointOfDelivery: one(power('pointOfDelivery', text)),
  }))),
  groupIDs: many(ei('groupID', text)),
  groupNames: many(ei('groupName', text)),
  resourceIDs: many(resourceID),
  venIDs: many(venID),
  partyIDs: many(partyID),
});
export const eiTarget = ei('eiTarget', target);
export type EiTarget = ValueOf<typeof eiTarget>;
/** A target naming only what `criteria` gives. */
export const targetOf = (criteria: Partial<EiTarget>): EiTarget => ({
  aggregatedPnodes: [], endDeviceAssets: [], meterAssets: [], pnodes: [], serviceAreas: [], serviceDeliveryPoints: [], serviceLocations: [],
  transportInterfaces: [], groupIDs: [], groupNames: [], resourceIDs: [], venIDs: [], partyIDs: [], ...criteria,
});
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

/** What a signal or baseline measures: an EMIX or OpenADR item, by element name. */
const itemFields = (ns: string) => ({
  itemDescription: one(element(ns, 'itemDescription', text)),
  itemUnits: one(element(ns, 'itemUnits', text)),
});
const measured = (ns: string, name: string) => element(ns, name, sequence({ ...itemFields(ns), siScaleCode }));
const powerItem = (name: string) => element(NS.power, name, sequence({ ...itemFields(NS.power), siScaleCode, powerAttributes: one(powerAttributes) }));
export const signalItem = variant({
  powerReal: powerItem('powerReal'), powerApparent: powerItem('powerApparent'), powerReactive: powerItem('powerReactive'),
  energyReal: measured(NS.power, 'energyReal'), energyApparent: measured(NS.power, 'energyApparent'),
  energyReactive: measured(NS.power, 'energyReactive'), voltage: measured(NS.power, 'voltage'),
  currency: measured(NS.oadr, 'currency'), currencyPerKWh: measured(NS.oadr, 'currencyPerKWh'),
  currencyPerKW: measured(NS.oadr, 'currencyPerKW'), currencyPerThm: measured(NS.oadr, 'currencyPerThm'),
  current: measured(NS.oadr, 'current'), frequency: measured(NS.oadr, 'frequency'), Therm: measured(NS.oadr, 'Therm'),
  temperature: measured(NS.oadr, 'temperature'), customUnit: measured(NS.oadr, 'customUnit'),
  pulseCount: oadr('pulseCount', sequence({ ...itemFields(NS.oadr), pulseFactor: one(oadr('pulseFactor', decimal)) })),
});

export const payloadFloat = ei('payloadFloat', single(ei('value', decimal)));
const signalInterval = ei('interval', sequence({
  dtstart: opt(dtstart),
  duration: opt(durationProp),
  uid: opt(uid),
  values: some(ei('signalPayload', single(payloadFloat))),
}));
const signalIntervals = element(NS.strm, 'intervals', list(signalInterval));

export const eventStatuses = ['none', 'far', 'near', 'active', 'completed', 'cancelled'] as const;
export const signalTypes = ['delta', 'level', 'multiplier', 'price', 'priceMultiplier', 'priceRelative', 'setpoint',
  'x-loadControlCapacity', 'x-loadControlLevelOffset', 'x-loadControlPercentOffset', 'x-loadControlSetpoint'] as const;

export const eiEvent = ei('eiEvent', sequence({
  descriptor: one(ei('eventDescriptor', sequence({
    eventID: one(ei('eventID', text)),
    modificationNumber: one(ei('modificationNumber', integer)),
    modificationDateTime: opt(ei('modificationDateTime', instant)),
    modificationReason: opt(ei('modificationReason', text)),
    priority: opt(ei('priority', integer)),
    marketContext: one(eiMarketContext),
    createdDateTime: one(createdDateTime),
    eventStatus: one(ei('eventStatus', enumeration(eventStatuses))),
    testEvent: opt(ei('testEvent', text)),
    vtnComment: opt(ei('vtnComment', text)),
  }))),
  activePeriod: one(ei('eiActivePeriod', sequence({
    properties: one(properties),
    components: one(element(NS.xcal, 'components', list(element(NS.xcal, 'available', sequence({ properties: one(properties) }))))),
  }))),
  signals: one(ei('eiEventSignals', sequence({
    signals: some(ei('eiEventSignal', sequence({
      intervals: one(signalIntervals),
      target: opt(eiTarget),
      signalName: one(ei('signalName', text)),
      signalType: one(ei('signalType', enumeration(signalTypes))),
      signalID: one(ei('signalID', text)),
      item: opt(signalItem),
      currentValue: opt(ei('currentValue', single(payloadFloat))),
    }))),
    baseline: opt(ei('eiEventBaseline', sequence({
      dtstart: one(dtstart),
      duration: one(durationProp),
      intervals: one(signalIntervals),
      baselineID: one(ei('baselineID', text)),
      resourceIDs: many(resourceID),
      baselineName: one(ei('baselineName', text)),
      item: opt(signalItem),
    }))),
  }))),
  target: one(eiTarget),
}));

const events = {
  oadrDistributeEvent: message('oadrDistributeEvent', sequence({
    eiResponse: opt(eiResponse),
    requestID: one(requestID),
    vtnID: one(vtnID),
    events: many(oadr('oadrEvent', sequence({
      event: one(eiEvent),
      responseRequired: one(oadr('oadrResponseRequired', enumeration(['always', 'never'] as const))),
    }))),
  })),
  oadrCreatedEvent: message('oadrCreatedEvent', single(element(NS.pyld, 'eiCreatedEvent', sequence({
    eiResponse: one(eiResponse),
    eventResponses: opt(ei('eventResponses', list(ei('eventResponse', sequence({
      responseCode: one(ei('responseCode', text)),
      responseDescription: opt(ei('responseDescription', text)),
      requestID: one(requestID),
      qualifiedEventID: one(qualifiedEventID),
      optType: one(ei('optType', enumeration(['optIn', 'optOut'] as const))),
    }))))),
    venID: one(venID),
  })))),
  oadrRequestEvent: message('oadrRequestEvent', single(element(NS.pyld, 'eiRequestEvent', sequence({
    requestID: one(requestID),
    venID: one(venID),
    replyLimit: opt(element(NS.pyld, 'replyLimit', integer)),
  })))),
};

/** A resource's state as a report value. */
const controlState = (name: string) => oadr(name, sequence({
  min: opt(oadr('oadrMin', decimal)),
  max: opt(oadr('oadrMax', decimal)),
  current: one(oadr('oadrCurrent', decimal)),
  normal: opt(oadr('oadrNormal', decimal)),
}));
const reportValue = variant({
  payloadFloat,
  oadrPayloadResourceStatus: oadr('oadrPayloadResourceStatus', sequence({
    online: one(oadr('oadrOnline', boolean)),
    manualOverride: one(oadr('oadrManualOverride', boolean)),
    loadControlState: opt(oadr('oadrLoadControlState', sequence({
      capacity: opt(controlState('oadrCapacity')),
      levelOffset: opt(controlState('oadrLevelOffset')),
      percentOffset: opt(controlState('oadrPercentOffset')),
      setPoint: opt(controlState('oadrSetPoint')),
    }))),
  })),
});
const rID = ei('rID', text);
const readingType = ei('readingType', text);
const reportRequestID = ei('reportRequestID', text);
const reportSpecifierID = ei('reportSpecifierID', text);
const reportInterval = ei('interval', sequence({
  dtstart: opt(dtstart),
  duration: opt(durationProp),
  uid: opt(uid),
  payloads: some(oadr('oadrReportPayload', sequence({
    rID: one(rID),
    confidence: opt(ei('confidence', integer)),
    accuracy: opt(ei('accuracy', decimal)),
    value: one(reportValue),
    dataQuality: opt(oadr('oadrDataQuality', text)),
  }))),
}));
export const oadrReport = oadr('oadrReport', sequence({
  dtstart: opt(dtstart),
  duration: opt(durationProp),
  intervals: opt(element(NS.strm, 'intervals', list(reportInterval))),
  eiReportID: opt(ei('eiReportID', text)),
  descriptions: many(oadr('oadrReportDescription', sequence({
    rID: one(rID),
    subject: opt(ei('reportSubject', target)),
    dataSource: opt(ei('reportDataSource', target)),
    reportType: one(ei('reportType', text)),
    item: opt(signalItem),
    readingType: one(readingType),
    marketContext: opt(marketContext),
    samplingRate: opt(oadr('oadrSamplingRate', sequence({
      minPeriod: one(oadr('oadrMinPeriod', duration)),
      maxPeriod: one(oadr('oadrMaxPeriod', duration)),
      onChange: one(oadr('oadrOnChange', boolean)),
    }))),
  }))),
  reportRequestID: one(reportRequestID),
  reportSpecifierID: one(reportSpecifierID),
  reportName: opt(ei('reportName', text)),
  createdDateTime: one(createdDateTime),
}));
export const oadrReportRequest = oadr('oadrReportRequest', sequence({
  reportRequestID: one(reportRequestID),
  specifier: one(ei('reportSpecifier', sequence({
    reportSpecifierID: one(reportSpecifierID),
    granularity: one(granularity),
    reportBackDuration: one(ei('reportBackDuration', single(durationValue))),
    reportInterval: opt(ei('reportInterval', single(properties))),
    payloads: some(ei('specifierPayload', sequence({
      rID: one(rID),
      item: opt(signalItem),
      readingType: one(readingType),
    }))),
  }))),
}));
const pendingReports = oadr('oadrPendingReports', list(reportRequestID));
const cancelReport = sequence({
  requestID: one(requestID),
  reportRequestIDs: some(reportRequestID),
  reportToFollow: one(element(NS.pyld, 'reportToFollow', boolean)),
  venID: opt(venID),
});

const reports = {
  oadrRegisterReport: message('oadrRegisterReport', sequence({
    requestID: one(requestID), reports: many(oadrReport), venID: opt(venID), reportRequestID: opt(reportRequestID),
  })),
  oadrRegisteredReport: message('oadrRegisteredReport', sequence({ eiResponse: one(eiResponse), requests: many(oadrReportRequest), venID: opt(venID) })),
  oadrCreateReport: message('oadrCreateReport', sequence({ requestID: one(requestID), requests: some(oadrReportRequest), venID: opt(venID) })),
  oadrCreatedReport: message('oadrCreatedReport', sequence({ eiResponse: one(eiResponse), pending: one(pendingReports), venID: opt(venID) })),
  oadrUpdateReport: message('oadrUpdateReport', sequence({ requestID: one(requestID), reports: many(oadrReport), venID: opt(venID) })),
  // A VTN may piggy-back a cancellation on its answer to an update.
  oadrUpdatedReport: message('oadrUpdatedReport', sequence({
    eiResponse: one(eiResponse), cancel: opt(oadr('oadrCancelReport', cancelReport)), venID: opt(venID),
  })),
  oadrCancelReport: message('oadrCancelReport', cancelReport),
  oadrCanceledReport: message('oadrCanceledReport', sequence({ eiResponse: one(eiResponse), pending: one(pendingReports), venID: opt(venID) })),
};

/**
 * An opt's period as OpenADR 2.0b writes it: a vavailability of plain windows, each a start and a
 * duration, without the calendar properties (recurrence, time zone, busy type) the shared xCal
 * schema allows for EI availability.
 */
const optWindows = element(NS.xcal, 'vavailability', sequence({
  available: one(element(NS.xcal, 'components', list(element(NS.xcal, 'available', sequence({
    properties: one(element(NS.xcal, 'properties', sequence({ dtstart: one(dtstart), duration: one(durationProp) }))),
  }))))),
}));

const optOutcome = sequence({ eiResponse: one(eiResponse), optID: one(optID) });
const opting = {
  oadrCreateOpt: message('oadrCreateOpt', sequence({
    optID: one(optID),
    optType: one(ei('optType', enumeration(['optIn', 'optOut'] as const))),
    optReason: one(ei('optReason', text)),
    marketContext: opt(marketContext),
    venID: one(venID),
    availability: opt(optWindows),
    createdDateTime: one(createdDateTime),
    requestID: one(requestID),
    qualifiedEventID: opt(qualifiedEventID),
    target: one(eiTarget),
    deviceClass: opt(oadr('oadrDeviceClass', target)),
  })),
  oadrCreatedOpt: message('oadrCreatedOpt', optOutcome),
  oadrCancelOpt: message('oadrCancelOpt', sequence({ requestID: one(requestID), optID: one(optID), venID: one(venID) })),
  oadrCanceledOpt: message('oadrCanceledOpt', sequence({ eiResponse: one(eiResponse), optID: opt(optID) })),
};

const polling = {
  oadrPoll: message('oadrPoll', sequence({ venID: one(venID) })),
  oadrResponse: message('oadrResponse', sequence({ eiResponse: one(eiResponse), venID: opt(venID) })),
};

/** One OpenADR message, tagged by its element name. */
export const oadrMessage = variant({ ...registration, ...events, ...reports, ...opting, ...polling });
export type OadrMessage = typeof oadrMessage extends ElementCodec<infer T> ? T : never;
/** The content of one kind of OpenADR message. */
export type OadrMessageOf<K extends OadrMessage['kind']> = Extract<OadrMessage, { kind: K }>['value'];

const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
const envelope = sequence({ message: one(oadr('oadrSignedObject', single(oadrMessage))) });

/**
 * The envelope every OpenADR body and reply travels in. An XML signature that precedes the signed
 * object is passed over, not verified: micromarket identifies a VEN by its TLS client certificate
 * or bearer token (docs/security.md), and writes no signatures.
 */
export const oadrPayload = oadr('oadrPayload', {
  decode: (el) => envelope.decode({ ...el, children: el.children.filter((child) => child.ns !== XMLDSIG) }),
  encode: (value) => envelope.encode(value),
});
