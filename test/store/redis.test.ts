import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MicromarketError } from '../../src/errors.js';
import { Redis } from 'ioredis';
import { STORE_FORMAT } from '../../src/store/format.js';
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

  it('counts tallies of one namespace together, whichever instance counts', async () => {
    const [a, b, other] = await Promise.all([RedisStore.open({ url: redis.url, namespace: 'tally' }), RedisStore.open({ url: redis.url, namespace: 'tally' }),
      RedisStore.open({ url: redis.url, namespace: 'tally-other' })]);
    expect([await a.tally('requests/p/7'), await b.tally('requests/p/7'), await a.tally('requests/p/7'), await other.tally('requests/p/7')]).toEqual([1, 2, 3, 1]);
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('stamps an empty namespace with its format, and refuses one in another format or written before stamps', async () => {
    const store = await RedisStore.open({ url: redis.url, namespace: 'format' });
    await store.commit([put('c', 'k', 1)]);
    await store.close();
    const raw = new Redis(redis.url);
    try {
      expect(await raw.get('{format}:format')).toBe(String(STORE_FORMAT));
      await raw.set('{format}:format', String(STORE_FORMAT + 1));
      await expect(RedisStore.open({ url: redis.url, namespace: 'format' })).rejects.toThrow(`Redis namespace {format} holds data in store format ${STORE_FORMAT + 1}; this micromarket reads only format ${STORE_FORMAT}.`);
      await raw.del('{format}:format');
      await expect(RedisStore.open({ url: redis.url, namespace: 'format' })).rejects.toThrow('Redis namespace {format} holds data in store format 1;');
      // A refused open stamps nothing.
      expect(await raw.get('{format}:format')).toBeNull();
      // Another namespace on the same server is empty, whatever this one holds.
      const other = await RedisStore.open({ url: redis.url, namespace: 'format2' });
      expect(await other.list('c')).toEqual([]);
      await other.close();
    } finally {
      raw.disconnect();
    }
  });
});

