import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authCollections } from '../../src/auth/records.js';
import { parseDuration } from '../../src/calendar/duration.js';
import type { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { eiCollections } from '../../src/ei/records.js';
import { collections } from '../../src/host/records.js';
import { intertieCollections } from '../../src/intertie/records.js';
import { oadrCollections } from '../../src/openadr/records.js';
import type { Collection } from '../../src/store/collection.js';
import type { Payload, PayloadBody, PayloadName } from '../../src/xml/payloads/index.js';
import { targetOf, type OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode, vendorRegistration } from '../support/openadr.js';
import { oadrSamples } from '../support/samples.js';
import { testService, type TestService } from '../support/service.js';
import { pipeline, targets } from './hostile-inputs.js';

/**
 * The two-party authorization matrix (issue 21, item 12). Party B holds real records of every kind;
 * party A then sends every operation a party can send, first naming B as the party it acts for,
 * then as itself with B's record IDs (taken from B's records). Every request is refused, or (a read
 * of A's own) shows nothing of B's; and afterwards every record of B is byte for byte what it was.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const HOME = 'urn:micromarket:home';
const t13 = Date.UTC(2026, 10, 23, 13);
const A = 'party-a';
const B = 'party-b';
let ts: TestService;
let b: MicromarketClient;
const tokens: Record<string, string> = {};
let ids: Record<'tender' | 'offer' | 'trade' | 'peer' | 'avail' | 'enrollment' | 'registration' | 'opt' | 'event' | 'reportRequest' | 'specifier' | 'rID', string>;

const every: ReadonlyArray<Collection<unknown, never>> = [collections, eiCollections, oadrCollections, authCollections, intertieCollections]
  .flatMap((group) => Object.values(group) as Array<Collection<unknown, never>>);

/** Every record in the store, except A's own (a key naming A: such as the answers to its requests). */
async function everythingButA(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of every) {
    for (const [key, value] of await c.list(ts.service.context.store)) if (!(c.parts(key) as string[]).includes(A)) out[`${c.name}/${key}`] = JSON.stringify(value);
  }
  return out;
}

const product = (side: 'buy' | 'sell', price: number, quantity = 1, dtstart = t13): Product => ({ dtstart, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: price }, quantity } },
  uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });

beforeAll(async () => {
  ts = await testService();
  b = await ts.party(B, ['register', 'enroll', 'tender', 'quote', 'avail', 'report']);
  const a = await ts.party(A, ['register', 'enroll', 'tender', 'quote', 'avail', 'report']);
  const c = await ts.party('party-c');
  for (const p of [a, b, c]) for (const m of [FEEDER, HOME]) await ts.enrollApproved(p, m);
  for (const p of [A, B]) tokens[p] = await ts.service.context.tokens.issue(p, ['register', 'enroll', 'tender', 'quote', 'avail', 'report'], Date.now(), 3600);
  // B's records: an open tender, a market trade, an offer and a trade two parties made of it, availability, an OpenADR registration, an opt, reports.
  await b.tender([{ tenderID: 'b-open', product: product('buy', 0.01) }]);
  await b.tender([{ tenderID: 'b-sell', product: product('sell', 0.1, 2, t13 + 3_600_000) }]);
  const [trade] = (await c.tender([{ tenderID: 'c-buy', product: product('buy', 0.1, 2, t13 + 3_600_000) }])).transactions;
  await b.distribute([{ tenderID: 'b-offer', product: product('sell', 0.12, 5) }]);
  await c.accept(B, [{ transactionID: 'b-peer', tenderID: 'b-offer', product: product('buy', 0.12, 1) }]);
  await b.declareAvailability([{ availID: 'b-avail', availability: { available: [{ properties: { dtstart: t13 - 3_600_000, duration: parseDuration('P1D') } }] } }]);
  for (const p of [A, B]) expect(responseCode(await postOadr(ts.base, 'EiRegisterParty', vendorRegistration, tokens[p]!))).toBe('200');
  const optB: OadrMessage = { kind: 'oadrCreateOpt', value: { optID: 'b-opt', optType: 'optOut', optReason: 'notParticipating', venID: B,
    availability: { available: [{ properties: { dtstart: t13 + 5 * 3_600_000, duration: parseDuration('PT1H') } }] }, createdDateTime: ts.clock.now, requestID: 'b-opt', target: targetOf({}) } };
  expect(responseCode(await postOadr(ts.base, 'EiOpt', optB, tokens[B]!))).toBe('200');
  const register: OadrMessage = { kind: 'oadrRegisterReport', value: { ...oadrSamples.oadrRegisterReport, venID: B } };
  expect(responseCode(await postOadr(ts.base, 'EiReport', register, tokens[B]!))).toBe('200');
  // The gate of B's trade closes: the feeder issues B's VEN its event for that interval.
  ts.clock.now = t13 + 3_600_000 - 60_000;
  await ts.service.scheduler.tick();
  const store = ts.service.context.store;
  const first = async (c: Collection<unknown, never>, prefix: string[]) => (await c.list(store, prefix as never))[0]?.[0] ?? '';
  const last = (key: string) => key.split('/').at(-1)!;
  ids = {
    tender: 'b-open', offer: 'b-offer', trade: trade!.transactionID, peer: 'b-peer', avail: 'b-avail',
    enrollment: (await collections.enrollments.get(store, ['feeder-7', B]))!.enrollmentID,
    registration: (await collections.parties.get(store, [B]))!.registrationID,
    opt: 'b-opt', event: last(await first(oadrCollections.events as never, [B])), reportRequest: last(await first(oadrCollections.reportRequests as never, [B])),
    specifier: last(await first(oadrCollections.reportMetadata as never, [B])), rID: 'rid-missing',
  };
  expect(Object.entries(ids).filter(([, id]) => id === '')).toEqual([]);
});
afterAll(() => ts.close());

