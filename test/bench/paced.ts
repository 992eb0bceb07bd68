import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** What an open-loop run measured: latencies in ms from each request's scheduled send time. */
export interface PacedResult {
  readonly sent: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
}

export interface PacedRequest {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * Sends `rate` requests per second, evenly spaced, for `seconds`, over `connections` keep-alive
 * connections, whatever the answers do (open loop, as wrk2 does). Each latency runs from the
 * moment the request was due, so time spent queued behind a slow answer counts: a load generator
 * that waits for answers before sending more would hide exactly the pauses a p99 is meant to show.
 * autocannon's own rate limit sends each connection's quota for a second back to back at the start
 * of that second, so it measures one-second bursts, not a steady rate.
 */
export async function pacedRun(url: URL, rate: number, seconds: number, connections: number, next: () => PacedRequest, warmPath = '/healthz'): Promise<PacedResult> {
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  // Open every connection before the clock starts: steady state, not connection set-up, is measured.
  await Promise.all(Array.from({ length: connections }, () => pool.request({ path: warmPath, method: 'GET' }).then((res) => res.body.text())));
  const total = rate * seconds;
  const latencies = new Float64Array(total);
  let errors = 0;
  let sent = 0;
  let answered = 0;
  let allAnswered = () => {};
  const finished = new Promise<void>((resolve) => (allAnswered = resolve));
  const started = performance.now();
  // Nothing per request outlives its answer, so the generator's own heap (and GC pauses) stay small.
  const send = (due: number, i: number) => {
    const { body, headers } = next();
    pool.request({ path: url.pathname, method: 'POST', body, headers }).then(async (res) => {
      await res.body.dump({ limit: 1 << 20 });
      if (res.statusCode >= 300) errors++;
    }, () => { errors++; }).then(() => {
      latencies[i] = performance.now() - due;
      if (++answered === total) allAnswered();
    });
  };
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      for (let due = started + (sent * 1000) / rate; sent < total && due <= now; due = started + (sent * 1000) / rate) send(due, sent++);
      if (sent < total) setTimeout(tick, 1);
      else done();
    };
    tick();
  });
  await finished;
  const elapsed = performance.now() - started;
  await pool.close();
  latencies.sort();
  const at = (p: number) => latencies[Math.min(total - 1, Math.floor(total * p))]!;
  return { sent: total, perSecond: (total * 1000) / elapsed, p50: at(0.5), p99: at(0.99), max: latencies[total - 1]!, errors };
}
