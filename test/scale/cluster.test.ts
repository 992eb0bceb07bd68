import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import { startService } from '../../src/service/index.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { put } from '../../src/store/store.js';
import { redisStores, storeConformance } from '../store/conformance.js';
import { enrollApproved, priced } from '../support/enrollment.js';
import { rulesDir } from '../support/markets.js';
import { clusterUnavailable, startTestCluster, type TestCluster } from '../support/redis.js';

const HOME = 'urn:micromarket:home';
let cluster: TestCluster;

describe.skipIf(clusterUnavailable)('on a Redis Cluster of three masters', () => {
  beforeAll(async () => {
    cluster = await startTestCluster(3);
  });
  afterAll(() => cluster?.close());

  // A commit spans collections: it must stay in one slot (the namespace's hash tag) to run as one script.
  storeConformance('redis cluster', redisStores(() => cluster.url, 'c'));

  it('spreads namespaces over the masters, each namespace whole on one', async () => {
    for (let i = 0; i < 12; i++) {
      const store = await RedisStore.open({ url: cluster.url, namespace: `spread-${i}` });
      await store.commit([put('parties', 'p', { i }), put('commands', 'm/000000000001', { i }), put('requests', 'p/r', { i })]);
      await store.close();
    }
    const holders = await Promise.all((await cluster.masters()).map(async (node) => new Set((await node.keys('{spread-*')).map((k) => k.slice(0, k.indexOf('}') + 1)))));
    // Every namespace's six keys (three collections, values and index each) on exactly one master...
    const all = holders.flatMap((namespacesOnNode) => [...namespacesOnNode]);
    expect(all.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `{spread-${i}}`).sort());
    // ...and the namespaces on more than one master.
    expect(holders.filter((h) => h.size > 0).length).toBeGreaterThan(1);
  });

  it('runs the service on it: tenders, and an auction cleared by its BullMQ gate job', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-on-cluster-'));
    const clock = { now: Date.UTC(2026, 10, 23, 12, 0) };
    const service = await startService({ dataDir: dir, rulesDir, clock: () => clock.now, gateTickMs: 100, xmlWorkers: 0,
      redis: { url: cluster.url, namespace: 'svc', jobLockMs: 2000 } });
    try {
      const base = await service.app.listen({ port: 0, host: '127.0.0.1' });
      const operator = new MicromarketClient({ baseUrl: base, partyID: 'operator', token: await service.context.tokens.issue('operator', ['operator'], Date.now(), 3600) });
      const clients: MicromarketClient[] = [];
      for (const partyID of ['pv', 'hp']) {
        const client = new MicromarketClient({ baseUrl: base, partyID, token: await service.context.tokens.issue(partyID, ['register', 'enroll', 'tender'], Date.now(), 3600) });
        await client.register({ partyName: partyID, partyRoles: ['consumer'] });
        await enrollApproved(client, operator, HOME, clock.now);
        clients.push(client);
      }
      const t13 = Date.UTC(2026, 10, 23, 13, 0);
      await clients[0]!.tender([{ tenderID: 'pv1', product: priced(HOME, 'sell', 0.05, 3, t13) }]);
      await clients[1]!.tender([{ tenderID: 'hp1', product: priced(HOME, 'buy', 0.3, 2, t13) }]);
      clock.now = t13 - 60_000; // the gate: the next gates job clears the auction
      let mine: unknown[] = [];
      for (let i = 0; i < 100 && mine.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        mine = (await clients[1]!.transactions({ marketContexts: [HOME] })).transactions;
      }
      expect(mine).toMatchObject([{ tenderID: 'hp1' }]);
    } finally {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
