/**
 * Nested markets served by two instances on one Redis: the interties' upward step runs as a BullMQ
 * job on one instance at a time, and each child takes its flow in its market's gates job.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import type { IntertieRecord } from '../../src/intertie/records.js';
import { priced } from '../support/enrollment.js';
import { startCluster, type Cluster } from '../support/instances.js';
import { rulesDir } from '../support/markets.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../support/redis.js';

const MIN = 60_000;
const I = Date.UTC(2026, 10, 23, 12, 0);
const ctx = (id: string) => `urn:micromarket:${id}`;

describe.skipIf(redisUnavailable)('nested markets on two instances sharing Redis', () => {
  let redis: TestRedis;
  let cluster: Cluster;
  beforeAll(async () => {
    redis = await startTestRedis();
    // The market clock stands still until the test moves it through the gates, parents first.
    cluster = await startCluster(redis, 2, { clockStart: I - 20 * MIN, rulesDir: join(rulesDir, 'nested') });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await redis?.close();
  });

  it('sends each child\'s bid up once and places each flow once, whichever instance runs the jobs', async () => {
    const trade = async (via: number, party: string, market: string, side: 'buy' | 'sell', price: number, quantity: number) => {
      const client = await cluster.party(via, party);
      await cluster.enrollApproved(via, client, ctx(market));
      await client.tender([{ tenderID: `${party}-1`, product: priced(ctx(market), side, price, quantity, I) }]);
    };
    await trade(0, 'supplier', 'substation', 'sell', 0.2, 100);
    await trade(1, 'school', 'feeder-north', 'buy', 0.4, 20);
    await trade(0, 'h1-heater', 'home-1', 'buy', 0.6, 6);
    await trade(1, 'h1-pv', 'home-1', 'sell', 0.01, 2);
    const operator = new MicromarketClient({ baseUrl: cluster.instances[1]!.base, partyID: 'operator', token: cluster.operatorToken });
    const records = async (market: string) => {
      const res = await fetch(`${cluster.instances[0]!.base}/interties`, { headers: { authorization: `Bearer ${cluster.operatorToken}` } });
      const body = await res.json() as { interties: Array<{ market: string; intervals: Array<IntertieRecord & { interval: string }> }> };
      return body.interties.find((i) => i.market === market)!.intervals.find((r) => r.interval === new Date(I).toISOString());
    };
    const waitFor = async (what: string, done: () => Promise<boolean>) => {
      for (let tries = 0; !(await done()); tries++) {
        if (tries > 600) throw new Error(`${what} never happened`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // Before any gate: each child's ladder has reached its parent (the interties job runs on real-time ticks).
    for (const child of ['home-1', 'feeder-north']) {
      await waitFor(`${child}'s ladder in its parent`, async () => ((await records(child))?.rev ?? 0) >= 1);
    }
    // A ladder is replaced when the bids under it change (home 1's reaching the feeder changes the feeder's own),
    // by a cancel and a new tender: the clock must not jump to a gate between the two. So the ladders must have
    // settled: unchanged over 15 reads 100 ms apart, several runs of the interties job (every 250 ms).
    let seen = '';
    let unchanged = 0;
    await waitFor('the ladders to settle', async () => {
      const now = JSON.stringify(await Promise.all(['home-1', 'feeder-north'].map(async (c) => (await records(c))?.sent)));
      unchanged = now === seen ? unchanged + 1 : 0;
      seen = now;
      return unchanged >= 15;
    });
    // Then through the gates, parents first: the substation's (5 minutes ahead), the feeder's (3), home 1's (1);
    // after each, the child takes its flow from the parent's clearing while its own gate is still open.
    for (const [market, gate, child] of [['substation', 5, 'feeder-north'], ['feeder-north', 3, 'home-1'], ['home-1', 1, undefined]] as const) {
      await cluster.setTime(I - gate * MIN);
      await waitFor(`${market}'s auction`, async () => await operator.price(ctx(market), I, 'cleared') !== undefined);
      if (child) await waitFor(`${child}'s flow`, async () => (await records(child))?.outcome !== undefined);
    }
    const home = (await records('home-1'))!;
    expect(home.outcome!.parentNet).toBeCloseTo(4.04, 9);
    expect(home.outcome!.flow).toBeCloseTo(4.04 * 0.99, 9);
    // The feeder sold home 1 exactly its ladder's 4.04 kW once, through either instance's engine.
    const sold = (await operator.call('EiTransaction', 'eiReplyTransaction', { name: 'eiRequestTransaction', body: { requestID: '', partyID: 'home-1',
      counterPartyIDs: [], requestorPartyID: 'home-1', marketContexts: [ctx('feeder-north')], transactionIDs: [] } })).transactions
      .filter((t) => t.product.dtstart === I).reduce((sum, t) => sum + (t.product.side === 'buy' ? 1 : -1) * t.product.payload!.value.quantity!, 0);
    expect(sold).toBeCloseTo(4.04, 9);
    // One flow in home 1: the intertie account sold 4 kW into it once.
    const flows = (await operator.call('EiTransaction', 'eiReplyTransaction', { name: 'eiRequestTransaction', body: { requestID: '', partyID: 'intertie:feeder-north',
      counterPartyIDs: [], requestorPartyID: 'intertie:feeder-north', marketContexts: [ctx('home-1')], transactionIDs: [] } })).transactions;
    expect(flows.filter((t) => t.product.dtstart === I).reduce((sum, t) => sum + t.product.payload!.value.quantity!, 0)).toBeCloseTo(4.04 * 0.99, 9);
    const feeder = (await records('feeder-north'))!;
    expect(feeder.outcome!.flow).toBeGreaterThan(0);
  }, 60_000);
});
