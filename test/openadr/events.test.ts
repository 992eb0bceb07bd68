import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationToMillis } from '../../src/calendar/duration.js';
import { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import type { OadrMessage, OadrMessageOf } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode as code, vendorRegistration } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * Events from market outcomes, over real HTTP. Two VENs trade in the feeder market (continuous,
 * 5-minute intervals, gate one minute before) through the EI services: ven-a buys 3 kW at 0.80
 * and 1 kW at 1.40 EUR/kWh from ven-b for 12:30. When the gate closes each gets one event: the
 * interval's volume-weighted price (3 x 0.80 + 1 x 1.40) / 4 = 0.95, its SIMPLE level (the feeder
 * names no levels, so they sit at 50/75/90 % of -0.5..2.0: 0.75, 1.375, 1.75, and 0.95 is level 1)
 * and its own position: +4 kW for the buyer, -4 kW for the seller.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
let ts: TestService;
const tokens: Record<string, string> = {};
const clients: Record<string, MicromarketClient> = {};

const post = (venID: string, service: string, message: OadrMessage) => postOadr(ts.base, service, message, tokens[venID]!);
const poll = (venID: string) => post(venID, 'OadrPoll', { kind: 'oadrPoll', value: { venID } });
const requestEvents = (venID: string) => post(venID, 'EiEvent', { kind: 'oadrRequestEvent', value: { requestID: `req-${venID}`, venID } });
const created = (venID: string, eventID: string, modificationNumber: number, optType: 'optIn' | 'optOut' = 'optIn'): OadrMessage => ({
  kind: 'oadrCreatedEvent', value: { eiResponse: { responseCode: '200', requestID: '' }, venID,
    eventResponses: [{ responseCode: '200', requestID: 'poll', qualifiedEventID: { eventID, modificationNumber }, optType }] } });
function events(message: OadrMessage): OadrMessageOf<'oadrDistributeEvent'>['events'] {
  if (message.kind !== 'oadrDistributeEvent') throw new Error(`expected a distribute, got ${message.kind}`);
  return message.value.events;
}
const signal = (message: OadrMessage, name: string) => events(message)[0]!.event.signals.signals.find((s) => s.signalName === name)!;
const product = (side: 'buy' | 'sell', price: number, quantity: number): Product => ({ dtstart: at(12, 30),
  payload: { kind: 'temixPower', value: { price: { kind: 'price', value: price }, quantity } }, uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });

beforeAll(async () => {
  ts = await testService(at(12, 0));
  const registration = vendorRegistration;
  for (const venID of ['ven-a', 'ven-b']) {
    tokens[venID] = await ts.service.context.tokens.issue(venID, ['register', 'enroll', 'tender'], Date.now(), 3600);
    const res = await fetch(`${ts.base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', body: registration,
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokens[venID]}` } });
    expect(await res.text()).toContain(`<ei:venID>${venID}</ei:venID>`);
    clients[venID] = new MicromarketClient({ baseUrl: ts.base, partyID: venID, token: tokens[venID]! });
    await ts.enrollApproved(clients[venID]!, FEEDER);
  }
  await clients['ven-b']!.tender([{ tenderID: 's1', product: product('sell', 0.8, 3) }]);
  await clients['ven-b']!.tender([{ tenderID: 's2', product: product('sell', 1.4, 1) }]);
  await clients['ven-a']!.tender([{ tenderID: 'b1', product: product('buy', 1.4, 4) }]);
});
afterAll(() => ts.close());

