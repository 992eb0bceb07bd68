import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketHost, type CommandResult } from '../../src/host/markets.js';
import { collections } from '../../src/host/records.js';
import type { MarketSetup } from '../../src/terms/signals.js';
import type { Transaction } from '../../src/market/types.js';
import { RedisLeases } from '../../src/store/redis-leases.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { put, type Store } from '../../src/store/store.js';
import { exampleRules, tender } from '../support/markets.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../support/redis.js';

const now = Date.UTC(2026, 10, 23, 12, 0);
const t = Date.UTC(2026, 10, 23, 13, 0); // an open 5-minute interval of the continuous feeder market

let redis: TestRedis;
let rules: MarketSetup;
let namespaces = 0;

interface Instance {
  host: MarketHost;
  store: Store;
  close(): Promise<void>;
}

/** One service instance's market host: its own store connection and leases, on the shared namespace. */
async function instance(namespace: string): Promise<Instance> {
  const store = await RedisStore.open({ url: redis.url, namespace });
  const host = await MarketHost.open([rules], store, await RedisLeases.open({ url: redis.url, namespace }));
  return { host, store, close: async () => { await host.close(); await store.close(); } };
}

/** Submits a tender through an instance, as a request does: enter, run, commit. */
function submit(at: Instance, tenderID: string, partyID: string, side: 'buy' | 'sell', price: number, quantity: number): Promise<CommandResult> {
  return at.host.withWork(async (work) => {
    const [market] = at.host.markets;
    await work.enter([market!]);
    const { result, writes } = work.run(market!, { kind: 'submit', tender: tender(tenderID, partyID, side, price, quantity, t), availability: [], now });
    await work.commit(writes);
    return result;
  });
}

const transactionsOf = (result: CommandResult): Transaction[] => ('transactions' in result ? result.transactions : []);
const logKeys = async (store: Store) => (await collections.commands.list(store)).map(([key]) => key);

describe.skipIf(redisUnavailable)('markets shared by several instances on one Redis', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    rules = await exampleRules('feeder-7');
  });
  afterAll(() => redis?.close());

  it('matches a tender made through one instance with one made through another, and both see the outcome', async () => {
    const namespace = `shared-${++namespaces}`;
    const [a, b] = [await instance(namespace), await instance(namespace)];
    expect(transactionsOf(await submit(a, 'buy-1', 'alice', 'buy', 0.3, 5))).toEqual([]);
    // B has never seen alice's bid: it takes the lease from A, applies A's log entry, then matches.
    const made = transactionsOf(await submit(b, 'sell-1', 'bob', 'sell', 0.2, 3));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ buyer: 'alice', seller: 'bob', quantity: 3, price: 0.3 });
    // A reads its engine caught up: alice has 2 left open.
    const [seenByA] = await a.host.current();
    expect(seenByA!.openTenders('alice')[0]!.slices[0]!.quantity).toBe(2);
    expect(seenByA!.openTenders('bob')).toEqual([]);
    expect(await logKeys(a.store)).toEqual(['feeder-7/000000000001', 'feeder-7/000000000002']);
    await Promise.all([a.close(), b.close()]);
  });

  it('serialises concurrent commands from two instances into one gapless log that replays to the same state', async () => {
    const namespace = `shared-${++namespaces}`;
    const [a, b] = [await instance(namespace), await instance(namespace)];
    // 60 bids and 60 asks at crossing prices, sent through both instances at once: every ask fills against a bid.
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => submit(i % 2 === 0 ? a : b, `t-${i}`, `p-${i % 7}`,
      i % 4 < 2 ? 'buy' : 'sell', i % 4 < 2 ? 0.4 : 0.1, 1)));
    const made = results.flatMap(transactionsOf);
    expect(made).toHaveLength(60);
    expect(new Set(made.map((x) => x.transactionID)).size).toBe(60);
    const keys = await logKeys(a.store);
    expect(keys).toEqual(Array.from({ length: 120 }, (_, i) => `feeder-7/${String(i + 1).padStart(12, '0')}`));
    // A third instance starting now replays the log to the same book: nothing open on either side.
    const c = await instance(namespace);
    const [replayed] = c.host.markets;
    for (let p = 0; p < 7; p++) expect(replayed!.openTenders(`p-${p}`)).toEqual([]);
    const stored = (await collections.partyTransactions.list(a.store)).map(([key, x]) => [key, x as unknown as Transaction] as const);
    expect(new Set(stored.map(([, x]) => x.transactionID))).toEqual(new Set(made.map((x) => x.transactionID)));
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('rebuilds an engine whose command was not committed, so nothing unacknowledged stays in memory', async () => {
    const namespace = `shared-${++namespaces}`;
    const a = await instance(namespace);
    await a.store.commit([put(collections.requests.name, 'alice/req-1', { taken: true })]);
    // The request record is already there: the commit is refused whole, after the engine took the bid.
    const refused = await a.host.withWork(async (work) => {
      const [market] = a.host.markets;
      await work.enter([market!]);
      const { writes } = work.run(market!, { kind: 'submit', tender: tender('buy-1', 'alice', 'buy', 0.3, 5, t), availability: [], now });
      return work.commit([...writes, put(collections.requests.name, 'alice/req-1', {}, true)]).then(() => 'committed', (e: Error) => e.message);
    });
    expect(refused).toContain('already exists');
    const [market] = await a.host.current();
    expect(market!.openTenders('alice')).toEqual([]);
    expect(await logKeys(a.store)).toEqual([]);
    // And the market goes on from the log as it is: the next bid is entry 1.
    await submit(a, 'buy-2', 'alice', 'buy', 0.3, 5);
    expect(await logKeys(a.store)).toEqual(['feeder-7/000000000001']);
    await a.close();
  });

  it('refuses the late commit of an instance whose lease lapsed, instead of forking the log', async () => {
    const namespace = `shared-${++namespaces}`;
    const [a, b] = [await instance(namespace), await instance(namespace)];
    await submit(a, 'buy-1', 'alice', 'buy', 0.3, 5);
    // A stalls (a long pause) holding the engine; meanwhile its lease runs out and B takes the market.
    const late = a.host.withWork(async (work) => {
      const [market] = a.host.markets;
      await work.enter([market!]);
      const { writes } = work.run(market!, { kind: 'submit', tender: tender('sell-a', 'carol', 'sell', 0.2, 5, t), availability: [], now });
      const probe = new Redis(redis.url);
      await probe.del(`{${namespace}}:lease:feeder-7`); // what the ttl does to a holder that stopped renewing
      probe.disconnect();
      const bSold = transactionsOf(await submit(b, 'sell-b', 'bob', 'sell', 0.2, 5));
      expect(bSold).toHaveLength(1);
      return work.commit(writes).then(() => 'committed', (e: Error) => e.message);
    });
    expect(await late).toContain('already exists');
    // B's sale stands, A's never happened, and A rebuilt from the log agrees.
    expect(await logKeys(a.store)).toEqual(['feeder-7/000000000001', 'feeder-7/000000000002']);
    const [seenByA] = await a.host.current();
    expect(seenByA!.openTenders('carol')).toEqual([]);
    expect(seenByA!.openTenders('alice')).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});
