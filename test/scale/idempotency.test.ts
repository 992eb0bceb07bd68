import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import { startService, type Service } from '../../src/service/index.js';
import { enrollApproved, priced } from '../support/enrollment.js';
import { rulesDir } from '../support/markets.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../support/redis.js';

const FEEDER = 'urn:micromarket:feeder-7';
const now = Date.UTC(2026, 10, 23, 12, 0);
const product = (side: 'buy' | 'sell', price: number, quantity: number) => priced(FEEDER, side, price, quantity, Date.UTC(2026, 10, 23, 13, 0));

let redis: TestRedis;
let dir: string;
const services: Service[] = [];
const bases: string[] = [];

describe.skipIf(redisUnavailable)('one request sent to two instances at once', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'mm-idem-'));
    for (let i = 0; i < 2; i++) {
      const service = await startService({ dataDir: dir, rulesDir, clock: () => now, gateTickMs: 0, xmlWorkers: 0, redis: { url: redis.url, namespace: 'idem' } });
      services.push(service);
      bases.push(await service.app.listen({ port: 0, host: '127.0.0.1' }));
    }
  });
  afterAll(async () => {
    for (const service of services) await service.close();
    await redis?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is applied once, and both instances answer with the first answer', async () => {
    const tokens = services[0]!.context.tokens;
    const operator = new MicromarketClient({ baseUrl: bases[0]!, partyID: 'operator', token: await tokens.issue('operator', ['operator'], Date.now(), 3600) });
    const token = await tokens.issue('alice', ['register', 'enroll', 'tender'], Date.now(), 3600);
    const [viaA, viaB] = bases.map((baseUrl) => new MicromarketClient({ baseUrl, partyID: 'alice', token }));
    await viaA!.register({ partyName: 'alice', partyRoles: ['consumer'] });
    await enrollApproved(viaA!, operator, FEEDER, now);

    // A client that timed out on one instance retries on the other while the first is still working on it: 20 such pairs.
    for (let i = 0; i < 20; i++) {
      const tenders = [{ tenderID: `a${i}`, product: product('buy', 0.1, 1) }];
      const [first, second] = await Promise.all([viaA!.tender(tenders, `req-${i}`), viaB!.tender(tenders, `req-${i}`)]);
      expect(first.eiResponse.responseCode).toBe('200');
      expect(second).toEqual(first);
    }
    const open = (await viaB!.tenders()).tenders.map((t) => t.tenderID).sort();
    expect(open).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`).sort());
  });
});
