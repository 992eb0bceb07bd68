import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationToMillis } from '../../src/calendar/duration.js';
import { MicromarketClient } from '../../src/client/index.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, responseCode as code } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * A real VEN's side of an exchange (OpenLEADR 0.5, pull mode: test/fixtures/openadr/transcript),
 * replayed byte for byte against micromarket. Only the IDs a VTN assigns are swapped for the ones
 * micromarket assigned in its earlier replies: the venID, the report request ID and the eventID.
 * Each reply must pass the schemas and carry what the VEN's next message relies on.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const VEN = 'interop-ven';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
const dir = new URL('../fixtures/openadr/transcript/', import.meta.url);
const sent = Object.fromEntries(readdirSync(dir).filter((f) => f.includes('-ven-')).map((f) => [f.slice(0, 2), readFileSync(new URL(f, dir), 'utf8')]));
const SERVICE: Record<string, string> = { '01': 'EiRegisterParty', '03': 'EiRegisterParty', '05': 'EiReport', '07': 'EiReport', '09': 'EiEvent', '11': 'EiEvent',
  '13': 'OadrPoll', '15': 'EiEvent', '17': 'OadrPoll', '19': 'EiReport', '31': 'EiReport' };
/** The transcript's VTN-assigned IDs → ours, filled in as micromarket answers. */
const assigned = new Map<string, string>([['VEN_ID_0001', VEN]]);
let ts: TestService;
let token: string;

async function replay(step: string): Promise<OadrMessage> {
  let body = sent[step]!;
  for (const [theirs, ours] of assigned) body = body.replaceAll(theirs, ours);
  return postOadr(ts.base, SERVICE[step]!, body, token);
}

beforeAll(async () => {
  ts = await testService(at(12, 0));
  token = await ts.service.context.tokens.issue(VEN, ['register', 'enroll', 'tender', 'report'], Date.now(), 3600);
});
afterAll(() => ts.close());

describe('the transcript of a real VEN, replayed', () => {
  it('01 query, 03 create registration: the VEN gets its venID, a registrationID and a poll frequency', async () => {
    const query = await replay('01');
    expect(query).toMatchObject({ kind: 'oadrCreatedPartyRegistration', value: { eiResponse: { responseCode: '200' }, vtnID: 'MICROMARKET_VTN' } });
    expect(query.kind === 'oadrCreatedPartyRegistration' && query.value.registrationID).toBeFalsy();
    const created = await replay('03');
    if (created.kind !== 'oadrCreatedPartyRegistration') throw new Error(created.kind);
    expect(created.value).toMatchObject({ eiResponse: { responseCode: '200' }, venID: VEN, registrationID: expect.any(String) });
    expect(durationToMillis(created.value.pollFrequency!)).toBe(10_000);
  });

  it('05 register report: asked for its telemetry within its sampling range; 07 confirms the request', async () => {
    const registered = await replay('05');
    if (registered.kind !== 'oadrRegisteredReport') throw new Error(registered.kind);
    expect(registered.value.eiResponse.responseCode).toBe('200');
    expect(registered.value.requests).toHaveLength(1);
    const [request] = registered.value.requests;
    // The VEN samples every 10 s at most and at least (oadrMinPeriod = oadrMaxPeriod = PT10S).
    expect(durationToMillis(request!.specifier.granularity)).toBe(10_000);
    expect(request!.specifier).toMatchObject({ reportSpecifierID: '916e2175-e6dc-47ed-9e15-69dbe8dcd744',
      payloads: [{ rID: 'f2c410a5-6c68-487b-9d91-fd44d1205a8c', readingType: 'x-notApplicable' }] });
    expect(request!.reportRequestID).not.toMatch(/^0?$/);
    assigned.set('f69fc3ee-3110-4f12-8c41-380e4cf91107', request!.reportRequestID);
    expect(code(await replay('07'))).toBe('200');
    expect(await ts.service.context.store.get('report-requests', `${VEN}/${request!.reportRequestID}`)).toMatchObject({ status: 'pending' });
  });

  it('09 request event after a clearing: the VEN gets its event; 11 opts in; 13 polls find nothing new', async () => {
    // The VEN buys 2 kW for 12:30 from another party, through the EI services; the gate closes at 12:29.
    const client = new MicromarketClient({ baseUrl: ts.base, partyID: VEN, token });
    const seller = await ts.party('seller');
    for (const c of [client, seller]) await ts.enrollApproved(c, FEEDER);
    const product = (side: 'buy' | 'sell') => ({ dtstart: at(12, 30), payload: { kind: 'temixPower' as const, value: { price: { kind: 'price' as const, value: 0.2 }, quantity: 2 } },
      uid: 'p', transactiveState: 'tender' as const, marketContext: FEEDER, side });
    await seller.tender([{ tenderID: 's', product: product('sell') }]);
    await client.tender([{ tenderID: 'b', product: product('buy') }]);
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();

    const distribute = await replay('09');
    if (distribute.kind !== 'oadrDistributeEvent') throw new Error(distribute.kind);
    expect(distribute.value.events).toHaveLength(1);
    const { descriptor } = distribute.value.events[0]!.event;
    expect(descriptor.modificationNumber).toBe(0);
    assigned.set('af05999e-b0fb-4a11-91da-02c211ec1f7b', descriptor.eventID);
    expect(await replay('11')).toMatchObject({ kind: 'oadrResponse', value: { eiResponse: { responseCode: '200' }, venID: VEN } });
    // The poll brings micromarket's own METADATA report, which OpenLEADR's VEN answers with an empty
    // oadrRegisteredReport (not in the transcript, whose VTN offers none).
    const offered = await replay('13');
    expect(offered).toMatchObject({ kind: 'oadrRegisterReport', value: { venID: VEN, reports: [{ reportSpecifierID: 'micromarket-prices' }] } });
    expect(code(await postOadr(ts.base, 'EiReport', { kind: 'oadrRegisteredReport', value: { eiResponse: { responseCode: '200', requestID: '' },
      requests: [], venID: VEN } }, token))).toBe('200');
    expect(code(await replay('15'))).toBe('200');
    expect((await replay('17')).kind).toBe('oadrResponse');
  });

  it('19 and 31 update report: telemetry stored under the VEN and its rID', async () => {
    for (const step of ['19', '31']) expect(await replay(step)).toMatchObject({ kind: 'oadrUpdatedReport', value: { eiResponse: { responseCode: '200' } } });
    const res = await fetch(`${ts.base}/telemetry/${VEN}`, { headers: { authorization: `Bearer ${token}` } });
    const { points } = await res.json() as { points: Array<{ rID: string; value: number; reportType: string }> };
    expect(points.length).toBeGreaterThanOrEqual(1);
    expect(points.every((p) => p.rID === 'f2c410a5-6c68-487b-9d91-fd44d1205a8c' && p.value === 230 && p.reportType === 'reading')).toBe(true);
  });
});
