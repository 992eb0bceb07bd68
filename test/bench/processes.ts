/** What the HTTP benchmarks share: their processes, free ports and autocannon runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from '../support/ports.js';

export { freePort };

const root = fileURLToPath(new URL('../../../', import.meta.url));


/** Starts a process (node flags from BENCH_NODE_FLAGS) from the repository root and resolves once `url` answers. */
export async function start(args: string[], url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${args.join(' ')} did not come up`);
}

/** The fastify hello-world baseline, on its own port. */
export async function startHello(): Promise<{ process: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hello`;
  return { process: await start(['dist/test/bench/hello-server.js', '--port', String(port)], url), url };
}

export type Result = { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; '2xx': number };

/** Collects the load generator's garbage before a timed run. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the benchmark with node --expose-gc (its npm script does)');
  gc();
}

/**
 * Runs autocannon; `onStart` fires when the timed part begins, after the clients are set up. The
 * load generator first collects the previous run's requests: its own GC pauses would otherwise
 * land in the next run's latencies (10-25 ms here, in the paced run's p99).
 */
export function run(opts: autocannon.Options, onStart = () => {}): Promise<Result> {
  collectGarbage();
  return new Promise<Result>((resolve, reject) => {
    autocannon(opts, (error, result) => (error ? reject(error) : resolve(result as unknown as Result))).once('start', onStart);
  });
}

/** One row of a results table. */
export const row = (name: string, r: Result) =>
  `${name.padEnd(52)} ${r.requests.average.toFixed(0).padStart(8)} ${String(r.latency.p50).padStart(7)} ${String(r.latency.p99).padStart(7)} ${String(r.non2xx + r.errors).padStart(7)}`;
