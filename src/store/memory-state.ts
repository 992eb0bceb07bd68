import { createRequire } from 'node:module';
import { MicromarketError } from '../errors.js';
import type { Json, WriteOp } from './store.js';

/** A write as the journal and the state hold it: values already serialised once. */
export type EncodedOp = readonly ['p', string, string, string] | readonly ['d', string, string];

export function encodeOps(ops: readonly WriteOp[]): EncodedOp[] {
  return ops.map((o) => (o.op === 'put' ? ['p', o.collection, o.key, jsonText(o.value)] as const : ['d', o.collection, o.key] as const));
}

/**
 * JSON text of a value, as one flat string. V8's JSON.stringify returns a rope: its output parts
 * (32, 64, 128... characters) joined by concatenation nodes, about ten heap objects for a 1 KB
 * record. Held for the life of the state, those ropes multiplied the objects every garbage
 * collection must visit and copy; converting the text to a number (NaN, discarded) makes V8
 * flatten it in place, into one string.
 */
function jsonText(value: unknown): string {
  const text = JSON.stringify(value);
  void Number(text);
  return text;
}

// sorted-btree is CommonJS with its class on `default`: required, so every loader sees that one shape.
const { default: BTree } = createRequire(import.meta.url)('sorted-btree') as typeof import('sorted-btree');

/** A collection's entries: their JSON text by key, and the keys in order, so a listing reads only what it returns. */
interface Entries {
  readonly values: Map<string, string>;
  readonly order: InstanceType<typeof BTree<string, undefined>>;
}

/**
 * The current state: collection → key → JSON text. Keeping text means a read hands out a fresh
 * copy (JSON.parse) and a snapshot writes values without serialising them again.
 */
export class MemoryState {
  readonly #collections = new Map<string, Entries>();
  entries = 0;

  get(collection: string, key: string): string | undefined {
    return this.#collections.get(collection)?.values.get(key);
  }

  /** The entries under `prefix` after `after`, in key order: O(log n) to find the first, then one step per entry. */
  list(collection: string, prefix = '', after = '', limit = Number.POSITIVE_INFINITY): Array<[string, Json]> {
    const entries = this.#collections.get(collection);
    if (!entries) return [];
    const out: Array<[string, Json]> = [];
    for (const key of entries.order.keys(after > prefix ? after : prefix)) {
      if (!key.startsWith(prefix) || out.length >= limit) break;
      if (key > after) out.push([key, JSON.parse(entries.values.get(key)!) as Json]);
    }
    return out;
  }

  /**
   * The ops of a batch that apply, looking through `staged` (writes accepted earlier in the same
   * group commit but not yet applied) and earlier ops of the batch: an `ifUnchanged` op whose key
   * no longer holds the value its writer saw is left out. Throws MM_ERR_STORE_CONFLICT, refusing the
   * batch, if an `ifAbsent` put would overwrite or a put's `requires` key is missing.
   */
  admit(ops: readonly WriteOp[], staged: ReadonlyMap<string, WriteOp>): WriteOp[] {
    const batch = new Map<string, WriteOp>();
    const latest = (collection: string, key: string) => {
      const id = stagedKey(collection, key);
      return batch.get(id) ?? staged.get(id);
    };
    // JSON text, as stored; a staged put's value is serialised only when an ifUnchanged op asks.
    const text = (collection: string, key: string) => {
      const op = latest(collection, key);
      return op === undefined ? this.get(collection, key) : op.op === 'put' ? JSON.stringify(op.value) : undefined;
    };
    const exists = (collection: string, key: string) => {
      const op = latest(collection, key);
      return op === undefined ? this.get(collection, key) !== undefined : op.op === 'put';
    };
    const admitted: WriteOp[] = [];
    for (const o of ops) {
      if (o.unchanged !== undefined && text(o.collection, o.key) !== (o.unchanged === null ? undefined : JSON.stringify(o.unchanged))) continue;
      if (o.op === 'put' && o.ifAbsent && exists(o.collection, o.key)) throw new MicromarketError('MM_ERR_STORE_CONFLICT', [o.collection, o.key, 'already exists']);
      if (o.op === 'put' && o.requires !== undefined && !exists(o.collection, o.requires)) {
        throw new MicromarketError('MM_ERR_STORE_CONFLICT', [o.collection, o.key, `needs ${o.requires}, which does not exist`]);
      }
      batch.set(stagedKey(o.collection, o.key), o);
      admitted.push(o);
    }
    return admitted;
  }

  apply(ops: readonly EncodedOp[]): void {
    for (const o of ops) {
      let entries = this.#collections.get(o[1]);
      if (o[0] === 'p') {
        if (!entries) this.#collections.set(o[1], (entries = { values: new Map(), order: new BTree<string, undefined>(undefined, compareKeys) }));
        if (!entries.values.has(o[2])) {
          this.entries++;
          entries.order.set(o[2], undefined);
        }
        entries.values.set(o[2], o[3]);
      } else if (entries?.values.delete(o[2])) {
        entries.order.delete(o[2]);
        this.entries--;
      }
    }
  }

  /** Every entry as encoded put operations, for a snapshot. */
  *dump(): Generator<EncodedOp> {
    for (const [collection, entries] of this.#collections) {
      for (const [key, json] of entries.values) yield ['p', collection, key, json];
    }
  }
}

/** Keys in the order of JavaScript's string comparison (UTF-16 code units), as `sort()` put them. */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function stagedKey(collection: string, key: string): string {
  return `${collection}\u0000${key}`;
}

/** Serialises encoded ops as a JSON array, embedding each value's JSON text as it is. */
export function opsToJson(ops: Iterable<EncodedOp>): string {
  const parts: string[] = [];
  for (const o of ops) {
    const head = `[${JSON.stringify(o[0])},${JSON.stringify(o[1])},${JSON.stringify(o[2])}`;
    parts.push(o[0] === 'p' ? `${head},${o[3]}]` : `${head}]`);
  }
  return `[${parts.join(',')}]`;
}

/** Reads ops written by opsToJson back into encoded form. */
export function opsFromJson(raw: unknown): EncodedOp[] {
  if (!Array.isArray(raw)) throw new Error('ops are not an array');
  return raw.map((o: unknown) => {
    if (!Array.isArray(o) || typeof o[1] !== 'string' || typeof o[2] !== 'string') throw new Error('malformed op');
    if (o[0] === 'p') return ['p', o[1], o[2], jsonText(o[3])] as const;
    if (o[0] === 'd') return ['d', o[1], o[2]] as const;
    throw new Error(`unknown op ${String(o[0])}`);
  });
}
