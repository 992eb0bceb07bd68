import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { MicromarketError } from '../errors.js';

/** A connection to one Redis server or to a Redis Cluster: the service uses both alike. */
export type RedisClient = Redis | Cluster;

const CLUSTER = /^redis\+cluster:\/\/(.+)$/;

/**
 * A client for `url`: `redis://host:port[/db]` (or rediss://, with user and password) for one
 * server, or `redis+cluster://host:port,host:port,...` for a Cluster, given some of its nodes.
 * Fail-fast clients have no offline queue and no retries, so a call while Redis is away rejects at
 * once instead of hanging; blocking ones (BullMQ's) wait. Either kind reconnects by itself.
 */
export function redisClient(url: string, mode: 'fail-fast' | 'blocking'): RedisClient {
  // No auto-pipelining: commands issued together are in flight together anyway (one round trip), and the
  // pipeline ioredis builds per turn of the event loop doubled the service's garbage-collection time.
  const options: RedisOptions = mode === 'fail-fast' ? { enableOfflineQueue: false, maxRetriesPerRequest: 0 } : { maxRetriesPerRequest: null };
  const cluster = CLUSTER.exec(url);
  const client = cluster
    ? new Cluster(cluster[1]!.split(',').map((node) => {
      const [host, port] = node.split(':');
      return { host: host!, port: Number(port ?? 6379) };
    }), { lazyConnect: mode === 'fail-fast', enableOfflineQueue: mode !== 'fail-fast', redisOptions: options })
    : new Redis(url, { lazyConnect: mode === 'fail-fast', ...options });
  client.on('error', () => {}); // each failed call reports it
  return client;
}

/**
 * A fail-fast client, connected. A server that cannot be reached now is an error at once (the
 * client stops trying), so a service starting against it exits with the reason and its service
 * manager restarts it; an outage after start is the clients' to ride out.
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  const client = redisClient(url, 'fail-fast');
  // ioredis rejects with "Connection is closed."; the socket's own error says why (ECONNREFUSED...).
  let cause: Error | undefined;
  const heard = (error: Error) => (cause ??= error);
  client.on('error', heard);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`Redis at ${redactedUrl(url)} is unreachable: ${(cause ?? (error as Error)).message}`);
  } finally {
    client.off('error', heard);
  }
  return client;
}

/** A Redis URL fit for a log line: without its password. */
const redactedUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

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
