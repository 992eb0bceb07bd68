/**
 * All state goes through a Store. Values are JSON documents in named collections. A commit is a
 * batch of writes applied atomically, and its promise resolves only once the batch is durable:
 * an acknowledged write survives `kill -9`. Implementations: the embedded journal store
 * (default) and Redis; both pass the same conformance suite.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface PutOp {
  readonly op: 'put';
  readonly collection: string;
  readonly key: string;
  readonly value: Json;
  /** Refuse the whole batch (MM_ERR_STORE_CONFLICT) if the key already exists. */
  readonly ifAbsent?: boolean;
  /**
   * Refuse the whole batch unless this other key of the same collection exists: appending entry n
   * of a log requires entry n-1, so a writer whose earlier append failed cannot leave a gap.
   */
  readonly requires?: string;
  /** See {@link ifUnchanged}. */
  readonly unchanged?: Json;
}

export interface DeleteOp {
  readonly op: 'delete';
  readonly collection: string;
  readonly key: string;
  /** See {@link ifUnchanged}. */
  readonly unchanged?: Json;
}

export type WriteOp = PutOp | DeleteOp;

export interface StoreHealth {
  readonly kind: 'embedded' | 'redis';
  readonly ok: boolean;
  readonly detail: Readonly<Record<string, string | number | boolean>>;
}

export interface Store {
  /** A copy of the value, or undefined. Sees only acknowledged writes. */
  get<T extends Json = Json>(collection: string, key: string): Promise<T | undefined>;
  /**
   * Every entry of a collection in key order, optionally only keys starting with `prefix`, only keys
   * after `after` (the tail of a log, the next page), and at most `limit` of them. Costs what it
   * returns, not what the collection holds.
   */
  list<T extends Json = Json>(collection: string, prefix?: string, after?: string, limit?: number): Promise<Array<[string, T]>>;
  /** Applies the writes atomically; resolves once durable. Rejects the whole batch on conflict. */
  commit(ops: readonly WriteOp[]): Promise<void>;
  /**
   * Counts one more event under `name` and returns the count so far. Counts are not durable: they
   * vanish a minute after their last use, so a name carries its own window (`<party>/<second>`). On
   * Redis every instance of the namespace counts together.
   */
  tally(name: string): Promise<number>;
  health(): StoreHealth;
  /** Finishes pending commits, then releases files and connections. */
  close(): Promise<void>;
}

export const put = (collection: string, key: string, value: Json, ifAbsent = false): PutOp =>
  ({ op: 'put', collection, key, value, ...(ifAbsent ? { ifAbsent } : {}) });
/** Appends a log entry: refused if `key` exists or, when given, if `previous` does not. */
export const append = (collection: string, key: string, value: Json, previous: string | undefined): PutOp =>
  ({ op: 'put', collection, key, value, ifAbsent: true, ...(previous !== undefined ? { requires: previous } : {}) });
export const del = (collection: string, key: string): DeleteOp => ({ op: 'delete', collection, key });
/**
 * The write, applied only if its key still holds `seen` (the value the writer read; undefined: the
 * key was absent). If another writer changed the key since, this write alone is skipped and the
 * rest of its batch applies: the newer value stands, as when a gate closure flags new events for a
 * VEN while a poll that read the old flag is still answering.
 */
export const ifUnchanged = <T extends WriteOp>(op: T, seen: unknown): T => ({ ...op, unchanged: (seen ?? null) as Json });