/** The outcome of A's request: refused (with the code), or the answer's text to search for B's IDs. */
async function asA(path: string, xml: string): Promise<{ refused: string | undefined; text: string }> {
  const res = await fetch(`${ts.base}${path}`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokens[A]}` } });
  const text = await res.text();
  expect(res.status, xml).toBeLessThan(500);
  const code = /<(?:\w+:)?responseCode>(\d{3})</.exec(text)?.[1];
  return { refused: res.status !== 200 ? String(res.status) : code !== '200' ? code : undefined, text };
}

const ei = <N extends PayloadName>(name: N, body: PayloadBody<N>) => pipeline.write({ name, body } as Payload);
const oadr = (message: OadrMessage) => pipeline.write({ name: 'oadrPayload', body: { message } });

describe('party A against party B\'s records', () => {
  it('every operation naming B as the party it acts for is refused (403), EI and OpenADR alike', async () => {
    const before = await everythingButA();
    const named = targets(B, FEEDER).map((t) => ({ ...t, xml: t.xml.replaceAll('>house-14<', `>${B}<`) }))
      // Messages that name no party act for the caller: A's own, tested below.
      .filter((t) => t.xml.includes(`>${B}<`));
    expect(named.length).toBeGreaterThanOrEqual(25);
    for (const [i, t] of named.entries()) {
      const { refused } = await asA(t.path, t.xml.replace(/(<(?:[\w-]+:)?requestID>)[^<]*(<\/)/g, `$1m-${i}$2`));
      expect(refused, `${t.name} naming ${B}`).toBe('403');
    }
    expect(await everythingButA()).toEqual(before);
  });

  it('A acting as itself with B\'s record IDs is refused, or reads nothing of B\'s, and B\'s records stay as they were', async () => {
    const before = await everythingButA();
    const open = async () => JSON.stringify((await ts.service.context.host.current(ts.service.context.host.markets)).map((m) => m.openTenders(B)));
    const bookBefore = await open();
    const refusals: Array<[string, string, string]> = [
      ['eiCancelTender', '/ei/EiTender', ei('eiCancelTender', { requestID: 'x1', partyID: A, tenderIDs: [ids.tender] })],
      ['eiCancelTender (an offer)', '/ei/EiTender', ei('eiCancelTender', { requestID: 'x2', partyID: A, tenderIDs: [ids.offer] })],
      ['eiCancelAvail', '/ei/EiAvail', ei('eiCancelAvail', { requestID: 'x3', partyID: A, availIDs: [ids.avail] })],
      ['eiCancelEnroll', '/ei/EiEnroll', ei('eiCancelEnroll', { requestID: 'x4', enrolleePartyID: A, enrollmentIDs: [ids.enrollment] })],
      ['eiCancelPartyRegistration', '/ei/EiRegisterParty', ei('eiCancelPartyRegistration', { requestID: 'x5', registrationID: ids.registration, registreePartyID: A })],
      ['eiCreateTransaction (B\'s market trade ID)', '/ei/EiTransaction', ei('eiCreateTransaction', { requestID: 'x6', partyID: A, counterPartyID: B,
        transactions: [{ transactionID: ids.trade, tenderID: ids.offer, product: product('buy', 0.12, 1) }] })],
      ['eiCreateTransaction (B\'s peer trade ID)', '/ei/EiTransaction', ei('eiCreateTransaction', { requestID: 'x7', partyID: A, counterPartyID: B,
        transactions: [{ transactionID: ids.peer, tenderID: ids.offer, product: product('buy', 0.12, 1) }] })],
      ['eiCreateTransaction (B\'s open tender, not an offer)', '/ei/EiTransaction', ei('eiCreateTransaction', { requestID: 'x8', partyID: A, counterPartyID: B,
        transactions: [{ transactionID: 'x8', tenderID: ids.tender, product: product('sell', 0.01, 1) }] })],
      ['oadrCancelOpt', '/OpenADR2/Simple/2.0b/EiOpt', oadr({ kind: 'oadrCancelOpt', value: { requestID: 'x9', optID: ids.opt, venID: A } })],
      ['oadrCancelPartyRegistration', '/OpenADR2/Simple/2.0b/EiRegisterParty', oadr({ kind: 'oadrCancelPartyRegistration', value: { requestID: 'x10', registrationID: ids.registration, venID: A } })],
      ['oadrCreatePartyRegistration (B\'s registrationID)', '/OpenADR2/Simple/2.0b/EiRegisterParty', oadr({ kind: 'oadrCreatePartyRegistration',
        value: { ...oadrSamples.oadrCreatePartyRegistration, venID: A, requestID: 'x11', registrationID: ids.registration } })],
      ['oadrCreatedEvent (B\'s event)', '/OpenADR2/Simple/2.0b/EiEvent', oadr({ kind: 'oadrCreatedEvent', value: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: 'x12' },
        venID: A, eventResponses: [{ responseCode: '200', responseDescription: 'OK', requestID: 'x12', qualifiedEventID: { eventID: ids.event, modificationNumber: 0 }, optType: 'optOut' }] } })],
      ['oadrUpdateReport (B\'s report request)', '/OpenADR2/Simple/2.0b/EiReport', oadr({ kind: 'oadrUpdateReport', value: { ...oadrSamples.oadrUpdateReport, venID: A, requestID: 'x13',
        reports: oadrSamples.oadrUpdateReport.reports.map((r) => ({ ...r, reportRequestID: ids.reportRequest, reportSpecifierID: ids.specifier })) } })],
    ];
    for (const [name, path, xml] of refusals) expect((await asA(path, xml)).refused, name).toBeDefined();
    const reads: Array<[string, string, string, readonly string[]]> = [
      ['eiRequestTransaction', '/ei/EiTransaction', ei('eiRequestTransaction', { requestID: 'y1', requestorPartyID: A, partyID: A, counterPartyIDs: [], transactionIDs: [ids.trade, ids.peer], marketContexts: [] } as never), [ids.trade, ids.peer]],
      ['eiRequestAvail', '/ei/EiAvail', ei('eiRequestAvail', { requestID: 'y2', partyID: A, resourceIDs: [], marketContexts: [], availIDs: [ids.avail] }), [ids.avail]],
      ['eiRequestEnroll', '/ei/EiEnroll', ei('eiRequestEnroll', { requestID: 'y3', enrolleePartyID: A, enrollmentIDs: [ids.enrollment], marketContexts: [] }), [ids.enrollment]],
      ['eiRequestTender (its own)', '/ei/EiTender', ei('eiRequestTender', { requestID: 'y4', partyID: A, requestorPartyID: A, counterPartyIDs: [], tenderIDs: [ids.tender], marketContexts: [] } as never), [ids.tender]],
      ['oadrRequestEvent', '/OpenADR2/Simple/2.0b/EiEvent', oadr({ kind: 'oadrRequestEvent', value: { requestID: 'y5', venID: A } }), [ids.event]],
      ['oadrPoll', '/OpenADR2/Simple/2.0b/OadrPoll', oadr({ kind: 'oadrPoll', value: { venID: A } }), [ids.event, ids.reportRequest]],
      ['oadrQueryRegistration', '/OpenADR2/Simple/2.0b/EiRegisterParty', oadr({ kind: 'oadrQueryRegistration', value: { requestID: 'y6' } }), [ids.registration]],
    ];
    for (const [name, path, xml, secret] of reads) {
      const { text } = await asA(path, xml);
      for (const id of secret) expect(text, `${name} shows ${id}`).not.toContain(`>${id}<`);
    }
    expect(await everythingButA()).toEqual(before);
    expect(await open()).toBe(bookBefore);
  });
});
