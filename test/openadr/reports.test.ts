import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationToMillis, parseDuration } from '../../src/calendar/duration.js';
import { NOMINAL_GRID } from '../../src/emix/product.js';
import type { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { targetOf, type OadrMessage, type OadrMessageOf } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode as code, vendorRegistration } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * EiReport over real HTTP: a VEN registers a power meter (kW) and a status point, micromarket asks
 * for both, the VEN reports; its readings are kept for it and the operator only, and the power
 * readings give its delivery per feeder interval (5 min): 1.5 and 2.5 kW in 12:30-12:35 is 2.0 kW.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const VEN = 'ven-r';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
const noTarget = targetOf({});
let ts: TestService;
const tokens: Record<string, string> = {};
let requests: OadrMessageOf<'oadrRegisteredReport'>['requests'] = [];

const post = (venID: string, message: OadrMessage) => postOadr(ts.base, 'EiReport', message, tokens[venID]!);
const telemetry = (as: string, path = VEN) => fetch(`${ts.base}/telemetry/${path}`, { headers: { authorization: `Bearer ${as}` } });
const metadata = (reportSpecifierID: string, reportName: string, description: OadrMessageOf<'oadrRegisterReport'>['reports'][number]['descriptions'][number]) => ({
  duration: parseDuration('PT1H'), descriptions: [description], reportRequestID: '0', reportSpecifierID, reportName, createdDateTime: at(12, 0) });
function update(reportRequestID: string, rID: string, readings: Array<[number, number]>): OadrMessage {
  return { kind: 'oadrUpdateReport', value: { requestID: `u-${rID}`, venID: VEN, reports: [{ dtstart: readings[0]![0], descriptions: [],
    intervals: readings.map(([dtstart, value], i) => ({ dtstart, duration: parseDuration('PT1M'), uid: String(i), payloads: [{ rID, value: { kind: 'payloadFloat' as const, value } }] })),
    eiReportID: 'rep', reportRequestID, reportSpecifierID: 'meter', reportName: 'TELEMETRY_USAGE', createdDateTime: at(12, 35) }] } };
}

beforeAll(async () => {
  ts = await testService(at(12, 0));
  const registration = vendorRegistration;
  for (const venID of [VEN, 'ven-other']) {
    tokens[venID] = await ts.service.context.tokens.issue(venID, ['register', 'report'], Date.now(), 3600);
    await fetch(`${ts.base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', body: registration,
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokens[venID]}` } });
  }
});
afterAll(() => ts.close());

