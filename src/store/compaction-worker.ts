/** Worker thread: builds snapshot-<seq> from the files of a data directory (see compaction.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { recover, writeSnapshot } from './journal-files.js';

const { dir, seq } = workerData as { dir: string; seq: number };
try {
  const { state, seq: reached } = await recover(dir, seq);
  if (reached !== seq) throw new Error(`journal reaches commit ${reached}, not ${seq}`);
  await writeSnapshot(dir, seq, [...state.dump()]);
  parentPort!.postMessage({ ok: true });
} catch (error) {
  parentPort!.postMessage({ ok: false, error: (error as Error).message });
}
