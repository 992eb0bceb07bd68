/**
 * Leases in Redis, for several service instances sharing one state. A lease is a key holding its
 * holder's token with a time to live, renewed while held; a holder that dies loses it when the
 * time runs out. An instance that finds a lease taken joins the lease's queue (first come, first
 * served, so a busy holder cannot keep taking it back) and says so on a channel; the holder
 * releases once its work in progress is done and announces it, and the queue's head takes over.
 * A waiter stays queued while it keeps asking (each ask refreshes its place for one ttl).
 */
import { randomUUID } from 'node:crypto';
import { MicromarketError } from '../errors.js';
import type { LeaseHolder, Leases } from './leases.js';
import { connectRedis, keyBase, redisCall, type RedisClient } from './redis-connection.js';

/**
 * KEYS: lease, queue (sorted set of waiting tokens by arrival), arrival counter, channel. ARGV:
 * token, ttl ms, name, prefix of the waiters' liveness keys, 1 to queue if taken (0: just try).
 * Answers 1 = held, 2 = held and others wait, 0 = not held (queued and the holder told, if asked).
 */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return redis.call('ZCARD', KEYS[2]) > 0 and 2 or 1
end
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
while head and head ~= ARGV[1] and redis.call('EXISTS', ARGV[4] .. head) == 0 do
  redis.call('ZREM', KEYS[2], head)
  head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
end
if not holder and (not head or head == ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('DEL', ARGV[4] .. ARGV[1])
  return redis.call('ZCARD', KEYS[2]) > 0 and 2 or 1
end
if ARGV[5] == '0' then return 0 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1]) end
redis.call('SET', ARGV[4] .. ARGV[1], '1', 'PX', ARGV[2])
if holder then redis.call('PUBLISH', KEYS[4], 'wanted ' .. ARGV[3]) end
return 0
`;

/** KEYS: lease. ARGV: token, ttl ms. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** KEYS: lease, channel. ARGV: token, name. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', KEYS[2], 'released ' .. ARGV[2])
end
return 1
`;

interface LeaseScripts {
  mmAcquire(lease: string, queue: string, counter: string, channel: string, token: string, ttl: number, name: string, alive: string, queueing: 0 | 1): Promise<number>;
  mmRenew(lease: string, token: string, ttl: number): Promise<number>;
  mmRelease(lease: string, channel: string, token: string, name: string): Promise<number>;
}

export interface RedisLeaseOptions {
  readonly url: string;
  readonly namespace?: string;
  /** How long a lease outlives its holder's last renewal. @default 5000 */
  readonly ttlMs?: number;
}

export class RedisLeases implements Leases {
  readonly exclusive = false;
  readonly #redis: RedisClient & LeaseScripts;
  readonly #subscriber: RedisClient;
  readonly #base: string;
  readonly #channel: string;
  readonly #token = randomUUID();
  readonly #ttl: number;
  readonly #held = new Map<string, { holder: LeaseHolder; renewed: number }>();
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #renewal: NodeJS.Timeout;

  private constructor(redis: RedisClient, subscriber: RedisClient, namespace: string, ttlMs: number) {
    this.#redis = redis as RedisClient & LeaseScripts;
    this.#subscriber = subscriber;
    this.#base = `${keyBase(namespace)}:lease`;
    this.#channel = `${this.#base}:events`;
    this.#ttl = ttlMs;
    redis.defineCommand('mmAcquire', { numberOfKeys: 4, lua: ACQUIRE });
    redis.defineCommand('mmRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('mmRelease', { numberOfKeys: 2, lua: RELEASE });
    subscriber.on('message', (_channel: string, message: string) => this.#heard(message));
    this.#renewal = setInterval(() => void this.#renew(), Math.floor(ttlMs / 3));
  }

  static async open(options: RedisLeaseOptions): Promise<RedisLeases> {
    const redis = await connectRedis(options.url);
    const subscriber = await connectRedis(options.url);
    const leases = new RedisLeases(redis, subscriber, options.namespace ?? 'mm', options.ttlMs ?? 5000);
    await subscriber.subscribe(leases.#channel);
    return leases;
  }

  #heard(message: string): void {
    const [what, name] = [message.slice(0, message.indexOf(' ')), message.slice(message.indexOf(' ') + 1)];
    if (what === 'wanted') this.#held.get(name)?.holder.wanted();
    if (what === 'released') for (const wake of this.#waiting.get(name) ?? []) wake();
  }

  async acquire(name: string, holder: LeaseHolder): Promise<void> {
    // A holder that is alive releases within its work in progress; a dead one lapses within the ttl.
    const deadline = Date.now() + 3 * this.#ttl;
    for (;;) {
      if (await this.#attempt(name, holder, 1)) return;
      if (Date.now() > deadline) throw new MicromarketError('MM_ERR_STORE_UNAVAILABLE', [`the lease on ${name} was not granted within ${3 * this.#ttl} ms`]);
      await this.#released(name, Math.min(100, this.#ttl / 5));
    }
  }

  tryAcquire(name: string, holder: LeaseHolder): Promise<boolean> {
    return this.#attempt(name, holder, 0);
  }

  async #attempt(name: string, holder: LeaseHolder, queueing: 0 | 1): Promise<boolean> {
    const lease = `${this.#base}:${name}`;
    const got = await redisCall(() => this.#redis.mmAcquire(lease, `${lease}:queue`, `${lease}:arrivals`, this.#channel, this.#token, this.#ttl, name, `${lease}:alive:`, queueing));
    if (got === 0) return false;
    this.#held.set(name, { holder, renewed: Date.now() });
    if (got === 2) holder.wanted();
    return true;
  }

  /** Waits for a release of `name`, or at most `ms` (a message can be missed while reconnecting). */
  #released(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiting.get(name);
      if (!waiters) this.#waiting.set(name, (waiters = new Set()));
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }

  async #renew(): Promise<void> {
    for (const [name, lease] of this.#held) {
      try {
        if (await this.#redis.mmRenew(`${this.#base}:${name}`, this.#token, this.#ttl) === 1) {
          lease.renewed = Date.now();
          continue;
        }
      } catch {
        // Redis away: the lease may still stand until its ttl runs out.
        if (Date.now() - lease.renewed < this.#ttl) continue;
      }
      if (this.#held.get(name) === lease) {
        this.#held.delete(name);
        lease.holder.lost();
      }
    }
  }

  async release(name: string): Promise<void> {
    this.#held.delete(name);
    await redisCall(() => this.#redis.mmRelease(`${this.#base}:${name}`, this.#channel, this.#token, name));
  }

  async close(): Promise<void> {
    clearInterval(this.#renewal);
    await Promise.allSettled([...this.#held.keys()].map((name) => this.release(name)));
    await Promise.allSettled([this.#redis.quit(), this.#subscriber.quit()]);
  }
}
