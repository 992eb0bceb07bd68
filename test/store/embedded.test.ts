import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MicromarketError } from '../../src/errors.js';
import { EmbeddedStore } from '../../src/store/embedded-store.js';
import { frameAll } from '../../src/store/framing.js';
import { STORE_FORMAT } from '../../src/store/format.js';
import { del, put } from '../../src/store/store.js';
import { storeConformance } from './conformance.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-store-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const opened = new WeakMap<object, string>();
storeConformance('embedded', {
  async open() {
    const dir = await freshDir();
    const store = await EmbeddedStore.open({ dir, snapshotEvery: 20 });
    opened.set(store, dir);
    return store;
  },
  // No close: the first instance is abandoned as a crashed process would leave it.
  reopen: (previous) => EmbeddedStore.open({ dir: opened.get(previous)!, snapshotEvery: 20 }),
});

async function lastSegment(dir: string): Promise<string> {
  const segments = (await readdir(dir)).filter((f) => f.startsWith('journal-')).sort();
  return join(dir, segments.at(-1)!);
}

describe('embedded store recovery', () => {
  it('rebuilds from the newest snapshot plus the journal after it', async () => {
    const dir = await freshDir();
    const store = await EmbeddedStore.open({ dir, snapshotEvery: 10 });
    const files = async (prefix: string) => (await readdir(dir)).filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp')).sort();
    const until = async (prefix: string, expected: string[]) => {
      for (let i = 0; i < 250 && (await files(prefix)).join() !== expected.join(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await files(prefix)).toEqual(expected);
    };
    for (let i = 0; i < 10; i++) await store.commit([put('c', `k${i}`, i)]);
    // A worker thread writes the snapshot of commits 1-10 from the closed journal segment.
    await until('snapshot-', ['snapshot-00000000000000000010.snap']);
    for (let i = 10; i < 20; i++) await store.commit([put('c', `k${i}`, i)]);
    await until('snapshot-', ['snapshot-00000000000000000020.snap']);
    await until('journal-', ['journal-00000000000000000021.log']);
    for (let i = 20; i < 25; i++) await store.commit([put('c', `k${i}`, i)]);
    await store.commit([del('c', 'k3'), del('c', 'k22')]);
    const again = await EmbeddedStore.open({ dir, snapshotEvery: 10 });
    expect((await again.list('c')).length).toBe(23);
    expect(again.health().detail.seq).toBe(26);
    await again.close();
  });

  it('drops a torn final record and goes on appending', async () => {
    const dir = await freshDir();
    const store = await EmbeddedStore.open({ dir, snapshotEvery: 1000 });
    for (let i = 0; i < 5; i++) await store.commit([put('c', `k${i}`, i)]);
    const torn = frameAll(['{"seq":6,"ops":[["p","c","k5",5]]}']).subarray(0, 20);
    await appendFile(await lastSegment(dir), torn);
    const again = await EmbeddedStore.open({ dir, snapshotEvery: 1000 });
    expect(again.tornBytesDropped).toBe(20);
    expect((await again.list('c')).map(([k]) => k)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    await again.commit([put('c', 'k5', 'after')]);
    const third = await EmbeddedStore.open({ dir, snapshotEvery: 1000 });
    expect(third.tornBytesDropped).toBe(0);
    expect(await third.get('c', 'k5')).toBe('after');
    await third.close();
  });

  it('refuses to start on damage before the end instead of losing data silently', async () => {
    const dir = await freshDir();
    const store = await EmbeddedStore.open({ dir, snapshotEvery: 1000 });
    for (let i = 0; i < 5; i++) await store.commit([put('c', `k${i}`, `value-${i}`)]);
    const path = await lastSegment(dir);
    const bytes = await readFile(path);
    const at = bytes.indexOf('value-2');
    bytes[at] = 'V'.charCodeAt(0);
    await writeFile(path, bytes);
    const error = await EmbeddedStore.open({ dir }).then(() => undefined, (e: MicromarketError) => e);
    expect(error?.code).toBe('MM_ERR_STORE_CORRUPT');
    expect(error?.message).toContain('checksum mismatch');
  });

  it('groups concurrent commits into few journal writes', async () => {
    const dir = await freshDir();
    const store = await EmbeddedStore.open({ dir });
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.commit([put('c', `k${i}`, i)])));
    const { seq, appends } = store.health().detail;
    expect(seq).toBe(200);
    // The first commit is written alone; the 199 queued behind it go out together.
    expect(appends).toBeLessThanOrEqual(3);
    await store.close();
  });

  it('refuses a second process-level owner of the data directory while the first runs', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'LOCK'), String(process.ppid));
    await expect(EmbeddedStore.open({ dir })).rejects.toThrow(/in use by process/);
  });

  it('stamps an empty data directory with its format, and refuses one in another format or written before stamps', async () => {
    const dir = await freshDir();
    const store = await EmbeddedStore.open({ dir });
    await store.commit([put('c', 'k', 1)]);
    await store.close();
    expect(await readFile(join(dir, 'FORMAT'), 'utf8')).toBe(`${STORE_FORMAT}\n`);
    await writeFile(join(dir, 'FORMAT'), `${STORE_FORMAT + 1}\n`);
    await expect(EmbeddedStore.open({ dir })).rejects.toThrow(`data directory ${dir} holds data in store format ${STORE_FORMAT + 1}; this micromarket reads only format ${STORE_FORMAT}.`);
    await rm(join(dir, 'FORMAT'));
    await expect(EmbeddedStore.open({ dir })).rejects.toThrow(`data directory ${dir} holds data in store format 1;`);
    // Refused, it changed nothing: stamped again as it was, the data is all there.
    await writeFile(join(dir, 'FORMAT'), `${STORE_FORMAT}\n`);
    const again = await EmbeddedStore.open({ dir });
    expect(await again.list('c')).toEqual([['k', 1]]);
    await again.close();
  });
});
