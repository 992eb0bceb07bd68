import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import type { OadrAnswer } from '../../src/openadr/handlers.js';
import { polling } from '../../src/openadr/poll.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { postOadr, vendorRegistration } from '../support/openadr.js';
import { testService, type TestService } from '../support/service.js';

/**
 * A poll that answers while a gate closure flags new events for the same VEN (on Redis: the poll on
 * one instance, the gate job on another). The poll read the old flag and is about to clear it; the
 * closure's flag, set in between for events the poll's answer does not carry, must survive, or the
 * VEN would not hear of them until something else changed. The interleaving is made exact by
 * running the poll's handler, committing the gate closure, then committing the poll's writes.
 * Feeder market: 5-minute intervals, gates one minute before; ven-a buys from ven-b at 12:30 and 12:35.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
let ts: TestService;
const tokens: Record<string, string> = {};
const product = (side: 'buy' | 'sell', dtstart: number): Product => ({ dtstart,
  payload: { kind: 'temixPower', value: { price: { kind: 'price', value: 0.2 }, quantity: 2 } }, uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });
const poll = (venID: string) => postOadr(ts.base, 'OadrPoll', { kind: 'oadrPoll', value: { venID } }, tokens[venID]!);
/** ven-a's poll handled (read, answer composed) but not yet committed. */
const pollHandled = () => ts.service.context.host.withWork((work) => polling.oadrPoll!({ venID: 'ven-a' },
  { principal: { partyID: 'ven-a', scopes: new Set(['register']) }, now: ts.clock.now, ...ts.service.context, work }));
const eventIDs = (message: OadrMessage) => (message.kind === 'oadrDistributeEvent' ? message.value.events.map((e) => e.event.activePeriod.properties.dtstart) : []);

beforeAll(async () => {
  ts = await testService(at(12, 0));
  const clients: Record<string, MicromarketClient> = {};
  for (const venID of ['ven-a', 'ven-b']) {
    tokens[venID] = await ts.service.context.tokens.issue(venID, ['register', 'enroll', 'tender'], Date.now(), 3600);
    await fetch(`${ts.base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', body: vendorRegistration,
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokens[venID]}` } });
    clients[venID] = new MicromarketClient({ baseUrl: ts.base, partyID: venID, token: tokens[venID]! });
    await ts.enrollApproved(clients[venID]!, FEEDER);
  }
  for (const [i, dtstart] of [at(12, 30), at(12, 35)].entries()) {
    await clients['ven-b']!.tender([{ tenderID: `s${i}`, product: product('sell', dtstart) }]);
    await clients['ven-a']!.tender([{ tenderID: `b${i}`, product: product('buy', dtstart) }]);
  }
});
afterAll(() => ts.close());

describe('a poll racing a gate closure', () => {
  it('clears only the flag it read: events flagged meanwhile reach the next poll', async () => {
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();
    // Two polls deliver the 12:30 event unanswered; the third will be the last time (MAX_DELIVERIES) and clears the flag.
    expect(eventIDs(await poll('ven-a'))).toEqual([at(12, 30)]);
    expect(eventIDs(await poll('ven-a'))).toEqual([at(12, 30)]);
    ts.clock.now = at(12, 33);
    const third: OadrAnswer = await pollHandled();
    expect(eventIDs(third.reply)).toEqual([at(12, 30)]);
    // The 12:35 gate closes before the poll's writes commit: a new event, a new flag.
    ts.clock.now = at(12, 34);
    await ts.service.scheduler.tick();
    await ts.service.context.store.commit(third.writes ?? []);
    expect(await ts.service.context.store.get('pending-distributes', 'ven-a')).toEqual({ since: at(12, 34), deliveries: 0 });
    expect(eventIDs(await poll('ven-a'))).toEqual([at(12, 30), at(12, 35)]);
  });
});
