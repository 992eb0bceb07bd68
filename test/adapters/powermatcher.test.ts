import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEndpoint, type Endpoint } from '../../adapters/powermatcher/server.js';
import { collections } from '../../src/host/records.js';
import { rulesDir } from '../support/markets.js';
import { Agent, basis101 as basis } from '../support/powermatcher.js';
import { testService, type TestService } from '../support/service.js';

const HOME = 'urn:micromarket:home';
const steps = (f: (i: number) => number, n = 101) => Array.from({ length: n }, (_, i) => f(i));

async function endpoint(svc: TestService, marketContext: string): Promise<Endpoint> {
  const token = await svc.service.context.tokens.issue('powermatcher', ['quote'], Date.now(), 3600);
  return startEndpoint({ service: svc.base, marketContext, token, clock: () => svc.clock.now, minTimeBetweenPriceUpdatesMs: 20, tickMs: 50, port: 0 });
}

/** A service whose only market has these rules, and the adapter in front of it. */
async function withMarket(file: string, rules: string, marketContext: string): Promise<{ svc: TestService; pm: Endpoint; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-pm-'));
  await writeFile(join(dir, file), rules);
  const svc = await testService(Date.UTC(2026, 10, 23, 12, 0), { rulesDir: dir });
  const pm = await endpoint(svc, marketContext);
  return { svc, pm, async close() {
    await pm.close();
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  } };
}

const agentQuery = async (svc: TestService, agentId: string) =>
  `agentId=${agentId}&connectionId=c-${agentId}&token=${await svc.service.context.tokens.issue(agentId, ['register', 'enroll', 'tender', 'quote'], Date.now(), 3600)}`;

describe('PowerMatcher agents trading in a micromarket curve auction over websockets', () => {
  let svc: TestService;
  let pm: Endpoint;
  let a: Agent;
  let b: Agent;
  beforeAll(async () => {
    svc = await testService(Date.UTC(2026, 10, 23, 12, 0));
    pm = await endpoint(svc, HOME);
  });
  afterAll(async () => {
    await pm?.close();
    await svc?.close();
  });

  it('sends CLUSTERINFO with the market basis of the market first', async () => {
    a = await Agent.connect(pm.url, await agentQuery(svc, 'heat-pump'));
    const info = await a.next((f) => f.payloadType === 'CLUSTERINFO', true);
    expect(info.payload).toEqual({ marketBasis: basis, clusterId: 'DefaultCluster' });
  });

  it('answers each bid change with the auction\'s price, tagged with the bid of each agent it included', async () => {
    // The heat pump wants 2 kW up to 0.30: alone it meets zero on the flat stretch 0.31..1.00, whose midpoint is the price.
    a.bid(1, { demand: steps((i) => (i <= 30 ? 2 : 0)) });
    expect(await a.price(1)).toBeCloseTo((0.31 + 1) / 2, 6);
    // PV sells 3 kW from 0.05, as a 2.0 point bid: the crossing between 0.04 (2) and 0.05 (-1) is interpolated.
    b = await Agent.connect(pm.url, await agentQuery(svc, 'pv'));
    b.bid(1, { pricePoints: [{ price: 0.05, demand: 0 }, { price: 0.05, demand: -3 }] });
    const [pa, pb] = await Promise.all([a.price(1), b.price(1)]);
    expect(pa).toBeCloseTo(0.04 + 0.01 * 2 / 3, 6);
    expect(pb).toBe(pa);
    // The heat pump raises its bid: 4 kW up to 0.30. Each is told the new price with its own bid number.
    a.bid(2, { demand: steps((i) => (i <= 30 ? 4 : 0)) });
    const [a2, b1] = await Promise.all([a.price(2), b.price(1)]);
    expect(a2).toBeCloseTo(0.3 + 0.01 * 1 / 4, 6);
    expect(b1).toBe(a2);
  });

  it('drops malformed bids, bids on another basis and rising bids, keeping the agent\'s previous bid', async () => {
    a.socket.send('not json');
    a.socket.send(JSON.stringify({ payloadType: 'PRICE_UPDATE', payload: {} }));
    a.bid(3, { demand: steps(() => 1) }, { ...basis, priceSteps: 100 });
    a.bid(4, { demand: steps((i) => i) }); // rising with price
    a.bid(5, { demand: steps(() => 1).slice(0, 50) }); // too short
    // The PV's next bid prices the heat pump's bid 2 again: nothing of 3-5 reached the market.
    b.bid(2, { pricePoints: [{ price: 0.05, demand: 0 }, { price: 0.05, demand: -3 }] });
    expect(await a.price(2)).toBeCloseTo(0.3 + 0.01 * 1 / 4, 6);
    expect(a.received.some((f) => f.payload.bidNumber !== undefined && f.payload.bidNumber >= 3)).toBe(false);
  });

  it('takes a disconnected agent\'s bid out of the auction', async () => {
    await b.close();
    // The heat pump alone again: 4 kW up to 0.30, flat at zero from 0.31.
    expect(await a.price(2)).toBeCloseTo((0.31 + 1) / 2, 6);
  });

  it('tells the binding price at the gate with the bid used, and carries the bid into the next interval', async () => {
    const pv = await Agent.connect(pm.url, await agentQuery(svc, 'pv'));
    // A reconnected agent numbers its bids from 1 again.
    pv.bid(1, { pricePoints: [{ price: 0.05, demand: 0 }, { price: 0.05, demand: -3 }] });
    expect(await pv.price(1)).toBeCloseTo(0.3 + 0.01 * 1 / 4, 6);
    const interval = pm.auctioneer.currentInterval();
    svc.clock.now = interval - 60_000; // the gate
    await svc.service.scheduler.tick();
    const [binding, pvBinding] = await Promise.all([a.price(2), pv.price(1)]);
    expect(binding).toBeCloseTo(0.3 + 0.01 * 1 / 4, 6);
    expect(pvBinding).toBe(binding);
    // Both bids stand in the next interval: the auction there gives the same price again.
    expect(await a.price(2)).toBeCloseTo(0.3 + 0.01 * 1 / 4, 6);
    expect(pm.auctioneer.currentInterval()).toBe(interval + 15 * 60_000);
    await pv.close();
    await a.close();
  });
});

