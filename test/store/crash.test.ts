import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/embedded-store.js';

// The compiled child (npm test builds dist/ first): a real process, really killed.
const writer = fileURLToPath(new URL('../../dist/test/store/crash-writer.js', import.meta.url));
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `target` commits, then SIGKILLs it mid-stream. */
function runAndKill(first: number, target: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, String(first), '300'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') return;
      acked.push(Number(line));
      if (acked.length === target) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited without being killed (${String(signal)})`));
    });
  });
}

const key = (n: number) => `n${String(n).padStart(8, '0')}`;

describe('embedded store under kill -9', () => {
  it('keeps every acknowledged commit, whole, across three crashes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-crash-'));
    const everAcked: number[] = [];
    for (let round = 0; round < 3; round++) {
      everAcked.push(...await runAndKill(round * 1_000_000, 1500 + round * 500));
      const store = await EmbeddedStore.open({ dir });
      const acks = new Map(await store.list<{ n: number }>('acks'));
      const mirror = new Map(await store.list<number>('mirror'));
      const missing = everAcked.filter((n) => acks.get(key(n))?.n !== n || mirror.get(key(n)) !== n);
      expect(missing, `round ${round}: acknowledged commits lost`).toEqual([]);
      // Commits in flight at the kill may or may not be there, but never half of one.
      expect([...acks.keys()].filter((k) => !mirror.has(k))).toEqual([]);
      expect([...mirror.keys()].filter((k) => !acks.has(k))).toEqual([]);
      expect(acks.size).toBeGreaterThanOrEqual(everAcked.length);
      await store.close();
    }
    // Acknowledgements already in the pipe when the signal lands count too; all were checked above.
    expect(everAcked.length).toBeGreaterThanOrEqual(1500 + 2000 + 2500);
  });
});
