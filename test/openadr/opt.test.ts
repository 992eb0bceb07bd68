import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/calendar/duration.js';
import { isMicromarketClientError, MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { targetOf, type OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode as code } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * EiOpt over real HTTP: a VEN registered through OpenADR opts out of an hour, and the feeder market,
 * which it trades in through the EI services, refuses its tenders for that hour until it cancels the opt.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const hour13 = Date.UTC(2026, 10, 23, 13);
const hour14 = Date.UTC(2026, 10, 23, 14);
let ts: TestService;
let token: string;
let ven: MicromarketClient;

const post = (service: string, message: OadrMessage) => postOadr(ts.base, service, message, token);
const noTarget = targetOf({});
const optOut = (optID: string, start: number, marketContext = FEEDER): OadrMessage => ({ kind: 'oadrCreateOpt', value: {
  optID, optType: 'optOut', optReason: 'notParticipating', marketContext, venID: 'ven-opt',
  availability: { available: [{ properties: { dtstart: start, duration: parseDuration('PT1H') } }] },
  createdDateTime: ts.clock.now, requestID: `r-${optID}`, target: noTarget } });
const product = (tenderAt: number): Product => ({ dtstart: tenderAt, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.1 }, quantity: 1 } },
  uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side: 'buy' });
async function refusedReason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isMicromarketClientError(error)) return error.message;
    throw error;
  }
  return 'accepted';
}

beforeAll(async () => {
  ts = await testService();
  ({ client: ven, token } = await ts.ven('ven-opt', ['register', 'enroll', 'tender']));
  await ts.enrollApproved(ven, FEEDER);
});
afterAll(() => ts.close());

describe('a VEN opts out of an hour', () => {
  it('the market refuses its tenders for that hour, not for the next, until it cancels the opt', async () => {
    expect(await post('EiOpt', optOut('opt-1', hour13))).toEqual({ kind: 'oadrCreatedOpt',
      value: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: 'r-opt-1' }, optID: 'opt-1' } });
    expect(await refusedReason(ven.tender([{ tenderID: 'at-13', product: product(hour13) }]))).toContain('party-unavailable');
    expect((await ven.tender([{ tenderID: 'at-14', product: product(hour14) }])).tenderIDs).toEqual(['at-14']);

    expect(await post('EiOpt', { kind: 'oadrCancelOpt', value: { requestID: 'c-1', optID: 'opt-1', venID: 'ven-opt' } })).toEqual({
      kind: 'oadrCanceledOpt', value: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: 'c-1' }, optID: 'opt-1' } });
    expect((await ven.tender([{ tenderID: 'at-13b', product: product(hour13) }])).tenderIDs).toEqual(['at-13b']);
  });

  it('refuses a duplicate optID (452), an unknown cancel (452), an unknown market (454) and another VEN (403)', async () => {
    expect(code(await post('EiOpt', optOut('opt-2', hour14)))).toBe('200');
    expect(code(await post('EiOpt', optOut('opt-2', hour14)))).toBe('452');
    expect(code(await post('EiOpt', { kind: 'oadrCancelOpt', value: { requestID: 'c-2', optID: 'opt-9', venID: 'ven-opt' } }))).toBe('452');
    expect(code(await post('EiOpt', optOut('opt-3', hour14, 'urn:micromarket:nowhere')))).toBe('454');
    const other = optOut('opt-4', hour14);
    expect(code(await post('EiOpt', { ...other, value: { ...other.value, venID: 'someone-else' } } as OadrMessage))).toBe('403');
  });

  it('refuses an opt about an event that is not one of its own (452), storing nothing', async () => {
    const aboutEvent = optOut('opt-6', hour14);
    const message = { ...aboutEvent, value: { ...aboutEvent.value, qualifiedEventID: { eventID: 'feeder-7.202611231400.000000000000', modificationNumber: 0 } } } as OadrMessage;
    expect(code(await post('EiOpt', message))).toBe('452');
    expect(await ts.service.context.store.get('opts', 'ven-opt/opt-6')).toBeUndefined();
  });

  it('an opt-in constrains nothing', async () => {
    const optIn = optOut('opt-5', hour13);
    expect(code(await post('EiOpt', { ...optIn, value: { ...optIn.value, optType: 'optIn' } } as OadrMessage))).toBe('200');
    expect((await ven.tender([{ tenderID: 'in-13', product: product(hour13) }])).tenderIDs).toEqual(['in-13']);
  });
});
