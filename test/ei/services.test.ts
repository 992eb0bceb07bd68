import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/calendar/duration.js';
import { isMicromarketClientError, MicromarketClient, type MicromarketClientError } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { schemaSet } from '../support/schemas.js';
import { testService, type TestService } from '../support/service.js';

const FEEDER = 'urn:micromarket:feeder-7';
const HOME = 'urn:micromarket:home';
const t13 = Date.UTC(2026, 10, 23, 13, 0);
let ts: TestService;
const pipeline = new XmlPipeline(schemaSet());

beforeAll(async () => {
  ts = await testService();
});
afterAll(() => ts.close());

const product = (marketContext: string, side: 'buy' | 'sell', price: number | undefined, quantity: number, dtstart = t13, extra: Partial<Product> = {}): Product => ({
  dtstart, payload: { kind: 'temixPower', value: { ...(price !== undefined ? { price: { kind: 'price', value: price } } : {}), quantity } },
  uid: 'p', transactiveState: 'tender', marketContext, side, ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<MicromarketClientError> {
  try {
    await promise;
  } catch (error) {
    if (isMicromarketClientError(error)) return error;
    throw error;
  }
  throw new Error('request succeeded');
}

const approved = (client: MicromarketClient, marketContext: string) => ts.enrollApproved(client, marketContext);

const postXml = (path: string, xml: string, token?: string) => fetch(`${ts.base}${path}`, {
  method: 'POST', headers: { 'content-type': 'application/xml', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: xml });

describe('auth', () => {
  const request = pipeline.write({ name: 'eiRequestEiMarketContext', body: { requestID: 'a1', requestorPartyID: 'x', marketContexts: [] } });

  it('answers a request without a token with 401 in the EI form', async () => {
    const res = await postXml('/ei/EiMarketContext', request);
    expect(res.status).toBe(401);
    const read = pipeline.read(Buffer.from(await res.text()));
    expect(read.name === 'eiResponse' && read.body).toMatchObject({ responseCode: '401', requestID: '' });
  });

  it('refuses forged, expired and under-scoped tokens', async () => {
    expect((await postXml('/ei/EiMarketContext', request, 'e30.e30.sig')).status).toBe(401);
    const expired = await ts.service.context.tokens.issue('x', ['enroll'], Date.now() - 7200_000, 60);
    const res = await postXml('/ei/EiMarketContext', request, expired);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('MM_ERR_AUTH_INVALID: token refused: expired');
    const quoteOnly = await ts.service.context.tokens.issue('x', ['quote'], Date.now());
    const scoped = await postXml('/ei/EiMarketContext', request, quoteOnly);
    expect(scoped.status).toBe(403);
    expect(await scoped.text()).toContain('MM_ERR_AUTH_SCOPE');
  });

  it('issues client credentials only to the operator, and tokens only for the right secret', async () => {
    const party = await ts.service.context.tokens.issue('p', ['tender'], Date.now());
    const denied = await fetch(`${ts.base}/oauth/clients`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${party}` }, body: '{"partyID":"q","scopes":["tender"]}' });
    expect(denied.status).toBe(403);
    await ts.party('secret-holder');
    const wrong = await fetch(`${ts.base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=secret-holder&client_secret=wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a market context request naming another party as requestor with 403', async () => {
    const other = pipeline.write({ name: 'eiRequestEiMarketContext', body: { requestID: 'a2', requestorPartyID: 'someone-else', marketContexts: [] } });
    const res = await postXml('/ei/EiMarketContext', other, await ts.service.context.tokens.issue('x', ['enroll'], Date.now()));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('MM_ERR_AUTH_OTHER_PARTY: a token of x cannot act for someone-else');
    expect((await postXml('/ei/EiMarketContext', other, await ts.service.context.tokens.issue('operator', ['operator'], Date.now()))).status).toBe(200);
  });

  it('answers OAuth2 JSON bodies of the wrong shape with 400, never 500', async () => {
    const token = (body: unknown) => fetch(`${ts.base}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const form = { grant_type: 'client_credentials', client_id: 'nobody' };
    for (const secret of [{}, [], [1, 2], { length: 3 }]) {
      const res = await token({ ...form, client_secret: secret });
      expect(res.status, JSON.stringify(secret)).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
    // A number or a boolean reads as its text (fastify coerces scalars): just a wrong secret.
    for (const secret of [5, true]) expect((await token({ ...form, client_secret: secret })).status).toBe(401);
    expect((await token('not an object')).status).toBe(400);
    const operator = await ts.service.context.tokens.issue('operator', ['operator'], Date.now());
    const post = (path: string, body: unknown, bearer?: string) => fetch(`${ts.base}${path}`, { method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, body: JSON.stringify(body) });
    for (const [path, body] of [['/oauth/clients', { partyID: { a: 1 }, scopes: ['tender'] }], ['/oauth/clients', { partyID: 'p', scopes: { a: 1 } }],
      ['/oauth/fingerprints', { fingerprint: ['AB'], partyID: 'p', scopes: [] }]] as const) {
      const res = await post(path, body, operator);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'MM_ERR_HTTP_BAD_REQUEST' });
      // Authentication comes first: without a token the shape of the body is not looked at.
      expect((await post(path, body)).status).toBe(401);
    }
  });

  it('never lets a party act in another party\'s name', async () => {
    const mallory = await ts.party('mallory');
    const e = await refusal(mallory.call('EiTender', 'eiCreatedTender', { name: 'eiCreateTender', body: { requestID: '', partyID: 'victim', counterPartyID: 'm',
      tenders: [{ tenderID: 'x', product: product(FEEDER, 'sell', 0.1, 1) }] } }));
    expect(e).toMatchObject({ responseCode: '403', code: 'MM_ERR_AUTH_OTHER_PARTY' });
  });
});

describe('registration, enrollment, market context', () => {
  it('registers, reads back and cancels a registration; a cancelled party cannot trade', async () => {
    const gone = await ts.party('gone');
    const { registrationInfo, registrationID } = await gone.call('EiRegisterParty', 'eiReplyPartyRegistration',
      { name: 'eiRequestPartyRegistration', body: { requestID: '' } });
    expect(registrationInfo).toMatchObject({ partyName: 'gone', partyRoles: ['consumer'] });
    await gone.call('EiRegisterParty', 'eiCanceledPartyRegistration', { name: 'eiCancelPartyRegistration', body: { requestID: '', registrationID: registrationID! } });
    expect(await refusal(gone.enroll(HOME, 'consumer', ts.clock.now))).toMatchObject({ responseCode: '463', code: 'MM_ERR_EI_UNKNOWN_PARTY' });
  });

  it('enrolls at once in an open market, pending in an approval market until the operator approves', async () => {
    const alice = await ts.party('alice');
    expect(await alice.enroll(HOME, 'consumer', ts.clock.now)).toMatchObject({ enrollmentStatus: 'approvedEnrollment', enrollmentID: 'home:alice' });
    expect(await alice.enroll(FEEDER, 'consumer', ts.clock.now)).toMatchObject({ enrollmentStatus: 'pendingEnrollment' });
    expect(await refusal(alice.tender([{ tenderID: 'early', product: product(FEEDER, 'buy', 0.1, 1) }])))
      .toMatchObject({ responseCode: '451', code: 'MM_ERR_EI_NOT_ENROLLED' });
    // Only the operator decides.
    const self = await refusal(alice.call('EiEnroll', 'eiCreatedEnroll', { name: 'eiCreateEnroll', body: { requestID: '', enrollment: {
      applicationDate: ts.clock.now, enrolleePartyID: 'alice', enrolleeType: 'consumer', enrollmentID: 'feeder-7:alice', marketContext: FEEDER,
      enrollmentStatus: 'approvedEnrollment', resourceIDs: [] } } }));
    expect(self).toMatchObject({ responseCode: '403', code: 'MM_ERR_AUTH_SCOPE' });
    expect((await alice.enrollments()).enrollments.find((e) => e.marketContext === FEEDER)?.enrollmentStatus).toBe('pendingEnrollment');
    await approved(alice, FEEDER);
    expect((await alice.enrollments()).enrollments.map((e) => e.enrollmentStatus).sort()).toEqual(['approvedEnrollment', 'approvedEnrollment']);
  });

  it('serves market contexts as EMIX standard terms', async () => {
    const bob = await ts.party('bob-mc');
    const [home] = (await bob.marketContexts(HOME)).marketContexts;
    expect(home).toMatchObject({ marketContext: HOME, marketName: 'Home electricity',
      standardTerms: { granularity: parseDuration('PT15M'), currency: 'EUR', termsSets: [{ terms: [
        { kind: 'marketGranularity', value: parseDuration('PT15M') },
        { kind: 'minimumNotificationDuration', value: parseDuration('PT1M') },
        { kind: 'maximumNotificationDuration', value: parseDuration('P1D') },
      ] }] } });
    expect((await bob.marketContexts()).marketContexts).toHaveLength(3);
    expect(await refusal(bob.marketContexts('urn:nowhere'))).toMatchObject({ responseCode: '454', code: 'MM_ERR_EI_UNKNOWN_MARKET' });
  });
});

describe('tenders and transactions in a continuous market', () => {
  let seller: MicromarketClient;
  let buyer: MicromarketClient;
  beforeAll(async () => {
    seller = await ts.party('pv-farm');
    buyer = await ts.party('building-b');
    await approved(seller, FEEDER);
    await approved(buyer, FEEDER);
  });

  it('matches at once and answers with the transactions, which both parties then see', async () => {
    expect((await seller.tender([{ tenderID: 's1', product: product(FEEDER, 'sell', 0.1, 5) }])).transactions).toEqual([]);
    const created = await buyer.tender([{ tenderID: 'b1', product: product(FEEDER, 'buy', 0.12, 3) }]);
    expect(created.tenderIDs).toEqual(['b1']);
    expect(created.transactions).toMatchObject([{ tenderID: 'b1', product: { side: 'buy', dtstart: t13, transactiveState: 'transaction',
      payload: { value: { price: { value: 0.1 }, quantity: 3 } } } }]);
    const id = created.transactions[0]!.transactionID;
    expect((await seller.transactions()).transactions).toMatchObject([{ transactionID: id, tenderID: 's1', product: { side: 'sell' } }]);
    const open = (await seller.tenders()).tenders;
    expect(open).toMatchObject([{ tenderID: 's1', product: { intervals: [{ payloads: [{ value: { quantity: 2, price: { value: 0.1 } } }] }] } }]);
  });

  it('refuses a whole request when one tender is bad, with the specific reason', async () => {
    const e = await refusal(buyer.tender([
      { tenderID: 'ok', product: product(FEEDER, 'buy', 0.05, 1) },
      { tenderID: 'bad', product: product(FEEDER, 'buy', 0.0505, 1) },
    ]));
    expect(e).toMatchObject({ responseCode: '454', code: 'MM_ERR_EI_TENDER_REFUSED' });
    expect(e.message).toContain('tender bad refused: price-off-tick');
    expect((await buyer.tenders()).tenders.map((t) => t.tenderID)).not.toContain('ok');
    expect((await refusal(buyer.tender([{ tenderID: 'b1', product: product(FEEDER, 'buy', 0.05, 1, t13 + 300_000) }]))).message).toContain('duplicate');
    expect(await refusal(buyer.tender([{ tenderID: 'x', product: product('urn:nowhere', 'buy', 0.05, 1) }]))).toMatchObject({ code: 'MM_ERR_EI_UNKNOWN_MARKET' });
    expect((await refusal(buyer.tender([{ tenderID: 'closed', product: product(FEEDER, 'buy', 0.05, 1, ts.clock.now) }]))).message).toContain('gate-closed');
  });

  it('cancels what is left, and refuses to cancel a filled or unknown tender', async () => {
    const later = t13 + 1_200_000; // an interval of their own, so b2 meets s2 and not s1
    await seller.tender([{ tenderID: 's2', product: product(FEEDER, 'sell', 0.2, 1, later) }]);
    expect((await buyer.tender([{ tenderID: 'b2', product: product(FEEDER, 'buy', 0.2, 1, later) }])).transactions).toHaveLength(1);
    expect(await refusal(seller.cancelTenders('s2'))).toMatchObject({ responseCode: '452', code: 'MM_ERR_EI_UNKNOWN_ID' });
    expect((await seller.cancelTenders('s1')).tenderIDs).toEqual(['s1']);
    expect((await seller.tenders()).tenders).toEqual([]);
    expect(await refusal(buyer.cancelTenders('s1'))).toMatchObject({ responseCode: '452' });
  });

  it('withdraws open tenders when a party leaves the market or deregisters', async () => {
    const leaver = await ts.party('leaver');
    await approved(leaver, FEEDER);
    await leaver.tender([{ tenderID: 'l1', product: product(FEEDER, 'sell', 1.9, 1, t13 + 1_500_000) }]);
    expect((await leaver.tenders()).tenders.map((t) => t.tenderID)).toEqual(['l1']);
    await leaver.call('EiEnroll', 'eiCanceledEnroll', { name: 'eiCancelEnroll', body: { requestID: '', enrolleePartyID: 'leaver', enrollmentIDs: ['feeder-7:leaver'] } });
    expect((await leaver.tenders()).tenders).toEqual([]);
    // A buyer at that price finds nothing to trade with.
    expect((await buyer.tender([{ tenderID: 'b-l1', product: product(FEEDER, 'buy', 1.9, 1, t13 + 1_500_000) }])).transactions).toEqual([]);

    const quitter = await ts.party('quitter');
    await approved(quitter, FEEDER);
    await quitter.tender([{ tenderID: 'q1', product: product(FEEDER, 'sell', 1.95, 1, t13 + 1_800_000) }]);
    const { registrationID } = await quitter.call('EiRegisterParty', 'eiReplyPartyRegistration', { name: 'eiRequestPartyRegistration', body: { requestID: '' } });
    await quitter.call('EiRegisterParty', 'eiCanceledPartyRegistration', { name: 'eiCancelPartyRegistration', body: { requestID: '', registrationID: registrationID! } });
    expect((await buyer.tender([{ tenderID: 'b-q1', product: product(FEEDER, 'buy', 1.95, 1, t13 + 1_800_000) }])).transactions).toEqual([]);
  });

  it('answers a retry with the same requestID with the first response and changes nothing', async () => {
    const token = await ts.service.context.tokens.issue('building-b', ['tender'], Date.now());
    const xml = pipeline.write({ name: 'eiCreateTender', body: { requestID: 'retry-1', partyID: 'building-b', counterPartyID: 'm',
      tenders: [{ tenderID: 'r1', product: product(FEEDER, 'buy', 0.01, 1) }] } });
    const [a, b] = await Promise.all([postXml('/ei/EiTender', xml, token), postXml('/ei/EiTender', xml, token)]);
    const c = await postXml('/ei/EiTender', xml, token);
    const bodies = await Promise.all([a.text(), b.text(), c.text()]);
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
    expect(bodies[0]).toContain('<ei:responseCode>200</ei:responseCode>');
    expect((await buyer.tenders()).tenders.filter((t) => t.tenderID === 'r1')).toHaveLength(1);
  });

  it('sends schema-invalid documents back with the line and stays up', async () => {
    const token = await ts.service.context.tokens.issue('building-b', ['tender'], Date.now());
    const res = await postXml('/ei/EiTender', '<?xml version="1.0"?>\n<pyld:eiCreateTender xmlns:pyld="http://docs.oasis-open.org/ns/energyinterop/201110/payloads">\n<pyld:requestID>z</pyld:requestID>\n</pyld:eiCreateTender>', token);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/MM_ERR_XML_INVALID: line 2: .*Missing child element/);
    const wrong = await postXml('/ei/EiQuote', pipeline.write({ name: 'eiCancelTender', body: { requestID: 'w', partyID: 'building-b', tenderIDs: ['x'] } }), token);
    expect(await wrong.text()).toContain('<ei:responseCode>459</ei:responseCode>');
    expect((await fetch(`${ts.base}/healthz`)).status).toBe(200);
  });

  it('shows best bid and ask as quotes', async () => {
    await seller.tender([{ tenderID: 'q-ask', product: product(FEEDER, 'sell', 0.3, 2, t13 + 600_000) }]);
    await buyer.tender([{ tenderID: 'q-bid', product: product(FEEDER, 'buy', 0.25, 4, t13 + 600_000) }]);
    const { quotes } = await buyer.quotes(FEEDER);
    const book = quotes.find((q) => q.quoteID === 'feeder-7:2026-11-23T13:10:00Z:book')!;
    expect(book.products.map((p) => [p.side, p.payload?.value.price?.value, p.payload?.value.quantity])).toEqual([['buy', 0.25, 4], ['sell', 0.3, 2]]);
  });
});

describe('call auction, gate closure and quote distribution', () => {
  it('rests tenders until the gate, clears once, and pushes the clearing price to subscribers', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/quotes`;
    const pv = await ts.party('home-pv', undefined, address);
    const hp = await ts.party('heat-pump');
    await approved(pv, HOME);
    await approved(hp, HOME);
    expect((await pv.tender([{ tenderID: 'pv1', product: product(HOME, 'sell', 0.05, 3) }])).transactions).toEqual([]);
    await hp.tender([{ tenderID: 'hp1', product: product(HOME, 'buy', 0.3, 2) }]);
    const indicative = (await hp.quotes(HOME)).quotes.find((q) => q.quoteID.endsWith('indicative'))!;
    // 0.04 + 0.01 * 2/3, published at the curve market's 6 decimal places.
    expect(indicative.products[0]!.payload?.value.price?.value).toBe(0.046667);

    await ts.service.scheduler.tick(); // before the gate: nothing
    expect((await hp.transactions({ marketContexts: [HOME] })).transactions).toEqual([]);
    ts.clock.now = t13 - 60_000; // the gate
    await ts.service.scheduler.tick();
    await ts.service.scheduler.tick(); // a second tick clears nothing again
    const mine = (await hp.transactions({ marketContexts: [HOME] })).transactions;
    expect(mine).toMatchObject([{ tenderID: 'hp1', product: { side: 'buy', payload: { value: { quantity: 2 } } } }]);
    expect(mine[0]!.product.payload?.value.price?.value).toBe(0.046667);
    expect(received).toHaveLength(1);
    const pushed = pipeline.read(Buffer.from(received[0]!));
    expect(pushed.name === 'eiCreateQuote' && pushed.body).toMatchObject({ subscriberPartyID: 'home-pv', quotes: [{ quoteID: 'home:2026-11-23T13:00:00Z:cleared' }] });
    receiver.close();
    ts.clock.now = Date.UTC(2026, 10, 23, 12, 0);
  });
});

describe('availability and peer-to-peer offers', () => {
  it('refuses tenders outside declared availability; lists and cancels windows', async () => {
    const ev = await ts.party('ev');
    await approved(ev, FEEDER);
    const { availIDs } = await ev.declareAvailability([{ availID: 'evenings', availability: { available: [{ properties: {
      dtstart: Date.UTC(2026, 10, 23, 17), dtend: Date.UTC(2026, 10, 23, 21) } }] } }]);
    expect(availIDs).toEqual(['evenings']);
    expect((await refusal(ev.tender([{ tenderID: 'noon', product: product(FEEDER, 'buy', 0.1, 1) }]))).message).toContain('party-unavailable');
    expect((await ev.tender([{ tenderID: 'eve', product: product(FEEDER, 'buy', 0.001, 1, Date.UTC(2026, 10, 23, 17)) }])).tenderIDs).toEqual(['eve']);
    expect((await ev.availability()).avails.map((a) => a.availID)).toEqual(['evenings']);
    await ev.cancelAvailability('evenings');
    expect((await ev.tender([{ tenderID: 'noon', product: product(FEEDER, 'buy', 0.001, 1) }])).tenderIDs).toEqual(['noon']);
  });

  it('refuses an unknown time zone in declared availability at the edge, with its line; its tenders never meet it', async () => {
    const heater = await ts.party('tz-heater');
    await approved(heater, FEEDER);
    const token = await ts.service.context.tokens.issue('tz-heater', ['avail', 'tender'], Date.now(), 3600);
    const fixture = readFileSync(new URL('../fixtures/valid/eiCreateAvail.xml', import.meta.url), 'utf8')
      .replace('<ei:partyID>house-12</ei:partyID>', '<ei:partyID>tz-heater</ei:partyID>')
      .replace('<emix:marketContext>urn:micromarket:home</emix:marketContext>', `<emix:marketContext>${FEEDER}</emix:marketContext>`);
    const zoned = (zone: string) => fixture.replace('<xcal:duration><xcal:duration>PT4H', `<xcal:tzid><xcal:text>${zone}</xcal:text></xcal:tzid>\n      <xcal:duration><xcal:duration>PT4H`);
    const xml = zoned('Mars/Olympus_Mons');
    const res = await postXml('/ei/EiAvail', xml, token);
    expect(res.status).toBe(400);
    const line = xml.slice(0, xml.indexOf('Mars/Olympus_Mons')).split('\n').length;
    expect(await res.text()).toMatch(new RegExp(`line ${line}: .*unknown time zone Mars/Olympus_Mons`));
    // Nothing was stored: the party's tenders are judged as before, and none fails.
    expect((await heater.tender([{ tenderID: 'tz-1', product: product(FEEDER, 'buy', 0.001, 1) }])).tenderIDs).toEqual(['tz-1']);
    expect((await postXml('/ei/EiAvail', zoned('Europe/Amsterdam'), token)).status).toBe(200);
  });

  it('publishes an offer others accept in part, or in whole when integralOnly', async () => {
    const farm = await ts.party('farm');
    const shop = await ts.party('shop');
    await approved(farm, FEEDER);
    await approved(shop, FEEDER);
    await farm.distribute([{ tenderID: 'o1', product: product(FEEDER, 'sell', 0.15, 10) },
      { tenderID: 'o2', product: product(FEEDER, 'sell', 0.15, 4, t13, { integralOnly: true }) }]);
    expect((await shop.tenders('farm')).tenders.map((t) => t.tenderID)).toEqual(['o1', 'o2']);
    const accepted = await shop.accept('farm', [{ transactionID: 'p2p-1', tenderID: 'o1', product: product(FEEDER, 'buy', 0.15, 6) }]);
    expect(accepted.transactionIDs).toEqual(['p2p-1']);
    expect((await farm.transactions({ transactionIDs: ['p2p-1'] })).transactions).toMatchObject([{ product: { side: 'sell', payload: { value: { quantity: 6 } } } }]);
    expect((await refusal(shop.accept('farm', [{ transactionID: 'p2p-2', tenderID: 'o1', product: product(FEEDER, 'buy', 0.15, 5) }]))).message).toContain('has 4 left');
    expect((await refusal(shop.accept('farm', [{ transactionID: 'p2p-3', tenderID: 'o2', product: product(FEEDER, 'buy', 0.15, 2) }]))).message).toContain('integralOnly');
  });

  it('never lets a transaction ID a party chooses address a record it does not own: a market\'s trade, or the counterparty\'s', async () => {
    // B holds a market trade (feeder-7-<n>) and offers more; A accepts the offer naming B's trade ID, as the adversary did.
    const a = await ts.party('p2p-a');
    const b = await ts.party('p2p-b');
    const c = await ts.party('p2p-c');
    for (const p of [a, b, c]) await approved(p, FEEDER);
    await b.tender([{ tenderID: 'tB-sell', product: product(FEEDER, 'sell', 0.1, 2, t13 + 3_600_000) }]);
    const [trade] = (await c.tender([{ tenderID: 'tC-buy', product: product(FEEDER, 'buy', 0.1, 2, t13 + 3_600_000) }])).transactions;
    expect(trade!.transactionID).toMatch(/^feeder-7-\d+$/);
    await b.distribute([{ tenderID: 'offer-b', product: product(FEEDER, 'sell', 0.12, 5) }]);
    const before = (await b.transactions()).transactions;
    const taken = await refusal(a.accept('p2p-b', [{ transactionID: trade!.transactionID, tenderID: 'offer-b', product: product(FEEDER, 'buy', 0.12, 1) }]));
    expect(taken.message).toContain(`transactionID ${trade!.transactionID} has the form of market feeder-7's own IDs`);
    expect((await b.transactions()).transactions).toEqual(before);
    // Any ID of the market's form is the market's, whether or not it was used yet.
    expect((await refusal(a.accept('p2p-b', [{ transactionID: 'feeder-7-999999', tenderID: 'offer-b', product: product(FEEDER, 'buy', 0.12, 1) }]))).message).toContain('own IDs');
    // A peer ID the counterparty already holds with someone else is taken, whoever accepts.
    await c.accept('p2p-b', [{ transactionID: 'deal-1', tenderID: 'offer-b', product: product(FEEDER, 'buy', 0.12, 2) }]);
    const held = (await b.transactions({ transactionIDs: ['deal-1'] })).transactions;
    expect((await refusal(a.accept('p2p-b', [{ transactionID: 'deal-1', tenderID: 'offer-b', product: product(FEEDER, 'buy', 0.12, 1) }]))).message).toContain('MM_ERR_EI_DUPLICATE_ID');
    expect((await b.transactions({ transactionIDs: ['deal-1'] })).transactions).toEqual(held);
    expect(held).toMatchObject([{ product: { payload: { value: { quantity: 2 } } } }]);
    // The same ID twice in one request is refused whole.
    const twice = await refusal(a.accept('p2p-b', [{ transactionID: 'deal-2', tenderID: 'offer-b', product: product(FEEDER, 'buy', 0.12, 1) },
      { transactionID: 'deal-2', tenderID: 'offer-b', product: product(FEEDER, 'buy', 0.12, 1) }]));
    expect(twice.message).toContain('MM_ERR_EI_DUPLICATE_ID');
    expect((await a.transactions()).transactions).toEqual([]);
  });
});
