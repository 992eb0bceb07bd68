import { append, del, put, type DeleteOp, type Json, type PutOp, type Store } from './store.js';

type Part = string | number;

declare const encoded: unique symbol;
/** A whole key as a collection encodes it: made only by {@link Collection.key} or returned by a listing. */
export type Key = string & { readonly [encoded]: true };

/**
 * One key part, encoded so no part can reach into another's: '/' separates parts, so it is written
 * '%2F' inside a part, and '%' (the escape) '%25'. Any other character stands for itself, so keys of
 * ordinary IDs read as they are and sort as they did.
 */
const encodePart = (part: Part): string => String(part).replace(/%/g, '%25').replace(/\//g, '%2F');
const decodePart = (part: string): string => part.replace(/%2F/g, '/').replace(/%25/g, '%');

/** An instant (ms) as a key part that sorts as it counts: 15 digits reach the year 33658. */
export const timePart = (ms: number): string => String(ms).padStart(15, '0');

/**
 * A named collection of records of one type `T`, keyed by the parts `K` (the owning party first
 * wherever there is one, so a party's records are one prefix scan away). Parts are encoded whatever
 * they contain, so party `a/b`'s records never list under party `a`. A key is given as its parts, or
 * as a whole key from {@link key} or a listing. The methods are the one place a record meets the
 * Store's Json: callers read and write typed records.
 */
export class Collection<T, K extends readonly Part[] = [string]> {
  constructor(readonly name: string) {}

  /** The key of the record these parts name. */
  key(...parts: K): Key {
    return parts.map(encodePart).join('/') as Key;
  }

  /** The parts of a key, decoded (numbers as their text). */
  parts(key: Key): { [I in keyof K]: string } {
    return key.split('/').map(decodePart) as { [I in keyof K]: string };
  }

  async get(store: Store, key: Key | K): Promise<T | undefined> {
    return (await store.get(this.name, this.#key(key))) as T | undefined;
  }

  /**
   * The records in key order; with `prefix` (leading key parts) only the keys under it, with `after`
   * only those after that key (the tail of a log, the next page), and at most `limit` of them.
   */
  async list(store: Store, prefix: readonly Part[] = [], after?: Key, limit?: number): Promise<Array<[Key, T]>> {
    return (await store.list(this.name, prefix.map((p) => `${encodePart(p)}/`).join(''), after, limit)) as Array<[Key, T]>;
  }

  async values(store: Store, prefix?: readonly Part[]): Promise<T[]> {
    return (await this.list(store, prefix)).map(([, value]) => value);
  }

  put(key: Key | K, value: T, ifAbsent = false): PutOp {
    return put(this.name, this.#key(key), value as Json, ifAbsent);
  }

  /** Appends a log entry: refused if `key` exists or, when given, if `previous` does not. */
  append(key: Key | K, value: T, previous: Key | undefined): PutOp {
    return append(this.name, this.#key(key), value as Json, previous);
  }

  del(key: Key | K): DeleteOp {
    return del(this.name, this.#key(key));
  }

  #key(key: Key | K): string {
    return typeof key === 'string' ? key : this.key(...key);
  }
}
