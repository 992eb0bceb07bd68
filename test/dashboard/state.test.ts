/**
 * The dashboard's snapshot without a browser: GET /dashboard/state and the first event of
 * GET /dashboard/stream. A VEN (the SDK's OpenAdrVen) buys 3 kW in the feeder for 12:30 and
 * reports 2.5 and 3.5 kW from its meter in that interval: it delivered their mean, 3 kW.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient, OpenAdrVen } from '../../src/client/index.js';
import type { Snapshot } from '../../src/dashboard/snapshot.js';
import { priced } from '../support/enrollment.js';
import { testService, type TestService } from '../support/service.js';

const FEEDER = 'urn:micromarket:feeder-7';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
let ts: TestService;

beforeAll(async () => {
  ts = await testService(at(12, 0));
  const token = await ts.service.context.tokens.issue('ven-d', ['register', 'enroll', 'tender', 'report'], Date.now(), 600);
  const ven = new OpenAdrVen({ baseUrl: ts.base, venID: 'ven-d', token });
  await ven.register();
  await ven.registerReports([{ reportSpecifierID: 'meter', reportName: 'METADATA_TELEMETRY_USAGE', points: [
    { rID: 'meter.power', resourceID: 'meter', reportType: 'usage', readingType: 'Direct Read', powerScale: 'k', samplingMs: 60_000 }] }]);
  const client = new MicromarketClient({ baseUrl: ts.base, partyID: 'ven-d', token });
  await ts.enrollApproved(client, FEEDER);
  const seller = await ts.party('seller-d');
  await ts.enrollApproved(seller, FEEDER);
  await seller.tender([{ tenderID: 's', product: priced(FEEDER, 'sell', 0.6, 3, at(12, 30)) }]);
  await client.tender([{ tenderID: 'b', product: priced(FEEDER, 'buy', 0.6, 3, at(12, 30)) }]);
  const request = [...ven.requests.values()][0]!;
  for (const [minute, kw] of [[30, 2.5], [31, 3.5]] as const) await ven.report(request, at(12, minute), new Map([['meter.power', kw]]));
});
afterAll(() => ts.close());

const state = async (token = ts.operatorToken) => fetch(`${ts.base}/dashboard/state`, { headers: { authorization: `Bearer ${token}` } });

describe('the dashboard\'s snapshot', () => {
  it('shows each party\'s position beside what its telemetry says it delivered, and the devices', async () => {
    const snapshot = await (await state()).json() as Snapshot;
    const feeder = snapshot.markets.find((m) => m.rules.id === 'feeder-7')!;
    // 3 kW for the feeder's 5 minutes is 0.25 kWh: at 0.60 EUR/kWh it costs 0.15 EUR (not 3 x 0.60 = 1.80).
    expect(feeder.positions).toEqual({ interval: at(12, 30), parties: [
      { partyID: 'seller-d', net: -3, cost: expect.closeTo(-0.15, 9), delivered: null },
      { partyID: 'ven-d', net: 3, cost: expect.closeTo(0.15, 9), delivered: 3 },
    ] });
    expect(feeder.prices).toEqual([{ interval: at(12, 30), price: 0.6, quantity: 3 }]);
    expect(snapshot.transactions).toHaveLength(1);
    expect(snapshot.devices).toEqual([{ venID: 'ven-d', resourceID: 'meter', at: at(12, 31), watts: 3500 }]);
  });

  it('is the operator\'s only', async () => {
    const party = await ts.service.context.tokens.issue('ven-d', ['report'], Date.now(), 600);
    expect((await state(party)).status).toBe(403);
    expect((await fetch(`${ts.base}/dashboard/stream`)).status).toBe(401);
  });

  it('streams the same snapshot as a server-sent event', async () => {
    const controller = new AbortController();
    const res = await fetch(`${ts.base}/dashboard/stream`, { headers: { authorization: `Bearer ${ts.operatorToken}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
    controller.abort();
    const [event, data] = text.split('\n');
    expect(event).toBe('event: state');
    expect(JSON.parse(data!.slice('data: '.length))).toEqual(await (await state()).json());
  });
});