describe('events from a cleared interval', () => {
  it('are not issued before the gate closes', async () => {
    ts.clock.now = at(12, 28);
    await ts.service.scheduler.tick();
    expect((await poll('ven-a')).kind).toBe('oadrResponse');
    expect(events(await requestEvents('ven-a'))).toEqual([]);
  });

  it('reach each VEN by poll at gate closure: price, SIMPLE level and its own position', async () => {
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();
    const a = await poll('ven-a');
    expect(events(a)).toHaveLength(1);
    const { event, responseRequired } = events(a)[0]!;
    expect(responseRequired).toBe('always');
    expect(event.descriptor).toMatchObject({ modificationNumber: 0, eventStatus: 'near', marketContext: { marketContext: FEEDER }, createdDateTime: at(12, 29) });
    expect(event.descriptor.eventID).toMatch(/^feeder-7\.202611231230\.[0-9a-f]{12}$/);
    const { dtstart, duration, notification } = event.activePeriod.properties;
    expect([dtstart, durationToMillis(duration!), durationToMillis(notification!)]).toEqual([at(12, 30), 300_000, 60_000]);
    expect(event.target.venIDs).toEqual(['ven-a']);
    expect(signal(a, 'ELECTRICITY_PRICE')).toMatchObject({ signalType: 'price', intervals: [{ uid: '0', values: [0.95] }], currentValue: 0,
      item: { kind: 'currencyPerKWh', value: { itemUnits: 'EUR' } } });
    expect(signal(a, 'SIMPLE')).toMatchObject({ signalType: 'level', intervals: [{ values: [1] }], currentValue: 0 });
    expect(signal(a, 'LOAD_DISPATCH')).toMatchObject({ signalType: 'setpoint', intervals: [{ values: [4] }], currentValue: 0,
      item: { kind: 'powerReal', value: { itemUnits: 'W', siScaleCode: 'k' } } });
    expect(signal(await poll('ven-b'), 'LOAD_DISPATCH').intervals[0]!.values).toEqual([-4]);
  });

  it('stop coming once the VEN answers them', async () => {
    const eventID = events(await requestEvents('ven-a'))[0]!.event.descriptor.eventID;
    expect(code(await post('ven-a', 'EiEvent', created('ven-a', eventID, 0)))).toBe('200');
    expect((await poll('ven-a')).kind).toBe('oadrResponse');
  });

  it('are re-sent to a VEN that does not answer, up to three polls', async () => {
    // ven-b's first poll above was delivery 1.
    expect(events(await poll('ven-b'))).toHaveLength(1);
    expect(events(await poll('ven-b'))).toHaveLength(1);
    expect((await poll('ven-b')).kind).toBe('oadrResponse');
  });

  it('refuse an answer to an unknown event (452) or another modificationNumber (450), recording nothing', async () => {
    const eventID = events(await requestEvents('ven-b'))[0]!.event.descriptor.eventID;
    expect(code(await post('ven-b', 'EiEvent', created('ven-b', 'no-such-event', 0)))).toBe('452');
    expect(code(await post('ven-b', 'EiEvent', created('ven-b', eventID, 1)))).toBe('450');
    // ven-a's event is not ven-b's to answer.
    const aEventID = events(await requestEvents('ven-a'))[0]!.event.descriptor.eventID;
    expect(code(await post('ven-b', 'EiEvent', created('ven-b', aEventID, 0)))).toBe('452');
    const stored = async () => (await ts.service.context.store.get('events', `ven-b/${eventID}`) as { response?: unknown }).response;
    expect(await stored()).toBeUndefined();
    expect(code(await post('ven-b', 'EiEvent', created('ven-b', eventID, 0, 'optOut')))).toBe('200');
    expect(await stored()).toEqual({ optType: 'optOut', modificationNumber: 0, at: at(12, 29) });
  });

  it('count in dispatch: an opted-out position is not committed, and only the operator sees the dispatch', async () => {
    const url = `${ts.base}/dispatch?marketContext=${encodeURIComponent(FEEDER)}&interval=2026-11-23T12:30:00Z`;
    const dispatch = await (await fetch(url, { headers: { authorization: `Bearer ${ts.operatorToken}` } })).json() as Record<string, unknown>;
    // ven-a opted in to +4 kW; ven-b opted out of its -4 kW.
    expect(dispatch).toMatchObject({ marketContext: FEEDER, interval: '2026-11-23T12:30:00.000Z', price: 0.95, level: 1, committed: 4, optedOut: -4,
      events: [{ venID: 'ven-a', dispatch: 4, optType: 'optIn', status: 'near' }, { venID: 'ven-b', dispatch: -4, optType: 'optOut', status: 'near' }] });
    expect((await fetch(url, { headers: { authorization: `Bearer ${tokens['ven-a']}` } })).status).toBe(403);
  });

  it('turn active with current values during the interval, and leave the distribute once completed', async () => {
    ts.clock.now = at(12, 31);
    const a = await requestEvents('ven-a');
    expect(events(a)[0]!.event.descriptor.eventStatus).toBe('active');
    expect(signal(a, 'ELECTRICITY_PRICE').currentValue).toBe(0.95);
    expect(signal(a, 'SIMPLE').currentValue).toBe(1);
    expect(signal(a, 'LOAD_DISPATCH').currentValue).toBe(4);
    ts.clock.now = at(12, 35);
    expect(events(await requestEvents('ven-a'))).toEqual([]);
  });

  it('are issued once: later ticks add none', async () => {
    await ts.service.scheduler.tick();
    expect((await poll('ven-a')).kind).toBe('oadrResponse');
    expect((await ts.service.context.store.list('events', 'ven-a/')).length).toBe(1);
  });
});

describe('an event cancelled when its VEN leaves the market', () => {
  it('comes back cancelled at the next modificationNumber until acknowledged; the old number is refused', async () => {
    const later = (side: 'buy' | 'sell'): Product => ({ ...product(side, 0.5, 2), dtstart: at(12, 45) });
    await clients['ven-b']!.tender([{ tenderID: 's3', product: later('sell') }]);
    await clients['ven-a']!.tender([{ tenderID: 'b3', product: later('buy') }]);
    ts.clock.now = at(12, 44);
    await ts.service.scheduler.tick();
    const [issued] = events(await poll('ven-b'));
    expect(issued!.event.descriptor).toMatchObject({ modificationNumber: 0, eventStatus: 'near' });
    const { eventID } = issued!.event.descriptor;

    await clients['ven-b']!.call('EiEnroll', 'eiCanceledEnroll', { name: 'eiCancelEnroll', body: { requestID: 'leave',
      enrolleePartyID: 'ven-b', enrollmentIDs: ['feeder-7:ven-b'] } });
    const [cancelled] = events(await poll('ven-b'));
    expect(cancelled!.event.descriptor).toMatchObject({ eventID, modificationNumber: 1, eventStatus: 'cancelled', modificationDateTime: at(12, 44) });
    // A lower modificationNumber is an error (rule 58); the current one acknowledges the cancellation.
    expect(code(await post('ven-b', 'EiEvent', created('ven-b', eventID, 0)))).toBe('450');
    expect(code(await post('ven-b', 'EiEvent', created('ven-b', eventID, 1)))).toBe('200');
    expect((await poll('ven-b')).kind).toBe('oadrResponse');
    expect(events(await requestEvents('ven-b'))).toEqual([]);
    // ven-a stays in the market: its event for 12:45 is untouched.
    const [kept] = events(await requestEvents('ven-a'));
    expect([kept!.event.descriptor.modificationNumber, kept!.event.descriptor.eventStatus]).toEqual([0, 'near']);
    // Polls read the VEN's live events only: the 12:30 event, over since 12:35, has left its index.
    expect(await ts.service.context.store.list('event-index', 'ven-a/')).toEqual([['ven-a/feeder-7', { events: [{ eventID: kept!.event.descriptor.eventID, end: at(12, 50) }] }]]);
    expect(await ts.service.context.store.list('events', 'ven-a/')).toHaveLength(2);
  });
});
