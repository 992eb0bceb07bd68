import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import { vendorRegistration } from '../support/openadr.js';
import { priced } from '../support/enrollment.js';
import { testService, type TestService } from '../support/service.js';

/**
 * GET /metrics in the Prometheus text format: the counts move by exactly what the test did between
 * two scrapes (two tenders and one unreadable body; one gate closure), and the gauges read the
 * books and the OpenADR backlog as they stand.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const HOME = 'urn:micromarket:home';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
let ts: TestService;
let buyer: MicromarketClient;

async function scrape(token = ts.operatorToken): Promise<Map<string, number>> {
  const res = await fetch(`${ts.base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}
const delta = (before: Map<string, number>, after: Map<string, number>, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

beforeAll(async () => {
  ts = await testService(at(12, 0));
  buyer = await ts.party('metrics-buyer');
  await ts.enrollApproved(buyer, FEEDER);
  await ts.enrollApproved(buyer, HOME);
});
afterAll(() => ts.close());

describe('GET /metrics', () => {
  it('counts requests by route and status, and times reading their XML', async () => {
    const before = await scrape();
    await buyer.tender([{ tenderID: 'm-1', product: priced(FEEDER, 'buy', 0.3, 2, at(12, 30)) }]);
    await buyer.tender([{ tenderID: 'm-2', product: priced(HOME, 'buy', 0.4, 1, at(12, 30)) }]);
    const bad = await fetch(`${ts.base}/ei/EiTender`, { method: 'POST', body: '<unclosed', headers: { 'content-type': 'application/xml' } });
    expect(bad.status).toBe(400);
    const after = await scrape();
    expect(delta(before, after, 'micromarket_http_requests_total{method="POST",route="/ei/:service",status="200"}')).toBe(2);
    expect(delta(before, after, 'micromarket_http_requests_total{method="POST",route="/ei/:service",status="400"}')).toBe(1);
    expect(delta(before, after, 'micromarket_http_request_duration_seconds_count{method="POST",route="/ei/:service"}')).toBe(3);
    expect(delta(before, after, 'micromarket_xml_read_duration_seconds_count')).toBe(3);
    // The scrape before this one is counted too: by its route pattern.
    expect(delta(before, after, 'micromarket_http_requests_total{method="GET",route="/metrics",status="200"}')).toBe(1);
  });

  it('shows the books: one tender resting in each market', async () => {
    const samples = await scrape();
    expect(samples.get('micromarket_book_tenders{market="feeder-7"}')).toBe(1);
    expect(samples.get('micromarket_book_tenders{market="home"}')).toBe(1);
    expect(samples.get('micromarket_book_intervals{market="district-heat"}')).toBe(0);
    expect(samples.get('micromarket_store_up')).toBe(1);
  });

  it('times each gate closure per market', async () => {
    const before = await scrape();
    await ts.service.scheduler.tick();
    const after = await scrape();
    for (const market of ['feeder-7', 'home', 'district-heat']) expect(delta(before, after, `micromarket_gate_duration_seconds_count{market="${market}"}`)).toBe(1);
  });

  it('shows the OpenADR backlog: a VEN\'s distribute after a gate closure, and a queued re-registration, until it polls', async () => {
    const token = await ts.service.context.tokens.issue('metrics-ven', ['register', 'enroll', 'tender'], Date.now(), 600);
    await fetch(`${ts.base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', body: vendorRegistration, headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` } });
    const ven = new MicromarketClient({ baseUrl: ts.base, partyID: 'metrics-ven', token });
    await ts.enrollApproved(ven, FEEDER);
    await ven.tender([{ tenderID: 'v-1', product: priced(FEEDER, 'sell', 0.3, 2, at(12, 30)) }]); // takes the buyer's bid
    expect((await scrape()).get('micromarket_openadr_backlog{kind="distributes"}')).toBe(0);
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();
    await fetch(`${ts.base}/vens/metrics-ven/reregistration`, { method: 'POST', headers: { authorization: `Bearer ${ts.operatorToken}` } });
    const samples = await scrape();
    expect(samples.get('micromarket_openadr_backlog{kind="distributes"}')).toBe(1);
    expect(samples.get('micromarket_openadr_backlog{kind="queued"}')).toBe(1);
  });

  it('answers the operator only', async () => {
    const token = await ts.service.context.tokens.issue('metrics-buyer', ['tender'], Date.now(), 600);
    expect((await fetch(`${ts.base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });
});
