import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../paths.js';

/**
 * Writes a snapshot of the journal up to `seq` in a worker thread, from the files alone (the
 * previous snapshot and the closed segments), so the service's thread never pauses for it.
 */
export function compactInWorker(dir: string, seq: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(compiledSibling(import.meta.url, 'compaction-worker.js'), { workerData: { dir, seq } });
    worker.once('message', (m: { ok: boolean; error?: string }) => (m.ok ? resolve() : reject(new Error(m.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`compaction worker exited with ${code}`)));
  });
}
