import { parseDuration } from '../../src/calendar/duration.js';
import { parseInstant } from '../../src/calendar/instant.js';
import type { Availability } from '../../src/calendar/availability.js';
import type { Product } from '../../src/emix/product.js';
import type { StandardTerms } from '../../src/emix/standard-terms.js';
import type { PayloadBody, PayloadName } from '../../src/xml/payloads/index.js';
import { targetOf, type OadrMessage, type OadrMessageOf } from '../../src/xml/payloads/oadr.js';
import type { OutElement } from '../../src/xml/codec.js';
import { NS } from '../../src/xml/namespaces.js';

/** Sample values of every payload micromarket reads or writes, for round-trip and schema tests. */
const t = parseInstant;
const d = parseDuration;
const ok = (requestID: string) => ({ responseCode: '200', responseDescription: 'OK', requestID });

const product = (side: 'buy' | 'sell', state: Product['transactiveState'] = 'tender'): Product => ({
  dtstart: t('2026-11-23T17:00:00Z'),
  duration: d('PT1H'),
  payload: { kind: 'temixPower', value: {
    price: { kind: 'price', value: 0.12 },
    item: { kind: 'powerReal', value: { siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
    quantity: 5,
  } },
  intervals: [
    { duration: d('PT30M'), uid: '0', payloads: [{ kind: 'temixPower', value: { price: { kind: 'price', value: 0.11 }, quantity: 4.5 } }] },
    { duration: d('PT30M'), uid: '1', payloads: [{ kind: 'temixPower', value: { price: { kind: 'priceRelative', value: -0.02 } } }] },
  ],
  uid: `p-${side}`,
  transactiveState: state,
  expirationDate: t('2026-11-23T16:55:00Z'),
  integralOnly: false,
  currency: 'EUR',
  marketContext: 'urn:micromarket:home',
  side,
});

const energyProduct: Product = {
  payload: { kind: 'temixPower', value: { item: { kind: 'energyReal', value: { siScaleCode: 'M' } }, quantity: 1.25 } },
  uid: 'p-energy',
  transactiveState: 'publication',
  marketContext: 'urn:micromarket:feeder-7',
  side: 'sell',
};

const weekdays: Availability = {
  properties: { dtstart: t('2026-11-01T00:00:00Z'), dtend: t('2027-11-01T00:00:00Z'), busytype: 'BUSY-UNAVAILABLE', tzid: 'Europe/Amsterdam' },
  available: [
    { properties: {
      dtstart: t('2026-11-02T06:00:00Z'),
      duration: d('PT12H'),
      uid: 'weekday-hours',
      summary: 'market open',
      rrule: { freq: 'WEEKLY', until: t('2027-11-01T00:00:00Z'), interval: 1, bysecond: [], byminute: [], byhour: [],
        byday: ['MO', 'TU', 'WE', 'TH', 'FR'], bymonthday: [], byyearday: [], byweekno: [], bymonth: [], bysetpos: [], wkst: 'MO' },
    } },
    { properties: { dtstart: t('2026-12-24T08:00:00Z'), dtend: t('2026-12-24T12:00:00Z') } },
  ],
};

const terms: StandardTerms = {
  marketContext: 'urn:micromarket:home',
  marketContextName: 'Home market',
  termsSets: [{
    terms: [
      { kind: 'minimumResponseDuration', value: d('PT5M') },
      { kind: 'maximumRunDuration', value: d('PT4H') },
      { kind: 'maximumInvocationsPerDuration', value: { count: 3, duration: d('P1D') } },
      { kind: 'maximumConsecutiveDurations', value: 4 },
      { kind: 'availabilitySchedule', value: weekdays },
      { kind: 'minimumRemunerationRate', value: { kind: 'price', value: 0.05 } },
      { kind: 'marketGranularity', value: d('PT15M') },
    ],
    availability: { available: [] },
    nonStandardTermsHandling: 'mustAccept',
    side: 'buy',
  }],
  granularity: d('PT15M'),
  tzid: 'Europe/Amsterdam',
  currency: 'EUR',
  nonStandardTermsHandling: 'reject',
};

const requestIntervals = [{ dtstart: t('2026-11-23T00:00:00Z'), duration: d('P1D'), payloads: [] }];

export const samples = {
  eiCreatePartyRegistration: { requestID: 'r1', registreePartyID: 'house-12',
    registrationInfo: { partyName: 'House 12', partyRoles: ['consumer', 'generator'], transportAddress: 'https://h12.example/ei' } },
  eiCreatedPartyRegistration: { eiResponse: ok('r1'), registrarPartyID: 'mm', registrationID: 'reg-1', registreePartyID: 'house-12' },
  eiRequestPartyRegistration: { requestID: 'r2', registreePartyID: 'house-12', registrationID: 'reg-1' },
  eiReplyPartyRegistration: { eiResponse: ok('r2'), registrarPartyID: 'mm', registrationID: 'reg-1', registreePartyID: 'house-12',
    registrationInfo: { partyRoles: ['aggregator'] } },
  eiCancelPartyRegistration: { requestID: 'r3', registrationID: 'reg-1', registreePartyID: 'house-12' },
  eiCanceledPartyRegistration: { eiResponse: ok('r3'), registrationID: 'reg-1' },

  eiCreateEnroll: { requestID: 'r4', enrollment: {
    applicationDate: t('2026-11-22T10:00:00Z'), effectiveDate: t('2026-12-01T00:00:00Z'), endDate: t('2027-12-01T00:00:00Z'),
    enrollAdminPartyID: 'operator', enrolleePartyID: 'house-12', enrolleeType: 'consumer', enrollmentComments: 'PV 6 kWp',
    enrollmentName: 'House 12 in home market', item: { kind: 'powerReal', value: { siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
    marketContext: 'urn:micromarket:home', enrollmentStatus: 'pendingEnrollment', resourceIDs: ['pv-1', 'boiler-1'] } },
  eiCreatedEnroll: { eiResponse: ok('r4'), enrollmentID: 'en-1', marketContext: 'urn:micromarket:home', enrollmentStatus: 'approvedEnrollment' },
  eiRequestEnroll: { requestID: 'r5', enrolleePartyID: 'house-12', enrollmentIDs: ['en-1'], marketContexts: ['urn:micromarket:home'] },
  eiReplyEnroll: { eiResponse: ok('r5'), enrollments: [{ applicationDate: t('2026-11-22T10:00:00Z'), enrolleePartyID: 'house-12',
    enrolleeType: 'consumer', enrollmentID: 'en-1', marketContext: 'urn:micromarket:home', enrollmentStatus: 'approvedEnrollment', resourceIDs: [] }] },
  eiCancelEnroll: { requestID: 'r6', enrolleePartyID: 'house-12', enrollmentIDs: ['en-1'] },
  eiCanceledEnroll: { eiResponse: ok('r6'), enrollmentIDs: ['en-1'] },

  eiRequestEiMarketContext: { requestID: 'r7', requestorPartyID: 'house-12', marketContexts: ['urn:micromarket:home'] },
  eiReplyEiMarketContext: { eiResponse: ok('r7'), marketContexts: [{ marketContext: 'urn:micromarket:home', marketName: 'Home',
    standardTerms: terms, createdDateTime: t('2026-11-22T00:00:00Z') }] },

  eiCreateQuote: { requestID: 'r8', publisherPartyID: 'mm', subscriberPartyID: 'house-12',
    quotes: [{ quoteID: 'q-1', products: [product('buy', 'publication'), energyProduct] }] },
  eiCreatedQuote: { eiResponse: ok('r8'), publisherPartyID: 'mm', subscriberPartyID: 'house-12', quoteIDs: ['q-1'] },
  eiCancelQuote: { requestID: 'r9', publisherPartyID: 'mm', quoteIDs: ['q-1', 'q-2'] },
  eiCanceledQuote: { eiResponse: ok('r9'), quoteIDs: ['q-1'] },
  eiRequestQuote: { requestID: 'r10', requestorPartyID: 'house-12', publisherPartyID: 'mm',
    marketContexts: ['urn:micromarket:home'], quoteIDs: [], intervals: requestIntervals },
  eiReplyQuote: { eiResponse: ok('r10'), quotes: [{ quoteID: 'q-1', products: [energyProduct] }] },

  eiCreateTender: { requestID: 'r11', partyID: 'house-12', counterPartyID: 'market-home',
    tenders: [{ tenderID: 't-1', product: product('buy') }, { tenderID: 't-2', product: product('sell') }] },
  eiCreatedTender: { eiResponse: ok('r11'), partyID: 'house-12', counterPartyID: 'market-home', tenderIDs: ['t-1', 't-2'],
    transactions: [{ transactionID: 'x-9', tenderID: 't-1', product: product('buy', 'transaction') }] },
  eiCancelTender: { requestID: 'r12', partyID: 'house-12', tenderIDs: ['t-1'] },
  eiCanceledTender: { eiResponse: ok('r12'), partyID: 'house-12', tenderIDs: ['t-1'] },
  eiRequestTender: { requestID: 'r13', partyID: 'house-12', counterPartyIDs: ['market-home'], requestorPartyID: 'house-12',
    marketContexts: [], tenderIDs: ['t-1'], intervals: requestIntervals },
  eiReplyTender: { eiResponse: ok('r13'), tenders: [{ tenderID: 't-1', product: product('buy') }] },
  eiDistributeTender: { requestID: 'r14', partyID: 'house-12', tenders: [{ tenderID: 't-3', product: product('sell') }] },

  eiCreateTransaction: { requestID: 'r15', partyID: 'house-14', counterPartyID: 'house-12',
    transactions: [{ transactionID: 'x-1', tenderID: 't-3', product: product('buy', 'tender') }] },
  eiCreatedTransaction: { counterPartyID: 'house-12', partyID: 'house-14', eiResponse: ok('r15'), transactionIDs: ['x-1'] },
  eiRequestTransaction: { requestID: 'r16', partyID: 'house-12', counterPartyIDs: [], requestorPartyID: 'house-12',
    marketContexts: ['urn:micromarket:home'], transactionIDs: [] },
  eiReplyTransaction: { eiResponse: ok('r16'), transactions: [{ transactionID: 'x-1', product: product('sell', 'transaction') }] },

  eiCreateAvail: { requestID: 'r17', partyID: 'house-12',
    avails: [{ resourceID: 'boiler-1', marketContext: 'urn:micromarket:home', availability: weekdays }] },
  eiCreatedAvail: { eiResponse: ok('r17'), partyID: 'house-12', availIDs: ['av-1'] },
  eiCancelAvail: { requestID: 'r18', partyID: 'house-12', availIDs: ['av-1'] },
  eiCanceledAvail: { eiResponse: ok('r18'), partyID: 'house-12', availIDs: ['av-1'] },
  eiRequestAvail: { requestID: 'r19', partyID: 'house-12', resourceIDs: ['boiler-1'], marketContexts: [], availIDs: [] },
  eiReplyAvail: { eiResponse: ok('r19'), partyID: 'house-12', avails: [{ availID: 'av-1', availability: { available: [] } }] },

  eiResponse: { responseCode: '400', responseDescription: 'MM_ERR_XML_INVALID: line 3: not valid', requestID: '' },

  oadrPayload: { message: { kind: 'oadrPoll', value: { venID: 'ven-agg-1' } } },
} satisfies { [N in PayloadName]: PayloadBody<N> };

const target = targetOf;
/** A service area as OpenADR writes one: a GML feature collection with one polygon. */
const gml = (name: string, children: OutElement[] = [], text?: string, attrs: Array<readonly [string, string, string]> = []): OutElement =>
  ({ ns: NS.gml, name, attrs, ...(children.length > 0 ? { children } : { text: text ?? '' }) });
const gmlArea = { children: [gml('FeatureCollection', [gml('location', [gml('Polygon', [gml('exterior', [gml('LinearRing', [
  gml('posList', [], '52.37 4.89 52.38 4.89 52.38 4.90 52.37 4.89')])])], undefined, [[NS.gml, 'id', 'area-1']])])], undefined, [[NS.gml, 'id', 'fc-1']])] };

/** A sample of every OpenADR 2.0b message micromarket reads or writes, by element name. */
export const oadrSamples: { [K in OadrMessage['kind']]: OadrMessageOf<K> } = {
  oadrQueryRegistration: { requestID: 'r-20' },
  oadrCreatePartyRegistration: { requestID: 'r-21', profileName: '2.0b', transportName: 'simpleHttp', transportAddress: 'None',
    reportOnly: false, xmlSignature: false, venName: 'agg-1', httpPullModel: true },
  oadrCreatedPartyRegistration: { eiResponse: ok('r-21'), registrationID: 'reg-9', venID: 'ven-agg-1', vtnID: 'MM_VTN_1',
    profiles: { profiles: [{ profileName: '2.0b', transports: { transports: [{ transportName: 'simpleHttp' }] } }] },
    pollFrequency: d('PT10S'),
    serviceSpecificInfo: { services: [{ serviceName: 'EiEvent', infos: [{ key: 'marketContext', value: 'urn:micromarket:home' }] }] },
    extensions: { extensions: [{ name: 'micromarket', infos: [] }] } },
  oadrCancelPartyRegistration: { requestID: 'r-22', registrationID: 'reg-9', venID: 'ven-agg-1' },
  oadrCanceledPartyRegistration: { eiResponse: ok('r-22'), registrationID: 'reg-9', venID: 'ven-agg-1' },
  oadrRequestReregistration: { venID: 'ven-agg-1' },
  oadrCreateOpt: { optID: 'opt-1', optType: 'optOut', optReason: 'notParticipating', marketContext: 'urn:micromarket:home',
    venID: 'ven-agg-1', availability: { available: [{ properties: { dtstart: t('2026-11-23T06:00:00Z'), duration: d('PT12H') } }] },
    createdDateTime: t('2026-11-22T08:00:00Z'), requestID: 'r-23',
    qualifiedEventID: { eventID: 'evt-1', modificationNumber: 2 }, target: target({
      // Every kind of grid location OpenADR's eiTarget allows, a GML service area included.
      aggregatedPnodes: ['FEEDER7_AGG'], endDeviceAssets: ['mrid-heater-1'], meterAssets: ['mrid-meter-1'], pnodes: ['FEEDER7_N1'],
      serviceAreas: [gmlArea], serviceDeliveryPoints: ['SDP-42'], transportInterfaces: [{ pointOfReceipt: 'sub-3', pointOfDelivery: 'feeder-7' }],
      resourceIDs: ['battery-3'] }),
    deviceClass: target({ groupNames: ['water heaters'] }) },
  oadrDistributeEvent: { eiResponse: ok('r-25'), requestID: 'd-1', vtnID: 'MM_VTN_1', events: [{ responseRequired: 'always', event: {
    descriptor: { eventID: 'evt-1', modificationNumber: 2, modificationDateTime: t('2026-11-22T08:05:00Z'), modificationReason: 'cleared',
      priority: 1, marketContext: { marketContext: 'urn:micromarket:home' }, createdDateTime: t('2026-11-22T08:00:00Z'),
      eventStatus: 'far', testEvent: 'false', vtnComment: 'home market, gate 08:00' },
    activePeriod: { properties: { dtstart: t('2026-11-22T09:00:00Z'), duration: d('PT30M'), startafter: d('PT2M'),
      notification: d('PT1H'), rampUp: d('PT5M'), recovery: d('PT5M') }, components: [] },
    signals: {
      signals: [
        { intervals: [
          { duration: d('PT15M'), uid: '0', values: [0.12] },
          { duration: d('PT15M'), uid: '1', values: [0.31] },
        ], signalName: 'ELECTRICITY_PRICE', signalType: 'price', signalID: 'price-1',
        item: { kind: 'currencyPerKWh', value: { itemDescription: 'currencyPerKWh', itemUnits: 'EUR', siScaleCode: 'none' } },
        currentValue: 0 },
        { intervals: [{ dtstart: t('2026-11-22T09:00:00Z'), duration: d('PT30M'), uid: '0', values: [2] }],
          target: target({ venIDs: ['ven-agg-1'] }), signalName: 'SIMPLE', signalType: 'level', signalID: 'simple-1' },
      ],
      baseline: { dtstart: t('2026-11-22T09:00:00Z'), duration: d('PT30M'), intervals: [{ duration: d('PT30M'), uid: '0', values: [4.5] }],
        baselineID: 'b-1', resourceIDs: ['battery-3'], baselineName: 'last week',
        item: { kind: 'powerReal', value: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } } },
    },
    target: target({ venIDs: ['ven-agg-1'] }),
  } }] },
  oadrCreatedEvent: { eiResponse: ok(''), eventResponses: [{ responseCode: '200', responseDescription: 'OK', requestID: 'd-1',
    qualifiedEventID: { eventID: 'evt-1', modificationNumber: 2 }, optType: 'optIn' }], venID: 'ven-agg-1' },
  oadrRequestEvent: { requestID: 'r-26', venID: 'ven-agg-1', replyLimit: 10 },
  oadrRegisterReport: { requestID: 'r-27', venID: 'ven-agg-1', reports: [{ duration: d('PT1H'), descriptions: [
    { rID: 'meter-1', dataSource: target({ resourceIDs: ['meter-1'] }), reportType: 'usage',
      item: { kind: 'energyReal', value: { itemDescription: 'RealEnergy', itemUnits: 'Wh', siScaleCode: 'k' } }, readingType: 'Direct Read',
      marketContext: 'urn:micromarket:home', samplingRate: { minPeriod: d('PT1M'), maxPeriod: d('PT15M'), onChange: false } },
    { rID: 'heater-1', subject: target({ resourceIDs: ['heater-1'] }), reportType: 'x-resourceStatus', readingType: 'x-notApplicable' },
  ], reportRequestID: '0', reportSpecifierID: 'telemetry-1', reportName: 'METADATA_TELEMETRY_USAGE', createdDateTime: t('2026-11-22T08:00:00Z') }] },
  oadrRegisteredReport: { eiResponse: ok('r-27'), venID: 'ven-agg-1', requests: [{ reportRequestID: 'req-telemetry-1', specifier: {
    reportSpecifierID: 'telemetry-1', granularity: d('PT15M'), reportBackDuration: d('PT15M'),
    reportInterval: { dtstart: t('2026-11-22T09:00:00Z'), duration: d('PT2H') },
    payloads: [{ rID: 'meter-1', readingType: 'x-notApplicable' }] } }] },
  oadrCreateReport: { requestID: 'r-28', venID: 'ven-agg-1', requests: [{ reportRequestID: 'req-status-1', specifier: {
    reportSpecifierID: 'status-1', granularity: d('PT5M'), reportBackDuration: d('PT5M'), payloads: [{ rID: 'heater-1', readingType: 'x-notApplicable' }] } }] },
  oadrCreatedReport: { eiResponse: ok('r-28'), pending: ['req-telemetry-1', 'req-status-1'], venID: 'ven-agg-1' },
  oadrUpdateReport: { requestID: 'r-29', venID: 'ven-agg-1', reports: [{ dtstart: t('2026-11-22T09:00:00Z'), duration: d('PT15M'),
    intervals: [
      { dtstart: t('2026-11-22T09:00:00Z'), duration: d('PT15M'), uid: '0',
        payloads: [{ rID: 'meter-1', confidence: 95, accuracy: 0.5, value: { kind: 'payloadFloat', value: 1.25 }, dataQuality: 'Quality Good - Non Specific' }] },
      { uid: '1', payloads: [{ rID: 'heater-1', value: { kind: 'oadrPayloadResourceStatus', value: { online: true, manualOverride: false,
        loadControlState: { setPoint: { min: 40, max: 75, current: 60, normal: 55 } } } } }] },
    ], eiReportID: 'rep-1', descriptions: [], reportRequestID: 'req-telemetry-1', reportSpecifierID: 'telemetry-1',
    reportName: 'TELEMETRY_USAGE', createdDateTime: t('2026-11-22T09:15:00Z') }] },
  oadrUpdatedReport: { eiResponse: ok('r-29'), cancel: { requestID: 'c-1', reportRequestIDs: ['req-status-1'], reportToFollow: false },
    venID: 'ven-agg-1' },
  oadrCancelReport: { requestID: 'c-2', reportRequestIDs: ['req-telemetry-1'], reportToFollow: true, venID: 'ven-agg-1' },
  oadrCanceledReport: { eiResponse: ok('c-2'), pending: [], venID: 'ven-agg-1' },
  oadrCreatedOpt: { eiResponse: ok('r-23'), optID: 'opt-1' },
  oadrCancelOpt: { requestID: 'r-24', optID: 'opt-1', venID: 'ven-agg-1' },
  oadrCanceledOpt: { eiResponse: ok('r-24'), optID: 'opt-1' },
  oadrPoll: { venID: 'ven-agg-1' },
  oadrResponse: { eiResponse: ok(''), venID: 'ven-agg-1' },
};
