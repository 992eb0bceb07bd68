import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recurrence } from '../../src/calendar/availability.js';
import { parseDuration, type Duration } from '../../src/calendar/duration.js';
import { isMicromarketClientError, MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { targetOf, type OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * Hostile calendar values. Durations with no fixed length (P1M, P1Y) or beyond any length (P99999999D) where a message gives
 * an interval's length or a period: refused where they are read, with the line and the reason; never
 * a 5xx, and never stored, so the party's next tender is judged as before (issue 21, item 6).
 */
const FEEDER = 'urn:micromarket:feeder-7';
const t13 = Date.UTC(2026, 10, 23, 13);
const month: Duration = { ...parseDuration('PT0S'), months: 1 };
const year: Duration = { ...parseDuration('PT0S'), years: 1 };
const ages = parseDuration('P99999999D');
let ts: TestService;
let party: MicromarketClient;
let token: string;
let accepted = 0;

const product = (extra: Partial<Product> = {}): Product => ({ dtstart: t13, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.01 }, quantity: 1 } },
  uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side: 'buy', ...extra });

async function refusal(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMicromarketClientError(error)) return { status: Number(error.responseCode), message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

beforeAll(async () => {
  ts = await testService();
  ({ client: party, token } = await ts.ven('ven-dur', ['register', 'enroll', 'tender', 'avail']));
  await ts.enrollApproved(party, FEEDER);
});
afterAll(() => ts.close());

describe('durations with no fixed length are refused at the edge', () => {
  it.each([
    ['a tender product\'s duration of P1M', product({ duration: month }), 'P1M has no fixed length'],
    ['a tender product\'s duration of P1Y', product({ duration: year }), 'P1Y has no fixed length'],
    ['a tender product\'s duration of P99999999D', product({ duration: ages }), 'P99999999D is longer than the limit of ten years'],
    ['a stream interval of P1M', product({ intervals: [{ duration: month, payloads: [] }] } as Partial<Product>), 'P1M has no fixed length'],
  ])('%s: 400 with the line and the reason', async (_what, p, reason) => {
    const refused = await refusal(party.tender([{ tenderID: 'bad', product: p }]));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(new RegExp(`line \\d+: .*${reason}`));
    expect((await party.tender([{ tenderID: `ok-${++accepted}`, product: product() }])).tenderIDs).toHaveLength(1);
  });

  it('an availability period of P1M is refused, not stored: every later tender is judged as before', async () => {
    const refused = await refusal(party.declareAvailability([{ availID: 'month', availability: { available: [{ properties: { dtstart: t13, duration: month } }] } }]));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain('P1M has no fixed length');
    expect((await party.availability()).avails).toEqual([]);
    expect((await party.tender([{ tenderID: 'after-avail', product: product() }])).tenderIDs).toEqual(['after-avail']);
  });

  it('an OpenADR opt period of P1Y is refused (400 in the oadrResponse), not stored', async () => {
    const opt: OadrMessage = { kind: 'oadrCreateOpt', value: { optID: 'year', optType: 'optOut', optReason: 'notParticipating', marketContext: FEEDER,
      venID: 'ven-dur', availability: { available: [{ properties: { dtstart: t13, duration: year } }] }, createdDateTime: ts.clock.now,
      requestID: 'r-year', target: targetOf({}) } };
    const answer = await postOadr(ts.base, 'EiOpt', opt, token);
    expect(responseCode(answer)).toBe('400');
    expect(JSON.stringify(answer)).toContain('P1Y has no fixed length');
    expect(await ts.service.context.store.list('opts')).toEqual([]);
    expect((await party.tender([{ tenderID: 'after-opt', product: product() }])).tenderIDs).toEqual(['after-opt']);
  });
});

describe('recurrence rules a party declares cannot make the service search forever', () => {
  const rule = (extra: Partial<Recurrence>): Recurrence => ({ freq: 'DAILY', bysecond: [], byminute: [], byhour: [], byday: [], bymonthday: [],
    byyearday: [], byweekno: [], bymonth: [], bysetpos: [], ...extra });
  const window = (rrule: Recurrence) => ({ availability: { available: [{ properties: { dtstart: Date.UTC(2020, 0, 1, 6), duration: parseDuration('PT3H'), rrule } }] } });

  it.each([
    ['a day that never comes (DAILY;BYMONTH=2;BYMONTHDAY=30)', rule({ bymonth: [2], bymonthday: [30] })],
    ['a fifth Friday of February every day (DAILY;BYMONTH=2;BYDAY=5FR)', rule({ bymonth: [2], byday: ['5FR'] })],
    ['an hourly rule (HOURLY;BYHOUR=6)', rule({ freq: 'HOURLY', byhour: [6] })],
  ])('%s is refused (454) with the rules a declared window follows, and the party trades on', async (_what, rrule) => {
    const refused = await refusal(party.declareAvailability([{ availID: 'never', ...window(rrule) }]));
    expect(refused.status).toBe(454);
    expect(refused.message).toContain('availability never: a declared window recurs DAILY or WEEKLY, on plain weekdays');
    expect((await party.tender([{ tenderID: `after-rule-${++accepted}`, product: product() }])).tenderIDs).toHaveLength(1);
  });

  it('refuses a part outside its RFC 5545 range in the schema (400, with the line): BYMONTHDAY=0, BYMONTH=13, INTERVAL=10^9', async () => {
    for (const rrule of [rule({ bymonthday: [0] }), rule({ bymonth: [13] }), rule({ interval: 1e9 })]) {
      const refused = await refusal(party.declareAvailability([{ availID: 'range', ...window(rrule) }]));
      expect(refused.status).toBe(400);
      expect(refused.message).toMatch(/line \d+: not valid: Element 'xcal:(bymonthday|bymonth|interval)'/);
    }
  });

  it('takes a weekday pattern, and judges tenders by it', async () => {
    const weekdays = rule({ freq: 'WEEKLY', byday: ['MO', 'TU', 'WE', 'TH', 'FR'] });
    expect((await party.declareAvailability([{ availID: 'mornings', ...window(weekdays) }])).availIDs).toEqual(['mornings']);
    // 23 November 2026 is a Monday: 13:00Z is outside 06:00-09:00Z.
    expect((await refusal(party.tender([{ tenderID: 'noon', product: product() }]))).message).toContain('party-unavailable');
    await party.cancelAvailability('mornings');
  });
});

