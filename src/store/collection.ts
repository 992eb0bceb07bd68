import { append, del, put, type DeleteOp, type Json, type PutOp, type Store } from './store.js';

/**
 * A named collection of records of one type `T`, keyed by the parts `K` joined with '/' (the owning
 * party first wherever there is one, so a party's records are one prefix scan away). Its methods
 * are the one place a record meets the Store's Json: callers read and write typed records.
 */
export class Collection<T, K extends readonly string[] = [string]> {
  constructor(readonly name: string) {}

  /** The key of the record these parts name. */
  key(...parts: K): string {
    return parts.join('/');
  }

  /** The prefix of every key that starts with these parts: a list of one party's records. */
  prefix(...parts: string[]): string {
    return parts.map((p) => `${p}/`).join('');
  }

  async get(store: Store, key: string): Promise<T | undefined> {
    return (await store.get(this.name, key)) as T | undefined;
  }

  /** The records in key order, optionally only keys starting with `prefix` and after `after`. */
  async list(store: Store, prefix?: string, after?: string): Promise<Array<[string, T]>> {
    return (await store.list(this.name, prefix, after)) as Array<[string, T]>;
  }

  async values(store: Store, prefix?: string): Promise<T[]> {
    return (await this.list(store, prefix)).map(([, value]) => value);
  }

  put(key: string, value: T, ifAbsent = false): PutOp {
    return put(this.name, key, value as Json, ifAbsent);
  }

  /** Appends a log entry: refused if `key` exists or, when given, if `previous` does not. */
  append(key: string, value: T, previous: string | undefined): PutOp {
    return append(this.name, key, value as Json, previous);
  }

  del(key: string): DeleteOp {
    return del(this.name, key);
  }
}
