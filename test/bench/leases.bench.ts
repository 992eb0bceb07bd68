/**
 * npm run bench:leases — one market shared by two instances' market hosts on one Redis: 50
 * concurrent submitters (25 per host) tender into the feeder market for 5 s, each command entered
 * under the market's lease, run and committed; beside it, in the same run, one host alone with the
 * same 50 submitters (the lease never moves). No HTTP: what sharing a market costs in itself.
 */
import { MarketHost } from '../../src/host/markets.js';
import { RedisLeases } from '../../src/store/redis-leases.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { exampleRules, tender } from '../support/markets.js';
import { startTestRedis } from '../support/redis.js';

const redis = await startTestRedis();
const rules = await exampleRules('feeder-7');
const interval = Date.UTC(2026, 10, 23, 13, 0);
const now = interval - 3_600_000;

async function host(namespace: string) {
  const store = await RedisStore.open({ url: redis.url, namespace });
  const market = await MarketHost.open([rules], store, await RedisLeases.open({ url: redis.url, namespace }));
  return { store, market, close: async () => { await market.close(); await store.close(); } };
}

/** 50 submitters spread over the hosts for `seconds`; commands per second and latency percentiles (ms). */
async function measure(hosts: Array<Awaited<ReturnType<typeof host>>>, seconds: number) {
  let n = 0;
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 50 }, async (_, c) => {
    const { market: at } = hosts[c % hosts.length]!;
    while (performance.now() < until) {
      const i = n++;
      const started = performance.now();
      await at.withWork(async (work) => {
        const [market] = at.markets;
        await work.enter([market!]);
        const { writes } = work.run(market!, { kind: 'submit', tender: tender(`t${i}`, `p${i % 4}`, i % 2 ? 'buy' : 'sell', 0.1, 1, interval), availability: [], now });
        await work.commit(writes);
      });
      latencies.push(performance.now() - started);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), max: latencies.at(-1)! };
}

const alone = await host('alone');
await measure([alone], 1); // warm-up
const one = await measure([alone], 5);
await alone.close();
const [a, b] = [await host('shared'), await host('shared')];
await measure([a, b], 1);
const two = await measure([a, b], 5);
await Promise.all([a.close(), b.close()]);
await redis.close();

const rowOf = (name: string, r: typeof one) =>
  `${name.padEnd(52)} ${r.perSecond.toFixed(0).padStart(8)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)}  max ${r.max.toFixed(0)} ms`;
process.stdout.write(`micromarket bench:leases — one market on a private Redis (AOF, fsync always), 50 concurrent submitters

measurement                                         commands/s  p50 ms  p99 ms
${rowOf('one host alone (baseline)', one)}
${rowOf('two hosts sharing the market through its lease', two)}
`);