describe('telemetry reports', () => {
  it('a register report is answered with a request per telemetry report, sampled once a minute', async () => {
    const answer = await post(VEN, { kind: 'oadrRegisterReport', value: { requestID: 'reg-1', venID: VEN, reports: [
      metadata('meter', 'METADATA_TELEMETRY_USAGE', { rID: 'power', dataSource: { ...noTarget, resourceIDs: ['meter-1'] }, reportType: 'usage', readingType: 'Direct Read',
        item: { kind: 'powerReal', value: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: NOMINAL_GRID } } }),
      metadata('status', 'METADATA_TELEMETRY_STATUS', { rID: 'heater', reportType: 'x-resourceStatus', readingType: 'x-notApplicable' }),
      metadata('history', 'METADATA_HISTORY_USAGE', { rID: 'kwh', reportType: 'usage', readingType: 'Direct Read' }),
    ] } });
    if (answer.kind !== 'oadrRegisteredReport') throw new Error(answer.kind);
    requests = answer.value.requests;
    // History is not asked for; each request's ID is its own and neither empty nor 0.
    expect(requests.map((r) => r.specifier.reportSpecifierID)).toEqual(['meter', 'status']);
    expect(new Set(requests.map((r) => r.reportRequestID)).size).toBe(2);
    expect(requests.map((r) => durationToMillis(r.specifier.granularity))).toEqual([60_000, 60_000]);
  });

  it('refuses an update for a request it never made, or an rID the VEN did not register (452), storing nothing', async () => {
    expect(code(await post(VEN, update('rr-unknown', 'power', [[at(12, 31), 1.5]])))).toBe('452');
    expect(code(await post(VEN, update(requests[0]!.reportRequestID, 'heater', [[at(12, 31), 1]])))).toBe('452');
    expect(((await (await telemetry(tokens[VEN]!)).json()) as { points: unknown[] }).points).toEqual([]);
  });

  it('stores readings under the VEN, and gives delivery per market interval in the market\'s units', async () => {
    expect(code(await post(VEN, update(requests[0]!.reportRequestID, 'power', [[at(12, 31), 1.5], [at(12, 33), 2.5], [at(12, 36), 4]])))).toBe('200');
    const { points } = await (await telemetry(tokens[VEN]!)).json() as { points: Array<{ rID: string; resourceID: string; dtstart: number; value: number; watts: number }> };
    expect(points.map((p) => [p.rID, p.resourceID, p.dtstart, p.value, p.watts])).toEqual([
      ['power', 'meter-1', at(12, 31), 1.5, 1500], ['power', 'meter-1', at(12, 33), 2.5, 2500], ['power', 'meter-1', at(12, 36), 4, 4000]]);
    const delivered = await (await telemetry(tokens[VEN]!, `${VEN}/delivered?marketContext=${encodeURIComponent(FEEDER)}`)).json();
    expect(delivered).toEqual({ venID: VEN, marketContext: FEEDER, units: 'kW', intervals: [
      { interval: '2026-11-23T12:30:00.000Z', transacted: 0, delivered: 2 },
      { interval: '2026-11-23T12:35:00.000Z', transacted: 0, delivered: 4 }] });
  });

  it('pages its telemetry: at most `limit` points, the next page after the cursor it gave, from a start', async () => {
    type Page = { points: Array<{ dtstart: number }>; next?: string };
    const page = async (query: string) => await (await telemetry(tokens[VEN]!, `${VEN}?${query}`)).json() as Page;
    const first = await page('rID=power&limit=2');
    expect(first.points.map((p) => p.dtstart)).toEqual([at(12, 31), at(12, 33)]);
    const second = await page(`rID=power&limit=2&after=${encodeURIComponent(first.next!)}`);
    expect(second.points.map((p) => p.dtstart)).toEqual([at(12, 36)]);
    expect(second.next).toBeUndefined();
    // A start with an rID begins the page at it: the page is not spent on earlier points.
    expect((await page(`rID=power&limit=1&from=${new Date(at(12, 33)).toISOString()}`)).points.map((p) => p.dtstart)).toEqual([at(12, 33)]);
    expect((await telemetry(tokens[VEN]!, `${VEN}?limit=0`)).status).toBe(400);
    expect((await telemetry(tokens[VEN]!, `${VEN}?limit=10001`)).status).toBe(400);
  });

  it('shows a VEN\'s telemetry to it and the operator only', async () => {
    expect((await telemetry(tokens['ven-other']!)).status).toBe(403);
    expect((await telemetry(ts.operatorToken)).status).toBe(200);
    expect((await telemetry(tokens[VEN]!, `${VEN}/delivered?marketContext=urn:nowhere`)).status).toBe(400);
  });
});

