import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { pipeline, wrap } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * Push delivery to a real HTTP VEN endpoint: the VEN registers with oadrHttpPullModel false and its
 * address; at gate closure its event is POSTed to {address}/OpenADR2/Simple/2.0b/EiEvent, and the
 * oadrCreatedEvent it answers with is recorded. An operator's re-registration request follows the
 * same way to EiRegisterParty. While the VEN is down the distribute stays pending and is retried a
 * poll period later.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
let ts: TestService;
let ven: Server;
let up = true;
const received: Array<{ path: string; message: OadrMessage }> = [];

beforeAll(async () => {
  ven = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (!up) return res.writeHead(503).end();
      const read = pipeline.read(Buffer.from(body));
      if (read.name !== 'oadrPayload') return res.writeHead(400).end();
      const { message } = read.body;
      received.push({ path: req.url!, message });
      const answer: OadrMessage = message.kind === 'oadrDistributeEvent'
        ? { kind: 'oadrCreatedEvent', value: { eiResponse: { responseCode: '200', requestID: '' }, venID: 'ven-push', eventResponses: message.value.events.map((e) => ({
          responseCode: '200', requestID: message.value.requestID, optType: 'optIn' as const,
          qualifiedEventID: { eventID: e.event.descriptor.eventID, modificationNumber: e.event.descriptor.modificationNumber } })) } }
        : { kind: 'oadrResponse', value: { eiResponse: { responseCode: '200', requestID: '' }, venID: 'ven-push' } };
      res.writeHead(200, { 'content-type': 'application/xml' }).end(wrap(answer));
    });
  });
  await new Promise<void>((r) => ven.listen(0, '127.0.0.1', r));
  const address = `http://127.0.0.1:${(ven.address() as AddressInfo).port}`;

  ts = await testService(at(12, 0));
  const token = await ts.service.context.tokens.issue('ven-push', ['register', 'enroll', 'tender'], Date.now(), 3600);
  const registered = await fetch(`${ts.base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
    body: wrap({ kind: 'oadrCreatePartyRegistration', value: { requestID: 'r', profileName: '2.0b', transportName: 'simpleHttp', transportAddress: address,
      reportOnly: false, xmlSignature: false, venName: 'push', httpPullModel: false } }) });
  expect(await registered.text()).toContain('<ei:venID>ven-push</ei:venID>');
  const client = new MicromarketClient({ baseUrl: ts.base, partyID: 'ven-push', token });
  const seller = await ts.party('seller');
  for (const c of [client, seller]) await ts.enrollApproved(c, FEEDER);
  const product = (side: 'buy' | 'sell', dtstart: number): Product => ({ dtstart, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.3 }, quantity: 1 } },
    uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });
  for (const dtstart of [at(12, 30), at(12, 40)]) {
    await seller.tender([{ tenderID: `s${dtstart}`, product: product('sell', dtstart) }]);
    await client.tender([{ tenderID: `b${dtstart}`, product: product('buy', dtstart) }]);
  }
});
afterAll(async () => {
  await ts.close();
  await new Promise((r) => ven.close(r));
});

describe('a push VEN', () => {
  it('is the only VEN the pusher looks at', async () => {
    expect((await ts.service.context.store.list('push-vens')).map(([venID]) => venID)).toEqual(['ven-push']);
  });

  it('is sent its event at gate closure and its opt-in answer is recorded', async () => {
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();
    expect(received.map((r) => [r.path, r.message.kind])).toEqual([['/OpenADR2/Simple/2.0b/EiEvent', 'oadrDistributeEvent']]);
    const [event] = await ts.service.context.store.list('events', 'ven-push/');
    expect(event![1]).toMatchObject({ response: { optType: 'optIn', modificationNumber: 0 } });
    await ts.service.scheduler.tick();
    expect(received).toHaveLength(1);
  });

  it('gets a distribute again while it was unreachable, once it is back', async () => {
    up = false;
    ts.clock.now = at(12, 39);
    await ts.service.scheduler.tick();
    expect(received).toHaveLength(1);
    up = true;
    // Tried again a poll period (10 s) after the failure, not on every tick.
    await ts.service.scheduler.tick();
    expect(received).toHaveLength(1);
    ts.clock.now += 10_000;
    await ts.service.scheduler.tick();
    expect(received.map((r) => r.message.kind)).toEqual(['oadrDistributeEvent', 'oadrDistributeEvent']);
  });

  it('is sent the operator\'s re-registration request at its EiRegisterParty endpoint', async () => {
    expect((await fetch(`${ts.base}/vens/ven-push/reregistration`, { method: 'POST', headers: { authorization: `Bearer ${ts.operatorToken}` } })).status).toBe(202);
    await ts.service.scheduler.tick();
    expect(received.at(-1)).toEqual({ path: '/OpenADR2/Simple/2.0b/EiRegisterParty', message: { kind: 'oadrRequestReregistration', value: { venID: 'ven-push' } } });
    await ts.service.scheduler.tick();
    expect(received).toHaveLength(3);
  });
});
