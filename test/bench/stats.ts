/** Timing helpers shared by the benchmark scripts. */

/** mulberry32: a small seeded PRNG, so that compared runs see exactly the same inputs. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export interface Figures {
  readonly count: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Runs `fn` `count` times after a warm-up, timing each call; throughput from total elapsed time. */
export async function measure(count: number, fn: () => unknown): Promise<Figures> {
  for (let i = 0; i < Math.min(1000, count); i++) await fn();
  const times = new Float64Array(count);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn();
    times[i] = performance.now() - t;
  }
  const elapsed = performance.now() - started;
  times.sort();
  return { count, perSecond: (count / elapsed) * 1000, p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99) };
}

export function table(rows: ReadonlyArray<[string, Figures]>): string {
  const head = `${'measurement'.padEnd(52)} ${'docs/s'.padStart(10)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}`;
  const lines = rows.map(([name, f]) =>
    `${name.padEnd(52)} ${f.perSecond.toFixed(0).padStart(10)} ${f.p50Ms.toFixed(4).padStart(9)} ${f.p99Ms.toFixed(4).padStart(9)}`);
  return [head, ...lines].join('\n');
}