describe('PowerMatcher BidTest.testCalculateIntersection through the whole path', () => {
  let svc: TestService;
  let pm: Endpoint;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // The reference's market basis: 5 steps over -1..7 (step prices -1, 1, 3, 5, 7).
    const home = await readFile(join(rulesDir, 'home.xml'), 'utf8');
    ({ svc, pm, close } = await withMarket('pm5.xml', home.replace('<rules:id>home</rules:id>', '<rules:id>pm5</rules:id>')
      .replace('urn:micromarket:home', 'urn:micromarket:pm5').replace('<rules:priceSteps>101</rules:priceSteps>', '<rules:priceSteps>5</rules:priceSteps>')
      .replace('<rules:floor>0.00</rules:floor><rules:cap>1.00</rules:cap><rules:tick>0.01</rules:tick>', '<rules:floor>-1</rules:floor><rules:cap>7</rules:cap><rules:tick>1</rules:tick>')
      .replace('<rules:maximum>50</rules:maximum>', '<rules:maximum>1000</rules:maximum>')
      .replace(/<rules:simpleLevels>.*<\/rules:simpleLevels>/, '<rules:simpleLevels><rules:moderate>1</rules:moderate><rules:high>3</rules:high><rules:special>5</rules:special></rules:simpleLevels>'),
    'urn:micromarket:pm5'));
  });
  afterAll(() => close?.());

  // [demand, target, expected price]; a target other than 0 is the same as bidding demand minus target.
  it.each([
    [[100, 100, 100, 100, 100], 0, 7.0],
    [[150, 100, 100, 100, 100], 100, 4.0],
    [[100, 100, 100, 100, 100], 100, 3.0],
    [[100, 75, 50, 50, 0], 0, 7.0],
    [[100, 75, 50, 0, 0], 0, 6.0],
    [[100, 50, 50, 0, 0], 0, 6.0],
    [[100, 0, 0, 0, 0], 0, 4.0],
    [[0, 0, 0, 0, 0], 0, 3.0],
  ])('demand %j at target %d clears at %d', async (demand, target, expected) => {
    const agent = await Agent.connect(pm.url, await agentQuery(svc, `vector-${demand.join('-')}-${target}`));
    await agent.next((f) => f.payloadType === 'CLUSTERINFO', true);
    agent.bid(1, { demand: demand.map((d) => d - target) }, { commodity: 'electricity', currency: 'EUR', priceSteps: 5, minimumPrice: -1, maximumPrice: 7 });
    expect(await agent.price(1)).toBeCloseTo(expected, 6);
    await agent.close();
    // The next vector must not meet this one's bid.
    await new Promise((r) => setTimeout(r, 100));
  });
});

describe('PowerMatcher\'s default market basis (100 steps over 0..1, steps of 1/99) through the whole path', () => {
  let svc: TestService;
  let pm: Endpoint;
  let close: () => Promise<void>;
  const basis100 = { commodity: 'electricity', currency: 'EUR', priceSteps: 100, minimumPrice: 0, maximumPrice: 1 };
  beforeAll(async () => {
    ({ svc, pm, close } = await withMarket('pm-default.xml', await readFile(new URL('../fixtures/rules/pm-default.xml', import.meta.url), 'utf8'),
      'urn:micromarket:pm-default'));
  });
  afterAll(() => close?.());

  it('BidBalanceTest.testTwoFlexible: PRICE_UPDATE 0.499999 (between steps 49 and 50), so the first bid reads its 1999', async () => {
    const one = await Agent.connect(pm.url, await agentQuery(svc, 'flexible-1'));
    const two = await Agent.connect(pm.url, await agentQuery(svc, 'flexible-2'));
    expect((await one.next((f) => f.payloadType === 'CLUSTERINFO', true)).payload.marketBasis).toEqual(basis100);
    one.bid(1, { pricePoints: [{ price: 0.5, demand: 1999 }, { price: 0.5, demand: 0 }] }, basis100);
    await one.price(1);
    two.bid(1, { pricePoints: [{ price: 0.5, demand: 0 }, { price: 0.5, demand: -2000 }] }, basis100);
    // PowerMatcher: 49/99 + (1/99) * 1999/3999 = 0.4999987..., to the market's 6 decimals.
    const [p1, p2] = await Promise.all([one.price(1), two.price(1)]);
    expect(p1).toBe(0.499999);
    expect(p2).toBe(p1);
    // getDemandAt(price) is the demand at the nearest step: step 49, where the first bid is 1999 and the second 0.
    expect(Math.floor(p1 * 99 + 0.5)).toBe(49);
    // At the gate the market allocates the same: flexible-1 buys 1999 W, flexible-2 sells nothing.
    const interval = pm.auctioneer.currentInterval();
    svc.clock.now = interval - 60_000;
    await svc.service.scheduler.tick();
    expect(await one.price(1)).toBe(0.499999);
    const traded = async (party: string) => (await collections.partyTransactions.list(svc.service.context.store, [party]))
      .map(([, t]) => t).map((t) => [t.buyer === party ? 'buy' : 'sell', t.price, t.quantity]);
    expect(await traded('flexible-1')).toEqual([['buy', 0.499999, 1999]]);
    expect(await traded('flexible-2')).toEqual([]);
    await one.close();
    await two.close();
  });
});
