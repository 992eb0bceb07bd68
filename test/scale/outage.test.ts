import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMicromarketClientError, MicromarketClient } from '../../src/client/index.js';
import { startService, type Service } from '../../src/service/index.js';
import { enrollApproved, priced } from '../support/enrollment.js';
import { rulesDir } from '../support/markets.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../support/redis.js';

const FEEDER = 'urn:micromarket:feeder-7';
const now = Date.UTC(2026, 10, 23, 12, 0);
const t13 = Date.UTC(2026, 10, 23, 13, 0);
const product = (side: 'buy' | 'sell', price: number, quantity: number) => priced(FEEDER, side, price, quantity, t13);

let redis: TestRedis;
let service: Service;
let dir: string;
let base: string;

describe.skipIf(redisUnavailable)('the service while its Redis is away', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'mm-outage-'));
    service = await startService({ dataDir: dir, rulesDir, clock: () => now, gateTickMs: 0, redis: { url: redis.url, namespace: 'outage' } });
    base = await service.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await service?.close();
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 at once, keeps nothing of the refused request, and recovers by itself', async () => {
    const operatorToken = await service.context.tokens.issue('operator', ['operator'], Date.now(), 3600);
    const tokenOf = (partyID: string) => service.context.tokens.issue(partyID, ['register', 'enroll', 'tender'], Date.now(), 3600);
    const operator = new MicromarketClient({ baseUrl: base, partyID: 'operator', token: operatorToken });
    const [alice, bob] = [new MicromarketClient({ baseUrl: base, partyID: 'alice', token: await tokenOf('alice') }),
      new MicromarketClient({ baseUrl: base, partyID: 'bob', token: await tokenOf('bob') })];
    for (const client of [alice, bob]) {
      await client.register({ partyName: client.partyID, partyRoles: ['consumer'] });
      await enrollApproved(client, operator, FEEDER, now);
    }
    await alice.tender([{ tenderID: 'a1', product: product('buy', 0.3, 5) }]);

    await redis.stop(true);
    const started = Date.now();
    const refused = await bob.tender([{ tenderID: 'b1', product: product('sell', 0.2, 2) }], 'req-b1').then(() => undefined, (e: unknown) => e);
    expect(isMicromarketClientError(refused) && [refused.responseCode, refused.code]).toEqual(['503', 'MM_ERR_STORE_UNAVAILABLE']);
    expect(Date.now() - started).toBeLessThan(1000);

    await redis.start();
    for (let i = 0; i < 100 && !service.context.store.health().ok; i++) await new Promise((r) => setTimeout(r, 50));
    // The engine had matched bob's ask before the commit failed; none of it stayed: alice's bid is whole, nobody traded.
    const open = (await alice.tenders()).tenders;
    expect(open.map((t) => t.product.intervals?.[0]?.payloads[0]?.value.quantity)).toEqual([5]);
    expect((await alice.transactions()).transactions).toEqual([]);
    // The client's retry with the same requestID now goes through, once.
    const retried = await bob.tender([{ tenderID: 'b1', product: product('sell', 0.2, 2) }], 'req-b1');
    expect(retried.transactions).toHaveLength(1);
    expect((await bob.tender([{ tenderID: 'b1', product: product('sell', 0.2, 2) }], 'req-b1')).transactions.map((t) => t.transactionID))
      .toEqual(retried.transactions.map((t) => t.transactionID));
    expect((await alice.tenders()).tenders.map((t) => t.product.intervals?.[0]?.payloads[0]?.value.quantity)).toEqual([3]);
  });
});
