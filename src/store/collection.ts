import { append, del, put, type DeleteOp, type Json, type PutOp, type Store } from './store.js';

type Part = string | number;

/**
 * A named collection of records of one type `T`, keyed by the parts `K` joined with '/' (the owning
 * party first wherever there is one, so a party's records are one prefix scan away). A key is given
 * as its parts, or as a whole key a listing returned. The methods are the one place a record meets
 * the Store's Json: callers read and write typed records.
 */
export class Collection<T, K extends readonly Part[] = [string]> {
  constructor(readonly name: string) {}

  /** The key of the record these parts name. */
  key(...parts: K): string {
    return parts.join('/');
  }

  async get(store: Store, key: string | K): Promise<T | undefined> {
    return (await store.get(this.name, this.#key(key))) as T | undefined;
  }

  /**
   * The records in key order; with `prefix` (leading key parts, or a key prefix as text) only the
   * keys under it, and with `after` only those after that key (the tail of a log).
   */
  async list(store: Store, prefix?: string | readonly Part[], after?: string): Promise<Array<[string, T]>> {
    const under = typeof prefix === 'string' || prefix === undefined ? prefix : prefix.map((p) => `${p}/`).join('');
    return (await store.list(this.name, under, after)) as Array<[string, T]>;
  }

  async values(store: Store, prefix?: string | readonly Part[]): Promise<T[]> {
    return (await this.list(store, prefix)).map(([, value]) => value);
  }

  put(key: string | K, value: T, ifAbsent = false): PutOp {
    return put(this.name, this.#key(key), value as Json, ifAbsent);
  }

  /** Appends a log entry: refused if `key` exists or, when given, if `previous` does not. */
  append(key: string | K, value: T, previous: string | undefined): PutOp {
    return append(this.name, this.#key(key), value as Json, previous);
  }

  del(key: string | K): DeleteOp {
    return del(this.name, this.#key(key));
  }

  #key(key: string | K): string {
    return typeof key === 'string' ? key : key.join('/');
  }
}
