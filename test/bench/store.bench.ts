/**
 * npm run bench:store — acknowledged (durably written, O_DSYNC) commits per second on the embedded store:
 * one writer waiting for each commit (every commit pays its own disk flush: the baseline) against
 * 64 concurrent writers (group commit shares one flush among the commits queued behind it). Then
 * listing: one party's 100 records among 100,000 of 1,000 parties, through the key index, beside a
 * scan and sort of the collection's keys (how listing worked before the index) in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../../src/store/embedded-store.js';
import { MemoryState } from '../../src/store/memory-state.js';
import { put } from '../../src/store/store.js';
import { measure, table, type Figures } from './stats.js';

const value = { tenderID: 't-1', side: 'buy', price: 0.12, quantity: 5, marketContext: 'urn:micromarket:home' };

async function run(writers: number, commits: number): Promise<Figures & { appends: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-bench-'));
  const store = await EmbeddedStore.open({ dir });
  let n = 0;
  const perWriter = Math.ceil(commits / writers);
  const figures = await measure(perWriter, () =>
    Promise.all(Array.from({ length: writers }, () => store.commit([put('tenders', `t-${n++}`, value)]))));
  const appends = Number(store.health().detail.appends);
  await store.close();
  await rm(dir, { recursive: true, force: true });
  // measure() counted rounds; each round acknowledged `writers` commits.
  return { ...figures, count: figures.count * writers, perSecond: figures.perSecond * writers, appends };
}

const single = await run(1, 2000);
const grouped = await run(64, 64 * 400);
process.stdout.write(`micromarket bench:store — embedded store, durable (O_DSYNC) commits, ${tmpdir()}

${table([
  ['1 writer: one disk flush per commit (baseline)', single],
  ['64 concurrent writers: group commit', grouped],
]).replace('docs/s', 'commits/s')}

group commit: ${(grouped.perSecond / single.perSecond).toFixed(1)}x the baseline; p50/p99 are per acknowledged round
`);

// Listing: 1,000 parties with 100 records each; each round lists one party's.
const state = new MemoryState();
const keys: string[] = [];
for (let p = 0; p < 1000; p++) for (let i = 0; i < 100; i++) keys.push(`party-${String(p).padStart(4, '0')}/w-${String(i).padStart(3, '0')}`);
state.apply(keys.map((k) => ['p', 'avails', k, JSON.stringify(value)] as const));
let party = 0;
const prefix = () => `party-${String(party++ % 1000).padStart(4, '0')}/`;
const indexed = await measure(2000, () => state.list('avails', prefix()));
const scanned = await measure(100, () => {
  const under = prefix();
  return keys.filter((k) => k.startsWith(under)).sort().map((k) => [k, JSON.parse(state.get('avails', k)!)]);
});
process.stdout.write(`
listing one party's 100 records among 100,000

${table([
  ['scan and sort every key (baseline)', scanned],
  ['key index (B+ tree)', indexed],
]).replace('docs/s', 'lists/s')}

the index: ${(indexed.perSecond / scanned.perSecond).toFixed(0)}x the baseline
`);

