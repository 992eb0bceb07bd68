import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/auth/tokens.js';
import { MicromarketClient } from '../../src/client/index.js';
import type { OadrMessage } from '../../src/xml/payloads/oadr.js';
import { collections } from '../../src/host/records.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { priced as product } from '../support/enrollment.js';
import { startCluster, type Cluster } from '../support/instances.js';
import { postOadr } from '../support/openadr.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../support/redis.js';
import { eiCollections } from '../../src/ei/records.js';

const FEEDER = 'urn:micromarket:feeder-7';
const HOME = 'urn:micromarket:home';
const at = (h: number, m: number, s = 0) => Date.UTC(2026, 10, 23, h, m, s);
const OADR = 'http://openadr.org/oadr-2.0b/2012/07';
const EI = 'http://docs.oasis-open.org/ns/energyinterop/201110';
const PYLD = 'http://docs.oasis-open.org/ns/energyinterop/201110/payloads';

let redis: TestRedis;


/** Registers a pull VEN through an instance (OpenADR), enrolled and approved in a market; returns its token. */
async function ven(cluster: Cluster, via: number, venID: string, dataDirTokens: TokenService, marketContext: string): Promise<string> {
  const token = await dataDirTokens.issue(venID, ['register', 'enroll'], Date.now(), 3600);
  const registered = await postOadr(cluster.instances[via]!.base, 'EiRegisterParty', `<o:oadrPayload xmlns:o="${OADR}"><o:oadrSignedObject>`
    + `<o:oadrCreatePartyRegistration xmlns:e="${EI}" xmlns:p="${PYLD}" e:schemaVersion="2.0b"><p:requestID>reg-1</p:requestID>`
    + '<o:oadrProfileName>2.0b</o:oadrProfileName><o:oadrTransportName>simpleHttp</o:oadrTransportName>'
    + '<o:oadrReportOnly>false</o:oadrReportOnly><o:oadrXmlSignature>false</o:oadrXmlSignature></o:oadrCreatePartyRegistration></o:oadrSignedObject></o:oadrPayload>', token);
  expect(registered.kind).toBe('oadrCreatedPartyRegistration');
  await cluster.enrollApproved(via, new MicromarketClient({ baseUrl: cluster.instances[via]!.base, partyID: venID, token }), marketContext);
  return token;
}

