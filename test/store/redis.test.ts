import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MicromarketError } from '../../src/errors.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { put } from '../../src/store/store.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../support/redis.js';
import { redisStores, storeConformance } from './conformance.js';

let redis: TestRedis;

describe.skipIf(redisUnavailable)('Redis store', () => {
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(() => redis?.close());

  storeConformance('redis', redisStores(() => redis.url, 't'));

  it('reports a server that persists every write before answering (AOF, fsync always) as durable', async () => {
    const store = await RedisStore.open({ url: redis.url, namespace: 'health' });
    expect(store.health()).toEqual({ kind: 'redis', ok: true, detail: { status: 'ready', durable: true } });
    await store.close();
  });

  it('fails fast with a 503 while Redis is down, and works again once it is back, without a restart', async () => {
    const store = await RedisStore.open({ url: redis.url, namespace: 'outage' });
    await store.commit([put('c', 'before', 1)]);
    await redis.stop(true);
    const started = Date.now();
    const error = await store.commit([put('c', 'during', 2)]).then(() => undefined, (e: MicromarketError) => e);
    expect(error?.code).toBe('MM_ERR_STORE_UNAVAILABLE');
    expect(error?.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
    // The client may reject the call on the reset before it has marked the connection closed.
    for (let i = 0; i < 20 && store.health().ok; i++) await new Promise((r) => setTimeout(r, 25));
    expect(store.health().ok).toBe(false);
    await redis.start();
    for (let i = 0; i < 100 && !store.health().ok; i++) await new Promise((r) => setTimeout(r, 50));
    // The write acknowledged before the kill is there (AOF); the refused one is not.
    expect(await store.list('c')).toEqual([['before', 1]]);
    await store.commit([put('c', 'after', 3)]);
    expect(await store.get('c', 'after')).toBe(3);
    await store.close();
  });
});
