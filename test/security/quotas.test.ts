import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/calendar/duration.js';
import { isMicromarketClientError, type MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { targetOf, type OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode, vendorRegistration } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * Per-party quotas (issue 21, item 10): one party's volume is refused with a clear code instead of
 * slowing every other party. Small quotas here so each is reached in a few requests.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const HOME = 'urn:micromarket:home';
const t13 = Date.UTC(2026, 10, 23, 13);
const wall = { now: Date.UTC(2026, 11, 3, 9) };
let ts: TestService;
let heavy: MicromarketClient;
let light: MicromarketClient;

const product = (marketContext: string, duration: string, dtstart = t13): Product => ({ dtstart, duration: parseDuration(duration),
  payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.01 }, quantity: 1 } }, uid: 'p', transactiveState: 'tender', marketContext, side: 'buy' });
const window = (hour: number) => ({ available: [{ properties: { dtstart: t13 + hour * 3_600_000, duration: parseDuration('PT1H') } }] });

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMicromarketClientError(error)) return { code: error.responseCode, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

beforeAll(async () => {
  ts = await testService(undefined, { quotas: { requestsPerSecond: 1000, openSlices: 12, records: 3 }, wallClock: () => wall.now });
  heavy = await ts.party('heavy');
  light = await ts.party('light');
  for (const p of [heavy, light]) for (const m of [FEEDER, HOME]) await ts.enrollApproved(p, m);
});
afterAll(() => ts.close());

describe('per-party quotas', () => {
  it('open (tender, interval) slices in a market, in a call auction and a continuous book alike: freed by a cancel', async () => {
    // home (a call auction) has 15-minute intervals: two hours are 8 slices, one hour 4.
    await heavy.tender([{ tenderID: 'h-2h', product: product(HOME, 'PT2H') }]);
    await heavy.tender([{ tenderID: 'h-1h', product: product(HOME, 'PT1H', t13 + 2 * 3_600_000) }]);
    const over = await refusal(heavy.tender([{ tenderID: 'h-1h-b', product: product(HOME, 'PT1H', t13 + 3 * 3_600_000) }]));
    expect(over).toEqual({ code: '429', message: 'MM_ERR_QUOTA_SLICES: open tenders in home: the party holds 12 (tender, interval) slices, these add 4, and it may hold 12' });
    await heavy.cancelTenders('h-1h');
    expect((await heavy.tender([{ tenderID: 'h-1h-b', product: product(HOME, 'PT1H', t13 + 3 * 3_600_000) }])).tenderIDs).toEqual(['h-1h-b']);
    // feeder-7 (continuous) has 5-minute intervals: an hour is 12 slices, the whole quota there; the party's home tenders do not count.
    await heavy.tender([{ tenderID: 'f-1h', product: product(FEEDER, 'PT1H') }]);
    expect((await refusal(heavy.tender([{ tenderID: 'f-5m', product: product(FEEDER, 'PT5M', t13 + 3_600_000) }]))).message)
      .toBe('MM_ERR_QUOTA_SLICES: open tenders in feeder-7: the party holds 12 (tender, interval) slices, these add 1, and it may hold 12');
    expect((await light.tender([{ tenderID: 'l-1h', product: product(FEEDER, 'PT1H') }])).tenderIDs).toEqual(['l-1h']);
  });

  it('availability windows: the fourth is refused, a replaced one takes no room', async () => {
    await heavy.declareAvailability([1, 2, 3].map((h) => ({ availID: `w${h}`, availability: window(h) })));
    expect(await refusal(heavy.declareAvailability([{ availID: 'w4', availability: window(4) }]))).toMatchObject({ code: '429',
      message: 'MM_ERR_QUOTA_RECORDS: availability windows: the party holds 3 and may hold 3; cancel some first' });
    expect((await heavy.declareAvailability([{ availID: 'w3', availability: window(5) }])).availIDs).toEqual(['w3']);
    expect((await light.declareAvailability([{ availID: 'w4', availability: window(4) }])).availIDs).toEqual(['w4']);
    await heavy.cancelAvailability('w1');
    expect((await heavy.declareAvailability([{ availID: 'w4', availability: window(4) }])).availIDs).toEqual(['w4']);
  });

  it('open offers', async () => {
    await heavy.distribute([1, 2, 3].map((i) => ({ tenderID: `o${i}`, product: product(FEEDER, 'PT5M') })));
    expect(await refusal(heavy.distribute([{ tenderID: 'o4', product: product(FEEDER, 'PT5M') }]))).toMatchObject({ code: '429',
      message: 'MM_ERR_QUOTA_RECORDS: open offers: the party holds 3 and may hold 3; cancel some first' });
  });

  it('opts, and the availability windows an opt-out makes', async () => {
    const token = await ts.service.context.tokens.issue('ven-q', ['register'], wall.now, 600);
    expect(responseCode(await postOadr(ts.base, 'EiRegisterParty', vendorRegistration, token))).toBe('200');
    const opt = (optID: string): OadrMessage => ({ kind: 'oadrCreateOpt', value: { optID, optType: 'optOut', optReason: 'notParticipating', venID: 'ven-q',
      availability: window(1), createdDateTime: ts.clock.now, requestID: `r-${optID}`, target: targetOf({}) } });
    for (const id of ['a', 'b', 'c']) expect(responseCode(await postOadr(ts.base, 'EiOpt', opt(id), token))).toBe('200');
    const fourth = await postOadr(ts.base, 'EiOpt', opt('d'), token);
    expect(responseCode(fourth)).toBe('429');
    expect(JSON.stringify(fourth)).toContain('MM_ERR_QUOTA_RECORDS: opts: the party holds 3 and may hold 3');
  });

  it('requests per second of real time, per party: the operator and other parties are not held back', async () => {
    const busy = await testService(undefined, { quotas: { requestsPerSecond: 5 }, wallClock: () => wall.now });
    try {
      const a = await busy.party('rate-a');
      const b = await busy.party('rate-b');
      wall.now = Math.ceil(wall.now / 1000) * 1000 + 1000;
      for (let i = 0; i < 5; i++) await a.transactions();
      expect(await refusal(a.transactions())).toEqual({ code: '429', message: 'MM_ERR_QUOTA_REQUESTS: party rate-a made more than 5 requests in a second; retry after a second' });
      expect((await b.transactions()).transactions).toEqual([]);
      for (let i = 0; i < 10; i++) expect((await fetch(`${busy.base}/markets`, { headers: { authorization: `Bearer ${busy.operatorToken}` } })).status).toBe(200);
      wall.now += 1000;
      expect((await a.transactions()).transactions).toEqual([]);
    } finally {
      await busy.close();
    }
  });
});
