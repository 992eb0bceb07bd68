import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { EmbeddedStore } from '../../src/store/embedded-store.js';

/**
 * An embedded store in a temporary directory for the tests around the call (a fresh one for each
 * test with `each`), closed and removed after them. Returns the store of the test running.
 */
export function scratchStore(name: string, each = false): () => EmbeddedStore {
  let dir = '';
  let store: EmbeddedStore | undefined;
  (each ? beforeEach : beforeAll)(async () => {
    dir = await mkdtemp(join(tmpdir(), `mm-${name}-`));
    store = await EmbeddedStore.open({ dir });
  });
  (each ? afterEach : afterAll)(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });
  return () => store!;
}
