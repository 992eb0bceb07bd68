/**
 * npm run bench:quotas — what one heavy party costs the others (issue 21, item 10). The adversarial
 * run found that a party holding 60,000 availability records raised every other party's tender
 * latency (p50 2.1 → 3.5 ms). Here ten light parties tender at a steady 150 requests/s (open loop,
 * paced) three times: alone (the baseline), after a heavy party has tried to store 60,000
 * availability windows and its quota kept 100, and while the heavy party sends small requests as
 * fast as it can (its request quota refusing the excess). The service runs in its own process with the
 * default quotas.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '../../src/auth/tokens.js';
import { parseDuration } from '../../src/calendar/duration.js';
import { MicromarketClient } from '../../src/client/index.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { SchemaSet } from '../../src/xml/schema-set.js';
import { enrollApproved, priced } from '../support/enrollment.js';
import { pacedRun, type PacedResult } from './paced.js';
import { freePort, start } from './processes.js';

const FEEDER = 'urn:micromarket:feeder-7';
const interval = Date.UTC(2026, 10, 23, 13, 0);
const LIGHT = 10;
const RATE = 150;
const SECONDS = 10;

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-quotas-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// The market clock stands still an hour before the interval, so every tender is admissible.
const service = await start(['dist/src/cli/micromarket.js', 'serve', '--port', String(port), '--data', dir, '--log-level', 'warn',
  '--clock-start', new Date(interval - 3_600_000).toISOString(), '--clock-speed', '0.000001'], `${base}/healthz`);
const tokens = await TokenService.forDataDir(dir);
const operator = new MicromarketClient({ baseUrl: base, partyID: 'operator', token: await tokens.issue('operator', ['operator'], Date.now(), 3600) });
const scopes = ['register', 'enroll', 'tender', 'avail'] as const;
async function party(partyID: string): Promise<{ client: MicromarketClient; token: string }> {
  const token = await tokens.issue(partyID, [...scopes], Date.now(), 3600);
  const client = new MicromarketClient({ baseUrl: base, partyID, token });
  await client.register({ partyRoles: ['consumer'] });
  await enrollApproved(client, operator, FEEDER, interval);
  return { client, token };
}
const light = await Promise.all(Array.from({ length: LIGHT }, (_, i) => party(`light-${i}`)));
const heavy = await party('heavy');

const pipeline = new XmlPipeline(SchemaSet.load());
let n = 0;
/** A light party's next tender, round robin: buys far below any sell, so the book only grows. */
function nextTender() {
  const i = n++;
  const p = light[i % LIGHT]!;
  const body = pipeline.write({ name: 'eiCreateTender', body: { requestID: `r${i}`, partyID: p.client.partyID, counterPartyID: 'micromarket',
    tenders: [{ tenderID: `t${i}`, product: priced(FEEDER, 'buy', 0.001, 1, interval) }] } });
  return { body: Buffer.from(body), headers: { 'content-type': 'application/xml', authorization: `Bearer ${p.token}` } };
}
const lightRun = () => pacedRun(new URL(`${base}/ei/EiTender`), RATE, SECONDS, 10, nextTender);

const alone = await lightRun();

// The heavy party asks for 60,000 availability windows, 100 per request, one request at a time.
let stored = 0;
const refusals = new Map<string, number>();
for (let i = 0; i < 600; i++) {
  try {
    stored += (await heavy.client.declareAvailability(Array.from({ length: 100 }, (_, j) => ({ availID: `w-${i}-${j}`,
      availability: { available: [{ properties: { dtstart: interval - 86_400_000, duration: parseDuration('P2D') } }] } })))).availIDs.length;
  } catch (error) {
    const code = /^(MM_[A-Z_]+)/.exec((error as Error).message)?.[1] ?? 'other';
    refusals.set(code, (refusals.get(code) ?? 0) + 1);
  }
}
const withRecords = await lightRun();

// The heavy party sends as fast as one connection carries while the light parties tender.
const burst = { ok: 0, refused: 0 };
let bursting = true;
const flood = (async () => {
  while (bursting) {
    try {
      await heavy.client.transactions();
      burst.ok++;
    } catch {
      burst.refused++;
    }
  }
})();
const withFlood = await lightRun();
bursting = false;
await flood;

service.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 500));
await rm(dir, { recursive: true, force: true });

const line = (name: string, r: PacedResult) =>
  `| ${name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.errors} |`;
console.log(`Light parties' tenders, ${LIGHT} parties at ${RATE}/s in all for ${SECONDS} s each run (service process, default quotas)

| run | tenders/s | p50 ms | p99 ms | max ms | non-2xx |
|---|---|---|---|---|---|
${line('alone (baseline, same run)', alone)}
${line('heavy party holds its availability quota', withRecords)}
${line('heavy party floods requests meanwhile', withFlood)}

Heavy party: asked for 60,000 availability windows in 600 requests; stored ${stored}; refused ${[...refusals].map(([c, k]) => `${k} × ${c}`).join(', ')}.
Heavy party's flood during the third run: ${burst.ok} answered, ${burst.refused} refused (MM_ERR_QUOTA_REQUESTS, 200 requests/s).`);
