/**
 * The Store on Redis (ioredis), for several service instances sharing one state. Each collection is
 * a hash of JSON values beside a sorted set of its keys (all scores 0), so `list` is a lexical range
 * in key order. A commit runs as one Lua script: Redis executes scripts atomically, so the
 * ifAbsent checks and every write of a batch apply all or nothing, and two instances racing for
 * one requestID cannot both win.
 *
 * Durability is Redis's: run it with `appendonly yes` and `appendfsync always` (docs/scaling.md),
 * so a write is on disk before Redis answers and an acknowledged commit survives kill -9 of either
 * process. `health()` reports whether the server says so.
 *
 * All keys carry the namespace as hash tag, so on Redis Cluster a batch that spans collections stays in one slot.
 */
import { MicromarketError } from '../errors.js';
import { connectRedis, keyBase, redisCall, type RedisClient } from './redis-connection.js';
import type { Json, Store, StoreHealth, WriteOp } from './store.js';

/**
 * KEYS: per op, the collection's hash then its key index. ARGV: per op, kind (p/d), key, JSON value
 * ('' for deletes), ifAbsent (1/0), and '' or '+' followed by the key the put requires. Answers
 * {'conflict', n, why} naming the first refused op (1-based).
 */
const COMMIT = `
local n = #ARGV / 5
local staged = {}
local function exists(hash, key)
  local id = hash .. '\\0' .. key
  if staged[id] ~= nil then return staged[id] end
  return redis.call('HEXISTS', hash, key) == 1
end
for i = 1, n do
  local hash, kind, key, absent, requires = KEYS[2 * i - 1], ARGV[5 * i - 4], ARGV[5 * i - 3], ARGV[5 * i - 1], ARGV[5 * i]
  if absent == '1' and exists(hash, key) then return {'conflict', i, 'already exists'} end
  if requires ~= '' and not exists(hash, string.sub(requires, 2)) then
    return {'conflict', i, 'needs ' .. string.sub(requires, 2) .. ', which does not exist'}
  end
  staged[hash .. '\\0' .. key] = kind == 'p'
end
for i = 1, n do
  local hash, index, kind, key = KEYS[2 * i - 1], KEYS[2 * i], ARGV[5 * i - 4], ARGV[5 * i - 3]
  if kind == 'p' then
    redis.call('HSET', hash, key, ARGV[5 * i - 2])
    redis.call('ZADD', index, 0, key)
  else
    redis.call('HDEL', hash, key)
    redis.call('ZREM', index, key)
  end
end
return {'ok', n, ''}
`;

export interface RedisStoreOptions {
  readonly url: string;
  /** Prefix of every key, so several deployments (or tests) can share a server. @default 'mm' */
  readonly namespace?: string;
}

export class RedisStore implements Store {
  readonly #redis: RedisClient;
  readonly #base: string;
  #closed = false;
  #durable: boolean | undefined;

  private constructor(redis: RedisClient, base: string) {
    this.#redis = redis;
    this.#base = base;
    this.#redis.defineCommand('mmCommit', { lua: COMMIT });
  }

  /** Connects and checks the server's persistence settings. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const base = keyBase(options.namespace ?? 'mm');
    const redis = await connectRedis(options.url);
    const store = new RedisStore(redis, base);
    const [, appendonly] = await redis.config('GET', 'appendonly') as [string, string];
    const [, fsync] = await redis.config('GET', 'appendfsync') as [string, string];
    store.#durable = appendonly === 'yes' && fsync === 'always';
    return store;
  }

  #keys(collection: string): [string, string] {
    const base = `${this.#base}:${collection}`;
    return [`${base}:values`, `${base}:keys`];
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new MicromarketError('MM_ERR_STORE_CLOSED');
    return redisCall(run);
  }

  get<T extends Json = Json>(collection: string, key: string): Promise<T | undefined> {
    return this.#call(async () => {
      const text = await this.#redis.hget(this.#keys(collection)[0], key);
      return text === null ? undefined : JSON.parse(text) as T;
    });
  }

  list<T extends Json = Json>(collection: string, prefix = '', after?: string): Promise<Array<[string, T]>> {
    return this.#call(async () => {
      const [values, index] = this.#keys(collection);
      // Keys are UTF-8 bytes to Redis: the range ends at the prefix followed by byte 0xFF, which no UTF-8 text contains.
      const from = after !== undefined && after >= prefix ? `(${after}` : prefix === '' ? '-' : `[${prefix}`;
      const keys = prefix === '' ? await this.#redis.zrangebylex(index, from, '+')
        : await this.#redis.zrangebylex(index, from, Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]));
      if (keys.length === 0) return [];
      const texts = await this.#redis.hmget(values, ...keys);
      return keys.flatMap((key, i) => (texts[i] === null ? [] : [[key, JSON.parse(texts[i]!) as T] as [string, T]]));
    });
  }

  commit(ops: readonly WriteOp[]): Promise<void> {
    return this.#call(async () => {
      if (ops.length === 0) return;
      const keys = ops.flatMap((o) => this.#keys(o.collection));
      const args = ops.flatMap((o) => (o.op === 'put'
        ? ['p', o.key, JSON.stringify(o.value), o.ifAbsent ? '1' : '0', o.requires !== undefined ? `+${o.requires}` : '']
        : ['d', o.key, '', '0', '']));
      const [outcome, at, why] = await (this.#redis as unknown as { mmCommit(n: number, ...args: string[]): Promise<[string, number, string]> })
        .mmCommit(keys.length, ...keys, ...args);
      if (outcome === 'conflict') {
        const op = ops[at - 1]!;
        throw new MicromarketError('MM_ERR_STORE_CONFLICT', [op.collection, op.key, why]);
      }
    });
  }

  health(): StoreHealth {
    const status = this.#redis.status;
    return { kind: 'redis', ok: !this.#closed && status === 'ready', detail: { status, durable: this.#durable ?? false } };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
