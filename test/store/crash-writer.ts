/**
 * Child process for the crash test: commits as fast as it can from several concurrent writers and
 * prints the number of every commit once it is acknowledged. The parent kills it with SIGKILL.
 * Usage: node crash-writer.js DATA_DIR FIRST_NUMBER SNAPSHOT_EVERY
 */
import { EmbeddedStore } from '../../src/store/embedded-store.js';
import { put } from '../../src/store/store.js';

const [dir, first, snapshotEvery] = process.argv.slice(2);
const store = await EmbeddedStore.open({ dir: dir!, snapshotEvery: Number(snapshotEvery) });
let next = Number(first);
const writers = 16;
process.stdout.write('ready\n');

async function writer(): Promise<never> {
  for (;;) {
    const n = next++;
    const key = `n${String(n).padStart(8, '0')}`;
    // Two collections in one batch: after a crash both writes exist or neither does.
    await store.commit([put('acks', key, { n, filler: 'x'.repeat(n % 200) }), put('mirror', key, n)]);
    process.stdout.write(`${n}\n`);
  }
}

await Promise.all(Array.from({ length: writers }, writer));
