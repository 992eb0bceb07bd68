import { describe, expect, it } from 'vitest';
import type { MicromarketError } from '../../src/errors.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { append, del, ifUnchanged, put, type Store } from '../../src/store/store.js';

export interface StoreFactory {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** Closes nothing: opens the same data again, as a restarted process would. */
  reopen(previous: Store): Promise<Store>;
}

/**
 * Redis stores for the conformance suite, each in a namespace of its own on one server (or cluster),
 * so the cases cannot see each other's data. Reopening abandons the first client, as a crashed
 * process would leave it.
 */
export function redisStores(url: () => string, prefix: string): StoreFactory {
  let count = 0;
  const namespaces = new WeakMap<object, string>();
  return {
    async open() {
      const namespace = `${prefix}${++count}`;
      const store = await RedisStore.open({ url: url(), namespace });
      namespaces.set(store, namespace);
      return store;
    },
    reopen: (previous) => RedisStore.open({ url: url(), namespace: namespaces.get(previous)! }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<MicromarketError> {
  try {
    await promise;
  } catch (error) {
    return error as MicromarketError;
  }
  throw new Error('promise resolved');
}

/** Behaviour every Store implementation must have. */
export function storeConformance(name: string, factory: StoreFactory): void {
  describe(`${name} store conformance`, () => {
    it('tallies events by name, apart from the records', async () => {
      const store = await factory.open();
      expect([await store.tally('requests/a/1'), await store.tally('requests/a/1'), await store.tally('requests/b/1')]).toEqual([1, 2, 1]);
      expect(await Promise.all(Array.from({ length: 5 }, () => store.tally('requests/a/2')))).toEqual([1, 2, 3, 4, 5]);
      expect(await store.list('requests')).toEqual([]);
      await store.close();
    });

    it('lists exactly the keys under a prefix after a key, whatever sorts between them', async () => {
      const store = await factory.open();
      await store.commit(['b', 'a0', 'a/2', 'a/1/x', 'a/1', 'a'].map((k, i) => put('c', k, i)));
      const keys = async (prefix?: string, after?: string) => (await store.list('c', prefix, after)).map(([k]) => k);
      expect(await keys('a/')).toEqual(['a/1', 'a/1/x', 'a/2']);
      expect(await keys('a/', 'a/1')).toEqual(['a/1/x', 'a/2']);
      expect(await keys('a/', '0')).toEqual(['a/1', 'a/1/x', 'a/2']);
      expect(await keys('a/', 'zzz')).toEqual([]);
      expect(await keys('', 'a0')).toEqual(['b']);
      // A page: at most `limit`, the next one after the last key of the previous.
      const page = async (prefix: string, after: string | undefined, limit: number) => (await store.list('c', prefix, after, limit)).map(([k]) => k);
      expect(await page('a/', undefined, 2)).toEqual(['a/1', 'a/1/x']);
      expect(await page('a/', 'a/1/x', 2)).toEqual(['a/2']);
      expect(await page('', undefined, 1)).toEqual(['a']);
      await store.commit([del('c', 'a/1')]);
      expect(await keys('a/')).toEqual(['a/1/x', 'a/2']);
      await store.close();
    });

    it('reads back what was committed, as a copy', async () => {
      const store = await factory.open();
      await store.commit([put('tenders', 't-1', { quantity: 5, side: 'buy' })]);
      const value = await store.get<{ quantity: number }>('tenders', 't-1');
      expect(value).toEqual({ quantity: 5, side: 'buy' });
      value!.quantity = 99;
      expect(await store.get('tenders', 't-1')).toEqual({ quantity: 5, side: 'buy' });
      expect(await store.get('tenders', 'missing')).toBeUndefined();
      expect(await store.get('other', 't-1')).toBeUndefined();
      await store.close();
    });

    it('lists a collection in key order, filtered by prefix', async () => {
      const store = await factory.open();
      await store.commit([put('c', 'b/2', 2), put('c', 'a/1', 1), put('c', 'b/1', 3), put('d', 'b/0', 0)]);
      expect(await store.list('c')).toEqual([['a/1', 1], ['b/1', 3], ['b/2', 2]]);
      expect(await store.list('c', 'b/')).toEqual([['b/1', 3], ['b/2', 2]]);
      expect(await store.list('empty')).toEqual([]);
      // Keys beyond ASCII are found by prefix too (the Redis store ranges over their UTF-8 bytes).
      await store.commit([put('c', 'b/über', 4), put('c', 'b/中', 5), put('c', 'bz', 6)]);
      expect(await store.list('c', 'b/')).toEqual([['b/1', 3], ['b/2', 2], ['b/über', 4], ['b/中', 5]]);
      await store.close();
    });

    it('answers reads issued together each with its own answer, and lists thousands of entries', async () => {
      const store = await factory.open();
      const log = Array.from({ length: 2500 }, (_, i) => put('log', `m/${String(i).padStart(4, '0')}`, { i }));
      await store.commit([...log, put('c', 'k', 'v'), put('other', 'k', 'w')]);
      // Issued in one turn of the event loop (the Redis store sends them as one read).
      const [v, w, none, all, tail, empty] = await Promise.all([store.get('c', 'k'), store.get('other', 'k'), store.get('c', 'missing'),
        store.list<{ i: number }>('log', 'm/'), store.list<{ i: number }>('log', 'm/', 'm/2497'), store.list('nothing')]);
      expect([v, w, none, empty]).toEqual(['v', 'w', undefined, []]);
      expect(all.map(([, x]) => x.i)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
      expect(all[1234]).toEqual(['m/1234', { i: 1234 }]);
      expect(tail).toEqual([['m/2498', { i: 2498 }], ['m/2499', { i: 2499 }]]);
      await store.close();
    });

    it('applies an ifUnchanged write only while its key holds what the writer saw, and the rest of the batch regardless', async () => {
      const store = await factory.open();
      await store.commit([put('flags', 'ven-a', { since: 1, deliveries: 0 })]);
      const seen = await store.get('flags', 'ven-a');
      // Unchanged: the write applies.
      await store.commit([ifUnchanged(put('flags', 'ven-a', { since: 1, deliveries: 1 }), seen)]);
      expect(await store.get('flags', 'ven-a')).toEqual({ since: 1, deliveries: 1 });
      // Changed since it was read (a newer flag): the stale delete is skipped, the other write in its batch applies.
      await store.commit([put('flags', 'ven-a', { since: 2, deliveries: 0 })]);
      await store.commit([ifUnchanged(del('flags', 'ven-a'), { since: 1, deliveries: 1 }), put('queue', 'q1', 'sent')]);
      expect([await store.get('flags', 'ven-a'), await store.get('queue', 'q1')]).toEqual([{ since: 2, deliveries: 0 }, 'sent']);
      // Seen absent: applies while the key is still absent, not once it exists. Earlier ops of the same batch count.
      await store.commit([ifUnchanged(put('flags', 'ven-b', 1), undefined)]);
      await store.commit([ifUnchanged(put('flags', 'ven-b', 2), undefined)]);
      expect(await store.get('flags', 'ven-b')).toBe(1);
      await store.commit([del('flags', 'ven-b'), ifUnchanged(put('flags', 'ven-b', 3), undefined), ifUnchanged(put('flags', 'ven-b', 4), 1)]);
      expect(await store.get('flags', 'ven-b')).toBe(3);
      // Concurrent commits in one group see each other in order: only the first of two identical compare-and-sets applies.
      await Promise.all([store.commit([ifUnchanged(put('flags', 'ven-b', 5), 3)]), store.commit([ifUnchanged(put('flags', 'ven-b', 6), 3)])]);
      expect(await store.get('flags', 'ven-b')).toBe(5);
      const again = await factory.reopen(store);
      expect([await again.get('flags', 'ven-a'), await again.get('flags', 'ven-b')]).toEqual([{ since: 2, deliveries: 0 }, 5]);
      await again.close();
    });

    it('lists the tail of a log: only keys after a given one', async () => {
      const store = await factory.open();
      await store.commit([put('log', 'm/01', 1), put('log', 'm/02', 2), put('log', 'm/03', 3), put('log', 'n/01', 9)]);
      expect(await store.list('log', 'm/', 'm/01')).toEqual([['m/02', 2], ['m/03', 3]]);
      expect(await store.list('log', 'm/', 'm/03')).toEqual([]);
      // A starting key below the prefix lists the whole prefix; above it, nothing.
      expect(await store.list('log', 'm/', 'a')).toHaveLength(3);
      expect(await store.list('log', 'm/', 'z')).toEqual([]);
      expect(await store.list('log', '', 'm/03')).toEqual([['n/01', 9]]);
      await store.close();
    });

    it('appends to a log only after its previous entry, never over an entry', async () => {
      const store = await factory.open();
      await store.commit([append('log', 'm/01', 1, undefined)]);
      // Entry 3 without entry 2: the whole batch is refused, its other writes too.
      const gap = await rejection(store.commit([put('other', 'x', 1), append('log', 'm/03', 3, 'm/02')]));
      expect(gap.code).toBe('MM_ERR_STORE_CONFLICT');
      expect(gap.message).toContain('m/02');
      expect(await store.get('other', 'x')).toBeUndefined();
      // Entries 2 and 3 in one batch: 3 finds 2 written earlier in the batch.
      await store.commit([append('log', 'm/02', 2, 'm/01'), append('log', 'm/03', 3, 'm/02')]);
      // Two writers appending entry 4 concurrently: exactly one wins.
      const results = await Promise.allSettled([store.commit([append('log', 'm/04', 'a', 'm/03')]), store.commit([append('log', 'm/04', 'b', 'm/03')])]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await store.list('log')).map(([k]) => k)).toEqual(['m/01', 'm/02', 'm/03', 'm/04']);
      await store.close();
    });

    it('overwrites and deletes', async () => {
      const store = await factory.open();
      await store.commit([put('c', 'k', 1)]);
      await store.commit([put('c', 'k', 2), put('c', 'j', 3)]);
      await store.commit([del('c', 'j'), del('c', 'never-there')]);
      expect(await store.list('c')).toEqual([['k', 2]]);
      await store.close();
    });

    it('applies a batch all or nothing: a conflict refuses every write in it', async () => {
      const store = await factory.open();
      await store.commit([put('requests', 'p1/req-1', { first: true })]);
      const error = await rejection(store.commit([
        put('tenders', 't-9', { quantity: 1 }),
        put('requests', 'p1/req-1', { first: false }, true),
      ]));
      expect(error.code).toBe('MM_ERR_STORE_CONFLICT');
      expect(await store.get('tenders', 't-9')).toBeUndefined();
      expect(await store.get('requests', 'p1/req-1')).toEqual({ first: true });
      await store.close();
    });

    it('lets exactly one of two concurrent ifAbsent writes of a key win', async () => {
      const store = await factory.open();
      const results = await Promise.allSettled([
        store.commit([put('requests', 'p1/req-2', 'a', true)]),
        store.commit([put('requests', 'p1/req-2', 'b', true)]),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = results[0]!.status === 'fulfilled' ? 'a' : 'b';
      expect(await store.get('requests', 'p1/req-2')).toBe(winner);
      await store.close();
    });

    it('keeps every acknowledged write across a restart', async () => {
      const store = await factory.open();
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit([put('c', `k${String(i).padStart(2, '0')}`, { i })])));
      await store.commit([del('c', 'k07')]);
      const again = await factory.reopen(store);
      const entries = await again.list('c');
      expect(entries).toHaveLength(49);
      expect(entries.find(([k]) => k === 'k07')).toBeUndefined();
      expect(await again.get('c', 'k49')).toEqual({ i: 49 });
      await again.close();
    });

    it('refuses commits once closed', async () => {
      const store = await factory.open();
      await store.close();
      expect((await rejection(store.commit([put('c', 'k', 1)]))).code).toBe('MM_ERR_STORE_CLOSED');
    });
  });
}