/** Waits until some instance's log has a line matching `pattern`; returns that instance's index. */
async function loggedBy(cluster: Cluster, pattern: RegExp, timeoutMs = 15_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const i = cluster.instances.findIndex((instance) => instance.logs.some((line) => pattern.test(line)));
    if (i >= 0) return i;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no instance logged ${pattern}`);
}

describe.skipIf(redisUnavailable)('several service instances on one Redis', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(() => redis?.close());

  it('serves the same markets through every instance: a tender through one, its transaction through another, events polled anywhere', async () => {
    // The 12:10 feeder interval's gate closes at 12:09: the test moves the clock there once it has traded.
    const cluster = await startCluster(redis, 2, { clockStart: at(12, 8, 48) });
    try {
      const tokens = await TokenService.forDataDir(cluster.dataDir);
      const alice = await cluster.party(0, 'alice');
      const bob = await cluster.party(1, 'bob');
      await cluster.enrollApproved(0, alice, FEEDER);
      await cluster.enrollApproved(1, bob, FEEDER);
      const venToken = await ven(cluster, 1, 'ven-1', tokens, FEEDER);

      expect((await alice.tender([{ tenderID: 'a1', product: product(FEEDER, 'buy', 0.3, 5, at(12, 10)) }])).transactions).toEqual([]);
      const sold = await bob.tender([{ tenderID: 'b1', product: product(FEEDER, 'sell', 0.2, 3, at(12, 10)) }]);
      expect(sold.transactions).toHaveLength(1);
      expect(sold.transactions[0]!.product.payload?.value).toMatchObject({ quantity: 3, price: { value: 0.3 } });
      // Alice, asking the other instance, sees the trade and what is left of her bid.
      const aliceViaB = cluster.clientOf(alice, 1);
      expect((await aliceViaB.transactions({ marketContexts: [FEEDER] })).transactions.map((t) => t.transactionID))
        .toEqual(sold.transactions.map((t) => t.transactionID));
      const open = await aliceViaB.tenders();
      expect(open.tenders.map((t) => [t.tenderID, t.product.intervals?.[0]?.payloads[0]?.value.quantity])).toEqual([['a1', 2]]);

      // Once the gate closes, one instance's gate job issues the events; the VEN polls the other and gets its event.
      await cluster.setTime(at(12, 9));
      const issuer = await loggedBy(cluster, /"market":"feeder-7".*gate follow-ups committed/);
      const other = 1 - issuer;
      const polled: OadrMessage = await postOadr(cluster.instances[other]!.base, 'OadrPoll', { kind: 'oadrPoll', value: { venID: 'ven-1' } }, venToken);
      if (polled.kind !== 'oadrDistributeEvent') throw new Error(`expected a distribute, got ${polled.kind}`);
      expect(polled.value.events).toHaveLength(1);
      expect(polled.value.events[0]!.event.activePeriod.properties.dtstart).toBe(at(12, 10));
      const price = polled.value.events[0]!.event.signals.signals.find((s) => s.signalName === 'ELECTRICITY_PRICE')!;
      expect(price.intervals[0]!.values).toEqual([0.3]);
    } finally {
      await cluster.close();
    }
  });

  it('loses no acknowledged tender, duplicates no transaction and clears no gate twice when an instance is SIGKILLed under load', async () => {
    // The home market's 12:15 auction closes at 12:14: the clock moves there as instance 0 is killed, so the gate
    // job runs around the kill.
    const cluster = await startCluster(redis, 2, { clockStart: at(12, 13, 50) });
    try {
      const parties = await Promise.all(Array.from({ length: 8 }, (_, i) => cluster.party(i % 2, `p${i}`)));
      for (const [i, p] of parties.entries()) {
        await cluster.enrollApproved(i % 2, p, FEEDER);
        await cluster.enrollApproved(i % 2, p, HOME);
      }
      await parties[0]!.tender([{ tenderID: 'h-sell', product: product(HOME, 'sell', 0.05, 10, at(12, 15)) }]);
      await parties[1]!.tender([{ tenderID: 'h-buy', product: product(HOME, 'buy', 0.3, 6, at(12, 15)) }]);

      // 600 one-unit tenders, bids and asks that cross, over 16 connections to both instances; instance 0 dies after 150 answers.
      type Sent = { party: number; tenderID: string; requestID: string; acknowledged: boolean };
      const sent: Sent[] = Array.from({ length: 600 }, (_, i) => ({ party: i % 8, tenderID: `f-${i}`, requestID: `req-${i}`, acknowledged: false }));
      let next = 0;
      let answered = 0;
      let killed: Promise<void> | undefined;
      const send = (s: Sent, via: number) => cluster.clientOf(parties[s.party]!, via).tender([{ tenderID: s.tenderID,
        product: product(FEEDER, s.party % 2 === 0 ? 'buy' : 'sell', s.party % 2 === 0 ? 0.4 : 0.1, 1, at(12, 30 + 5 * (Number(s.tenderID.slice(2)) % 6))) }], s.requestID);
      await Promise.all(Array.from({ length: 16 }, async (_, connection) => {
        while (next < sent.length) {
          const s = sent[next++]!;
          const via = killed ? 1 : connection % 2;
          try {
            await send(s, via);
            s.acknowledged = true;
          } catch {
            // Not acknowledged (the instance died with it in flight, or answered 503): the client retries it below.
          }
          if (++answered === 150) killed = Promise.all([cluster.kill(0), cluster.setTime(at(12, 14))]).then(() => undefined);
        }
      }));
      await killed;
      const lost = sent.filter((s) => !s.acknowledged);
      expect(sent.filter((s) => s.acknowledged).length).toBeGreaterThan(400);

      // The instance comes back; the client retries what had no answer, with the same requestIDs, through it.
      await cluster.start(0);
      for (const s of lost) await send(s, 0);

      // Every tender is in the market exactly once: per tender, what traded plus what is open is its one unit.
      const transactionIDs: string[] = [];
      const units = new Map<string, number>();
      for (const [i, p] of parties.entries()) {
        const viaOther = cluster.clientOf(p, (i + 1) % 2);
        for (const t of (await viaOther.transactions({ marketContexts: [FEEDER] })).transactions) {
          transactionIDs.push(`${p.partyID}/${t.transactionID}`);
          units.set(t.tenderID!, (units.get(t.tenderID!) ?? 0) + t.product.payload!.value.quantity!);
        }
        for (const t of (await viaOther.tenders()).tenders) {
          if (t.product.marketContext !== FEEDER) continue;
          for (const interval of t.product.intervals ?? []) units.set(t.tenderID, (units.get(t.tenderID) ?? 0) + interval.payloads[0]!.value.quantity!);
        }
      }
      expect(new Set(transactionIDs).size).toBe(transactionIDs.length);
      expect(units.size).toBe(600);
      expect([...units.values()].every((u) => Math.abs(u - 1) < 1e-9)).toBe(true);

      // The auction whose gate closed around the kill cleared once: each side has one transaction for it,
      // still one after further gate jobs have run.
      const homeOf = async (i: number) => (await parties[i]!.transactions({ marketContexts: [HOME] })).transactions.map((t) => t.tenderID);
      for (let i = 0; i < 150 && (await homeOf(1)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1000));
      expect(await homeOf(0)).toEqual(['h-sell']);
      expect(await homeOf(1)).toEqual(['h-buy']);
      // And the feeder market's log has no gap: entry n needed entry n-1.
      const store = await RedisStore.open({ url: redis.url, namespace: cluster.namespace });
      const keys = (await collections.commands.list(store, ['feeder-7'])).map(([k]) => Number(collections.commands.parts(k)[1]));
      expect(keys).toEqual(keys.map((_, i) => i + 1));
      await store.close();
    } finally {
      await cluster.close();
    }
  });

  it('runs a gate job again once its worker died mid-job (stalled), and its effect happens once', async () => {
    const cluster = await startCluster(redis, 2, { clockStart: at(12, 13, 50), jobLockMs: 2000 });
    const received: Array<{ instance: string; requestID: string }> = [];
    let held: ServerResponse | undefined;
    // The subscriber takes the first quote and never answers it; the test kills the instance that sent it, mid-job.
    const subscriber = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ instance: String(req.headers['x-micromarket-instance']), requestID: /requestID>([^<]+)</.exec(body)?.[1] ?? '' });
        if (received.length === 1) held = res;
        else res.end();
      });
    });
    await new Promise<void>((r) => subscriber.listen(0, '127.0.0.1', r));
    try {
      const pv = await cluster.party(0, 'pv', undefined, `http://127.0.0.1:${(subscriber.address() as AddressInfo).port}/quotes`);
      const hp = await cluster.party(1, 'hp');
      await cluster.enrollApproved(0, pv, HOME);
      await cluster.enrollApproved(1, hp, HOME);
      await pv.tender([{ tenderID: 'pv1', product: product(HOME, 'sell', 0.05, 3, at(12, 15)) }]);
      await hp.tender([{ tenderID: 'hp1', product: product(HOME, 'buy', 0.3, 2, at(12, 15)) }]);
      await cluster.setTime(at(12, 14)); // the gate: the auction clears and its quote goes out

      for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received).toHaveLength(1);
      const pid = Number(received[0]!.instance.split('/').at(-1));
      const dead = cluster.instances.findIndex((instance) => instance.process.pid === pid);
      expect(dead).toBeGreaterThanOrEqual(0);
      await cluster.kill(dead);
      held?.destroy();

      // The other instance finds the job stalled once its lock lapses, and runs it: the quote is sent again, with the same requestID.
      for (let i = 0; i < 200 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received).toHaveLength(2);
      expect(received[1]!.requestID).toBe(received[0]!.requestID);
      expect(received[1]!.instance).not.toBe(received[0]!.instance);
      expect(cluster.instances[1 - dead]!.logs.some((line) => line.includes('job stalled'))).toBe(true);
      // Its effect is recorded once: the outbox entry is gone, the auction cleared once, and no third delivery follows.
      const store = await RedisStore.open({ url: redis.url, namespace: cluster.namespace });
      for (let i = 0; i < 50 && (await eiCollections.quoteOutbox.list(store)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await eiCollections.quoteOutbox.list(store)).toEqual([]);
      await store.close();
      await new Promise((r) => setTimeout(r, 1500));
      expect(received).toHaveLength(2);
      expect((await cluster.clientOf(hp, 1 - dead).transactions({ marketContexts: [HOME] })).transactions).toHaveLength(1);
    } finally {
      subscriber.close();
      await cluster.close();
    }
  });
});
