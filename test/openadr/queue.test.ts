import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postOadr, vendorRegistration, wrap } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * VTN-initiated messages by poll: the operator asks a VEN to register again, then to cancel its
 * registration; each reaches the VEN's next poll, once, and the cancellation takes effect when
 * the VEN acknowledges it.
 */
const VEN = 'ven-q';
const registration = vendorRegistration;
let ts: TestService;
let token = '';

const post = (service: string, body: string) => postOadr(ts.base, service, body, token);
const poll = () => post('OadrPoll', wrap({ kind: 'oadrPoll', value: { venID: VEN } }));
const operator = (path: string, as = ts.operatorToken) => fetch(`${ts.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${as}` } });

beforeAll(async () => {
  ts = await testService();
  token = await ts.service.context.tokens.issue(VEN, ['register'], Date.now(), 3600);
  await post('EiRegisterParty', registration);
});
afterAll(() => ts.close());

describe('messages the operator queues for a VEN', () => {
  it('re-registration reaches the next poll once', async () => {
    expect((await operator(`/vens/${VEN}/reregistration`)).status).toBe(202);
    expect(await poll()).toEqual({ kind: 'oadrRequestReregistration', value: { venID: VEN } });
    expect((await poll()).kind).toBe('oadrResponse');
    expect(await post('EiRegisterParty', wrap({ kind: 'oadrResponse', value: { eiResponse: { responseCode: '200', requestID: '' }, venID: VEN } })))
      .toMatchObject({ kind: 'oadrResponse', value: { eiResponse: { responseCode: '200' } } });
    expect((await post('EiRegisterParty', registration)).kind).toBe('oadrCreatedPartyRegistration');
  });

  it('cancellation ends the registration when the VEN acknowledges it', async () => {
    expect((await operator(`/vens/${VEN}/cancellation`, await ts.service.context.tokens.issue(VEN, ['register'], Date.now(), 60))).status).toBe(403);
    expect((await operator('/vens/nobody/cancellation')).status).toBe(400);
    expect((await operator(`/vens/${VEN}/cancellation`)).status).toBe(202);
    const cancel = await poll();
    if (cancel.kind !== 'oadrCancelPartyRegistration') throw new Error(cancel.kind);
    expect(cancel.value.venID).toBe(VEN);
    // Still registered until the VEN answers.
    expect((await poll()).kind).toBe('oadrResponse');
    await post('EiRegisterParty', wrap({ kind: 'oadrCanceledPartyRegistration', value: {
      eiResponse: { responseCode: '200', requestID: cancel.value.requestID }, registrationID: cancel.value.registrationID, venID: VEN } }));
    expect(await poll()).toMatchObject({ kind: 'oadrResponse', value: { eiResponse: { responseCode: '463' } } });
  });
});