describe("micromarket's own price report", () => {
  const poll = () => postOadr(ts.base, 'OadrPoll', { kind: 'oadrPoll', value: { venID: VEN } }, tokens[VEN]!);
  const registered = (rIDs: string[]): OadrMessage => ({ kind: 'oadrRegisteredReport', value: { eiResponse: { responseCode: '200', requestID: '' }, venID: VEN,
    requests: [{ reportRequestID: 'want-prices', specifier: { reportSpecifierID: 'micromarket-prices', granularity: parseDuration('PT5M'),
      reportBackDuration: parseDuration('PT5M'), payloads: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })) } }] } });
  const trade = async (dtstart: number) => {
    const product = (side: 'buy' | 'sell'): Product => ({ dtstart, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.3 }, quantity: 2 } },
      uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });
    await parties.seller!.tender([{ tenderID: `s${dtstart}`, product: product('sell') }]);
    await parties.buyer!.tender([{ tenderID: `b${dtstart}`, product: product('buy') }]);
    ts.clock.now = dtstart - 60_000;
    await ts.service.scheduler.tick();
  };
  const parties: Record<string, MicromarketClient> = {};

  it('is offered by the poll after the VEN registered its reports: one price point per market, sampled per interval', async () => {
    const offer = await poll();
    if (offer.kind !== 'oadrRegisterReport') throw new Error(offer.kind);
    const [report] = offer.value.reports;
    expect(report).toMatchObject({ reportSpecifierID: 'micromarket-prices', reportRequestID: '0', reportName: 'x-METADATA_MARKET_PRICE' });
    const feeder = report!.descriptions.find((d) => d.rID === 'price.feeder-7')!;
    expect(feeder).toMatchObject({ reportType: 'price', marketContext: FEEDER, item: { kind: 'currencyPerKWh', value: { itemUnits: 'EUR' } } });
    expect(durationToMillis(feeder.samplingRate!.minPeriod)).toBe(300_000);
    expect(report!.descriptions.map((d) => d.rID).sort()).toEqual(['price.district-heat', 'price.feeder-7', 'price.home']);
  });

  it("sends each cleared interval's price to a VEN that asked, until it cancels", async () => {
    expect(code(await post(VEN, registered(['price.nowhere'])))).toBe('452');
    expect(code(await post(VEN, registered(['price.feeder-7'])))).toBe('200');
    for (const name of ['buyer', 'seller']) {
      parties[name] = await ts.party(`r-${name}`);
      await ts.enrollApproved(parties[name]!, FEEDER);
    }
    await trade(at(12, 50));
    const update = await poll();
    if (update.kind !== 'oadrUpdateReport') throw new Error(update.kind);
    expect(update.value.reports[0]).toMatchObject({ reportRequestID: 'want-prices', reportSpecifierID: 'micromarket-prices', dtstart: at(12, 50),
      intervals: [{ dtstart: at(12, 50), payloads: [{ rID: 'price.feeder-7', value: { kind: 'payloadFloat', value: 0.3 } }] }] });
    expect(code(await postOadr(ts.base, 'EiReport', { kind: 'oadrUpdatedReport', value: { eiResponse: { responseCode: '200', requestID: update.value.requestID },
      venID: VEN } }, tokens[VEN]!))).toBe('200');

    const cancel = (requestID: string, ...reportRequestIDs: string[]) => postOadr(ts.base, 'EiReport', { kind: 'oadrCancelReport',
      value: { requestID, reportRequestIDs, reportToFollow: false, venID: VEN } }, tokens[VEN]!);
    // An ID the VEN never asked for is 2.0b's 452 (invalid ID); named with a known one, nothing is cancelled.
    expect(await cancel('c-unknown', 'never-asked')).toMatchObject({ value: { eiResponse: { responseCode: '452', responseDescription: expect.stringContaining('never-asked') } } });
    expect(await cancel('c-mixed', 'want-prices', 'never-asked')).toMatchObject({ value: { eiResponse: { responseCode: '452' } } });
    await trade(at(12, 55));
    expect((await poll()).kind).toBe('oadrUpdateReport');
    expect(await cancel('c', 'want-prices')).toMatchObject({ kind: 'oadrCanceledReport', value: { eiResponse: { responseCode: '200' }, pending: [] } });
    // Cancelling it again (a new request) finds it known and already ended: 200.
    expect(await cancel('c-again', 'want-prices')).toMatchObject({ kind: 'oadrCanceledReport', value: { eiResponse: { responseCode: '200' }, pending: [] } });
    await trade(at(13, 0));
    expect((await poll()).kind).toBe('oadrResponse');
  });
});
