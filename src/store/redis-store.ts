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
 * Reads issued in one turn of the event loop (a request's lookups, issued together) travel as one
 * read script: one command to build, send and parse instead of one per lookup, and one consistent
 * view of them all.
 *
 * All keys carry the namespace as hash tag, so on Redis Cluster a batch that spans collections stays in one slot.
 */
import { MicromarketError } from '../errors.js';
import { Cluster } from 'ioredis';
import { checkFormat, STORE_FORMAT } from './format.js';
import { TALLY_TTL_MS } from './tallies.js';
import { connectRedis, keyBase, redisCall, type RedisClient } from './redis-connection.js';
import type { Json, Store, StoreHealth, WriteOp } from './store.js';

/**
 * KEYS: per op, the collection's hash then its key index. ARGV: per op, kind (p/d), key, JSON value
 * ('' for deletes), ifAbsent (1/0), '' or '+' followed by the key the put requires, and '' or '='
 * followed by the JSON text the key must still hold ('=' alone: must still be absent) for the op to
 * apply. Answers {'conflict', n, why} naming the first refused op (1-based).
 */
const COMMIT = `
local n = #ARGV / 6
-- What earlier ops of the batch leave at a key: its JSON text, or false once deleted.
local staged = {}
local function current(hash, key)
  local id = hash .. '\\0' .. key
  if staged[id] ~= nil then return staged[id] end
  return redis.call('HGET', hash, key)
end
local function exists(hash, key)
  local id = hash .. '\\0' .. key
  if staged[id] ~= nil then return staged[id] ~= false end
  return redis.call('HEXISTS', hash, key) == 1
end
local apply = {}
for i = 1, n do
  local hash, kind, key, value, absent, requires, unchanged = KEYS[2 * i - 1], ARGV[6 * i - 5], ARGV[6 * i - 4], ARGV[6 * i - 3], ARGV[6 * i - 2], ARGV[6 * i - 1], ARGV[6 * i]
  apply[i] = unchanged == '' or (current(hash, key) or '') == string.sub(unchanged, 2)
  if apply[i] then
    if absent == '1' and exists(hash, key) then return {'conflict', i, 'already exists'} end
    if requires ~= '' and not exists(hash, string.sub(requires, 2)) then
      return {'conflict', i, 'needs ' .. string.sub(requires, 2) .. ', which does not exist'}
    end
    staged[hash .. '\\0' .. key] = kind == 'p' and value
  end
end
for i = 1, n do
  local hash, index, kind, key = KEYS[2 * i - 1], KEYS[2 * i], ARGV[6 * i - 5], ARGV[6 * i - 4]
  if not apply[i] then
  elseif kind == 'p' then
    redis.call('HSET', hash, key, ARGV[6 * i - 3])
    redis.call('ZADD', index, 0, key)
  else
    redis.call('HDEL', hash, key)
    redis.call('ZREM', index, key)
  end
end
return {'ok', n, ''}
`;

/**
 * KEYS: per read, the collection's hash then its key index. ARGV: per read, four: 'g', the key and two
 * blanks; or 'l', the lexical range's bounds and the most keys to list ('' for all). Answers per read:
 * the value (false if none), or the listed keys and values, interleaved.
 */
const READ = `
local out = {}
for i = 1, #ARGV / 4 do
  local hash, index, kind, a, b, limit = KEYS[2 * i - 1], KEYS[2 * i], ARGV[4 * i - 3], ARGV[4 * i - 2], ARGV[4 * i - 1], ARGV[4 * i]
  if kind == 'g' then
    out[i] = redis.call('HGET', hash, a)
  else
    local keys
    if limit == '' then keys = redis.call('ZRANGEBYLEX', index, a, b) else keys = redis.call('ZRANGEBYLEX', index, a, b, 'LIMIT', 0, tonumber(limit)) end
    local found = {}
    for from = 1, #keys, 1000 do
      local values = redis.call('HMGET', hash, unpack(keys, from, math.min(from + 999, #keys)))
      for j = 1, #values do
        found[#found + 1] = keys[from + j - 1]
        found[#found + 1] = values[j]
      end
    end
    out[i] = found
  end
end
return out
`;

type Read = { readonly collection: string; readonly args: readonly ['g', string, '', ''] | readonly ['l', string, string | Buffer, string] };
type Waiting = { readonly read: Read; readonly resolve: (answer: unknown) => void; readonly reject: (error: unknown) => void };

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
  /** Reads issued in this turn of the event loop, sent together when it ends. */
  #reads: Waiting[] | undefined;

  private constructor(redis: RedisClient, base: string) {
    this.#redis = redis;
    this.#base = base;
    this.#redis.defineCommand('mmCommit', { lua: COMMIT });
    this.#redis.defineCommand('mmRead', { lua: READ });
  }

  /** Connects and checks the server's persistence settings. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const base = keyBase(options.namespace ?? 'mm');
    const redis = await connectRedis(options.url);
    const store = new RedisStore(redis, base);
    await stampFormat(redis, base).catch((error: unknown) => {
      redis.disconnect();
      throw error;
    });
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

  async get<T extends Json = Json>(collection: string, key: string): Promise<T | undefined> {
    const text = await this.#read({ collection, args: ['g', key, '', ''] }) as string | null;
    return text === null ? undefined : JSON.parse(text) as T;
  }

  async list<T extends Json = Json>(collection: string, prefix = '', after?: string, limit?: number): Promise<Array<[string, T]>> {
    // Keys are UTF-8 bytes to Redis: the range ends at the prefix followed by byte 0xFF, which no UTF-8 text contains.
    const from = after !== undefined && after >= prefix ? `(${after}` : prefix === '' ? '-' : `[${prefix}`;
    const to = prefix === '' ? '+' : Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]);
    const found = await this.#read({ collection, args: ['l', from, to, limit === undefined ? '' : String(limit)] }) as Array<string | null>;
    const entries: Array<[string, T]> = [];
    for (let i = 0; i < found.length; i += 2) if (found[i + 1] !== null) entries.push([found[i]!, JSON.parse(found[i + 1]!) as T]);
    return entries;
  }

  #read(read: Read): Promise<unknown> {
    if (this.#closed) return Promise.reject(new MicromarketError('MM_ERR_STORE_CLOSED'));
    if (!this.#reads) {
      const reads: Waiting[] = this.#reads = [];
      process.nextTick(() => {
        this.#reads = undefined;
        void this.#send(reads);
      });
    }
    return new Promise((resolve, reject) => this.#reads!.push({ read, resolve, reject }));
  }

  async #send(reads: readonly Waiting[]): Promise<void> {
    try {
      const answers = await redisCall(() => (this.#redis as unknown as { mmRead(n: number, ...args: Array<string | Buffer>): Promise<unknown[]> })
        .mmRead(2 * reads.length, ...reads.flatMap((r) => this.#keys(r.read.collection)), ...reads.flatMap((r) => r.read.args)));
      reads.forEach((r, i) => r.resolve(answers[i]));
    } catch (error) {
      for (const r of reads) r.reject(error);
    }
  }

  commit(ops: readonly WriteOp[]): Promise<void> {
    return this.#call(async () => {
      if (ops.length === 0) return;
      const keys = ops.flatMap((o) => this.#keys(o.collection));
      const unchanged = (o: WriteOp) => (o.unchanged === undefined ? '' : o.unchanged === null ? '=' : `=${JSON.stringify(o.unchanged)}`);
      const args = ops.flatMap((o) => (o.op === 'put'
        ? ['p', o.key, JSON.stringify(o.value), o.ifAbsent ? '1' : '0', o.requires !== undefined ? `+${o.requires}` : '', unchanged(o)]
        : ['d', o.key, '', '0', '', unchanged(o)]));
      const [outcome, at, why] = await (this.#redis as unknown as { mmCommit(n: number, ...args: string[]): Promise<[string, number, string]> })
        .mmCommit(keys.length, ...keys, ...args);
      if (outcome === 'conflict') {
        const op = ops[at - 1]!;
        throw new MicromarketError('MM_ERR_STORE_CONFLICT', [op.collection, op.key, why]);
      }
    });
  }

  tally(name: string): Promise<number> {
    return this.#call(async () => {
      const key = `${this.#base}:tally:${name}`;
      const [[, n]] = await this.#redis.multi().incr(key).pexpire(key, TALLY_TTL_MS).exec() as [[null, number], unknown];
      return n;
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

/**
 * Checks the namespace's format stamp, or stamps a namespace that holds no other key yet. Instances
 * starting together agree: the stamp is set only if absent, and one found meanwhile is checked.
 */
async function stampFormat(redis: RedisClient, base: string): Promise<void> {
  const where = `Redis namespace ${base}`;
  const key = `${base}:format`;
  const stamp = await redis.get(key);
  if (stamp !== null) return checkFormat(where, stamp);
  if (await holdsKeys(redis, base, key)) return checkFormat(where, await redis.get(key) ?? undefined);
  if (await redis.set(key, String(STORE_FORMAT), 'NX') === null) checkFormat(where, await redis.get(key) ?? undefined);
}

/** Whether the namespace holds a key other than `except`: a scan of the server (on a Cluster, of each primary), so run only while unstamped. */
async function holdsKeys(redis: RedisClient, base: string, except: string): Promise<boolean> {
  for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${base}:*`, 'COUNT', 1000);
      if (keys.some((k) => k !== except)) return true;
      cursor = next;
    } while (cursor !== '0');
  }
  return false;
}

