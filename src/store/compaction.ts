import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../paths.js';

/**
 * The compaction worker's file. Compiled code finds it beside this module; code run from the
 * TypeScript sources (tests) uses the compiled copy, which `npm test` builds first.
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? join(packageRoot, 'dist', 'src', 'store', 'compaction-worker.js') : join(here, '..', 'compaction-worker.js');
}

/**
 * Writes a snapshot of the journal up to `seq` in a worker thread, from the files alone (the
 * previous snapshot and the closed segments), so the service's thread never pauses for it.
 */
export function compactInWorker(dir: string, seq: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), { workerData: { dir, seq } });
    worker.once('message', (m: { ok: boolean; error?: string }) => (m.ok ? resolve() : reject(new Error(m.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`compaction worker exited with ${code}`)));
  });
}
