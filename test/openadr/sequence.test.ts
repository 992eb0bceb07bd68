import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode as code } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * The whole sequence a VEN goes through, over real HTTP, in hand-written XML that varies the way
 * different VENs write it: a default namespace for the envelope, unusual prefixes (o:, e:, p:, x:),
 * requestID in a default namespace, optional elements left out. Each step relies on what the
 * previous answers assigned (venID, registrationID, report request ID, eventID).
 */
const OADR = 'http://openadr.org/oadr-2.0b/2012/07';
const EI = 'http://docs.oasis-open.org/ns/energyinterop/201110';
const PYLD = 'http://docs.oasis-open.org/ns/energyinterop/201110/payloads';
const XCAL = 'urn:ietf:params:xml:ns:icalendar-2.0';
const STRM = 'urn:ietf:params:xml:ns:icalendar-2.0:stream';
const EMIX = 'http://docs.oasis-open.org/ns/emix/2011/06';
const POWER = 'http://docs.oasis-open.org/ns/emix/2011/06/power';
const SCALE = 'http://docs.oasis-open.org/ns/emix/2011/06/siscale';
const FEEDER = 'urn:micromarket:feeder-7';
const VEN = 'seq-ven';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
let ts: TestService;
let token = '';
const ids: Record<string, string> = {};

/** An envelope in the default namespace (as some VENs write it), around a message written with prefix o:. */
const defaultEnvelope = (message: string) => `<?xml version="1.0" encoding="UTF-8"?>
<oadrPayload xmlns="${OADR}"><oadrSignedObject>${message}</oadrSignedObject></oadrPayload>`;
/** A fully prefixed envelope with its own prefix choices. */
const prefixedEnvelope = (message: string) => `<o:oadrPayload xmlns:o="${OADR}"><o:oadrSignedObject o:Id="signed">${message}</o:oadrSignedObject></o:oadrPayload>`;
const send = (service: string, xml: string): Promise<OadrMessage> => postOadr(ts.base, service, xml, token);
const of = <K extends OadrMessage['kind']>(message: OadrMessage, kind: K) => {
  if (message.kind !== kind) throw new Error(`expected ${kind}, got ${message.kind}: ${JSON.stringify(message.value)}`);
  return message.value as Extract<OadrMessage, { kind: K }>['value'];
};

beforeAll(async () => {
  ts = await testService(at(12, 0));
  token = await ts.service.context.tokens.issue(VEN, ['register', 'enroll', 'tender', 'report'], Date.now(), 3600);
});
afterAll(() => ts.close());

