import { Redis } from 'ioredis';
import { MicromarketError } from '../errors.js';

/**
 * A connection that fails fast: without an offline queue and retries, a call while Redis is away
 * rejects at once instead of hanging. ioredis reconnects by itself.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  redis.on('error', () => {}); // each failed call reports it
  await redis.connect();
  return redis;
}

/**
 * Every key of a deployment starts with its namespace as a hash tag: on Redis Cluster all of a
 * namespace's keys (its data, leases and BullMQ jobs) are in one slot, so a commit spanning
 * collections stays atomic, and separate namespaces (groups of markets) spread over the shards.
 */
export function keyBase(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new Error(`a Redis namespace is letters, digits, '.', '_' and '-' (at most 64), not ${JSON.stringify(namespace)}`);
  return `{${namespace}}`;
}

export const NAMESPACE = /^[A-Za-z0-9._-]{1,64}$/;

/** Runs a Redis call, turning a connection failure into MM_ERR_STORE_UNAVAILABLE (503). */
export async function redisCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof MicromarketError) throw error;
    throw new MicromarketError('MM_ERR_STORE_UNAVAILABLE', [(error as Error).message]);
  }
}