describe('a VEN from registration to cancellation', () => {
  it('queries, then registers without the optional elements', async () => {
    const query = of(await send('EiRegisterParty', defaultEnvelope(
      `<oadrQueryRegistration xmlns:e="${EI}" e:schemaVersion="2.0b"><requestID xmlns="${PYLD}">q-1</requestID></oadrQueryRegistration>`)), 'oadrCreatedPartyRegistration');
    expect(query.registrationID).toBeUndefined();
    const created = of(await send('EiRegisterParty', prefixedEnvelope(
      `<o:oadrCreatePartyRegistration xmlns:e="${EI}" xmlns:p="${PYLD}" e:schemaVersion="2.0b"><p:requestID>c-1</p:requestID>`
      + '<o:oadrProfileName>2.0b</o:oadrProfileName><o:oadrTransportName>simpleHttp</o:oadrTransportName>'
      + '<o:oadrReportOnly>false</o:oadrReportOnly><o:oadrXmlSignature>false</o:oadrXmlSignature></o:oadrCreatePartyRegistration>')), 'oadrCreatedPartyRegistration');
    expect(created).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'c-1' }, venID: VEN });
    ids.registrationID = created.registrationID!;
  });

  it('registers a report and is asked for it', async () => {
    const registered = of(await send('EiReport', defaultEnvelope(
      `<oadrRegisterReport xmlns:e="${EI}" xmlns:x="${XCAL}" xmlns:pw="${POWER}" xmlns:s="${SCALE}" e:schemaVersion="2.0b">`
      + `<requestID xmlns="${PYLD}">rr-1</requestID><oadrReport><x:duration><x:duration>PT1H</x:duration></x:duration>`
      + '<oadrReportDescription><e:rID>meter</e:rID><e:reportDataSource><e:resourceID>meter-1</e:resourceID></e:reportDataSource>'
      + '<e:reportType>usage</e:reportType><pw:powerReal><pw:itemDescription>RealPower</pw:itemDescription><pw:itemUnits>W</pw:itemUnits>'
      + '<s:siScaleCode>k</s:siScaleCode><pw:powerAttributes><pw:hertz>50</pw:hertz><pw:voltage>230</pw:voltage><pw:ac>true</pw:ac></pw:powerAttributes></pw:powerReal>'
      + '<e:readingType>Direct Read</e:readingType></oadrReportDescription>'
      + '<e:reportRequestID>0</e:reportRequestID><e:reportSpecifierID>spec-1</e:reportSpecifierID><e:reportName>METADATA_TELEMETRY_USAGE</e:reportName>'
      + `<e:createdDateTime>2026-11-23T12:00:00Z</e:createdDateTime></oadrReport><e:venID>${VEN}</e:venID></oadrRegisterReport>`)), 'oadrRegisteredReport');
    expect(registered.requests).toHaveLength(1);
    ids.reportRequestID = registered.requests[0]!.reportRequestID;
    expect(code(await send('EiReport', prefixedEnvelope(`<o:oadrCreatedReport xmlns:e="${EI}" e:schemaVersion="2.0b"><e:eiResponse>`
      + `<e:responseCode>200</e:responseCode><requestID xmlns="${PYLD}">rr-1</requestID></e:eiResponse>`
      + `<o:oadrPendingReports><e:reportRequestID>${ids.reportRequestID}</e:reportRequestID></o:oadrPendingReports><e:venID>${VEN}</e:venID></o:oadrCreatedReport>`)))).toBe('200');
  });

  it('finds no event at first, then gets one by poll after a clearing and opts in', async () => {
    expect(of(await send('EiEvent', defaultEnvelope(`<oadrRequestEvent xmlns:e="${EI}" e:schemaVersion="2.0b"><eiRequestEvent xmlns="${PYLD}">`
      + `<requestID>ev-1</requestID><e:venID>${VEN}</e:venID></eiRequestEvent></oadrRequestEvent>`)), 'oadrDistributeEvent').events).toEqual([]);
    const client = new MicromarketClient({ baseUrl: ts.base, partyID: VEN, token });
    const seller = await ts.party('seq-seller');
    for (const c of [client, seller]) await ts.enrollApproved(c, FEEDER);
    const product = (side: 'buy' | 'sell'): Product => ({ dtstart: at(12, 30), payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.25 }, quantity: 5 } },
      uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });
    await seller.tender([{ tenderID: 's', product: product('sell') }]);
    await client.tender([{ tenderID: 'b', product: product('buy') }]);
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();

    const poll = () => send('OadrPoll', prefixedEnvelope(`<o:oadrPoll xmlns:e="${EI}" e:schemaVersion="2.0b"><e:venID>${VEN}</e:venID></o:oadrPoll>`));
    const distribute = of(await poll(), 'oadrDistributeEvent');
    expect(distribute.events).toHaveLength(1);
    const { descriptor } = distribute.events[0]!.event;
    expect(distribute.events[0]!.event.signals.signals.find((s) => s.signalName === 'LOAD_DISPATCH')!.intervals[0]!.values).toEqual([5]);
    expect(code(await send('EiEvent', defaultEnvelope(`<oadrCreatedEvent xmlns:e="${EI}" e:schemaVersion="2.0b"><eiCreatedEvent xmlns="${PYLD}">`
      + `<e:eiResponse><e:responseCode>200</e:responseCode><requestID/></e:eiResponse><e:eventResponses><e:eventResponse>`
      + `<e:responseCode>200</e:responseCode><requestID>${distribute.requestID}</requestID><e:qualifiedEventID><e:eventID>${descriptor.eventID}</e:eventID>`
      + `<e:modificationNumber>0</e:modificationNumber></e:qualifiedEventID><e:optType>optIn</e:optType></e:eventResponse></e:eventResponses>`
      + `<e:venID>${VEN}</e:venID></eiCreatedEvent></oadrCreatedEvent>`)))).toBe('200');
    // Then the VTN's own report, offered when the VEN registered its reports; this VEN asks for none.
    expect(of(await poll(), 'oadrRegisterReport').reports[0]!.reportSpecifierID).toBe('micromarket-prices');
    expect(code(await send('EiReport', defaultEnvelope(`<oadrRegisteredReport xmlns:e="${EI}" e:schemaVersion="2.0b"><e:eiResponse>`
      + `<e:responseCode>200</e:responseCode><requestID xmlns="${PYLD}"/></e:eiResponse><e:venID>${VEN}</e:venID></oadrRegisteredReport>`)))).toBe('200');
    expect((await poll()).kind).toBe('oadrResponse');
  });

  it('reports its meter and reads its delivery back beside its position', async () => {
    const updated = of(await send('EiReport', prefixedEnvelope(`<o:oadrUpdateReport xmlns:e="${EI}" xmlns:x="${XCAL}" xmlns:st="${STRM}" e:schemaVersion="2.0b">`
      + `<requestID xmlns="${PYLD}">up-1</requestID><o:oadrReport><x:dtstart><x:date-time>2026-11-23T12:30:00Z</x:date-time></x:dtstart>`
      + '<st:intervals><e:interval><x:dtstart><x:date-time>2026-11-23T12:31:00Z</x:date-time></x:dtstart><o:oadrReportPayload><e:rID>meter</e:rID>'
      + '<e:payloadFloat><e:value>4.5</e:value></e:payloadFloat></o:oadrReportPayload></e:interval></st:intervals>'
      + `<e:eiReportID>r-1</e:eiReportID><e:reportRequestID>${ids.reportRequestID}</e:reportRequestID><e:reportSpecifierID>spec-1</e:reportSpecifierID>`
      + `<e:reportName>TELEMETRY_USAGE</e:reportName><e:createdDateTime>2026-11-23T12:32:00Z</e:createdDateTime></o:oadrReport>`
      + `<e:venID>${VEN}</e:venID></o:oadrUpdateReport>`)), 'oadrUpdatedReport');
    expect(updated.eiResponse.responseCode).toBe('200');
    const res = await fetch(`${ts.base}/telemetry/${VEN}/delivered?marketContext=${encodeURIComponent(FEEDER)}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await res.json() as { intervals: unknown[] }).intervals).toEqual([{ interval: '2026-11-23T12:30:00.000Z', transacted: 5, delivered: 4.5 }]);
  });

  it('opts out of an hour and cancels it, then cancels its registration', async () => {
    const opt = of(await send('EiOpt', defaultEnvelope(`<oadrCreateOpt xmlns:e="${EI}" xmlns:x="${XCAL}" xmlns:em="${EMIX}" e:schemaVersion="2.0b">`
      + '<e:optID>opt-1</e:optID><e:optType>optOut</e:optType><e:optReason>notParticipating</e:optReason>'
      + `<em:marketContext>${FEEDER}</em:marketContext><e:venID>${VEN}</e:venID>`
      + '<x:vavailability><x:components><x:available><x:properties><x:dtstart><x:date-time>2026-11-23T14:00:00Z</x:date-time></x:dtstart>'
      + '<x:duration><x:duration>PT1H</x:duration></x:duration></x:properties></x:available></x:components></x:vavailability>'
      + `<e:createdDateTime>2026-11-23T12:33:00Z</e:createdDateTime><requestID xmlns="${PYLD}">o-1</requestID><e:eiTarget/></oadrCreateOpt>`)), 'oadrCreatedOpt');
    expect(opt).toMatchObject({ eiResponse: { responseCode: '200' }, optID: 'opt-1' });
    expect(code(await send('EiOpt', prefixedEnvelope(`<o:oadrCancelOpt xmlns:e="${EI}" e:schemaVersion="2.0b"><requestID xmlns="${PYLD}">o-2</requestID>`
      + `<e:optID>opt-1</e:optID><e:venID>${VEN}</e:venID></o:oadrCancelOpt>`)))).toBe('200');
    const cancelled = of(await send('EiRegisterParty', defaultEnvelope(`<oadrCancelPartyRegistration xmlns:e="${EI}" e:schemaVersion="2.0b">`
      + `<requestID xmlns="${PYLD}">x-1</requestID><e:registrationID>${ids.registrationID}</e:registrationID><e:venID>${VEN}</e:venID></oadrCancelPartyRegistration>`)),
    'oadrCanceledPartyRegistration');
    expect(cancelled).toMatchObject({ eiResponse: { responseCode: '200' }, registrationID: ids.registrationID });
    expect(code(await send('OadrPoll', prefixedEnvelope(`<o:oadrPoll xmlns:e="${EI}" e:schemaVersion="2.0b"><e:venID>${VEN}</e:venID></o:oadrPoll>`)))).toBe('463');
  });
});
