/**
 * npm run bench:http — eiCreateTender end to end over HTTP: parsed, validated against the schemas,
 * authenticated, admitted and matched in a continuous market, journaled durably (O_DSYNC) and
 * answered. Every request is a new tender (fresh requestID and tenderID); buys and sells alternate
 * around one price so about half trade. Beside it, a fastify hello-world route measured in the same
 * run. Service and baseline run as their own processes; autocannon (throughput, bursts) and an
 * open-loop generator (steady rate, `paced.ts`) drive them from this one.
 * Goal (issue 4): >= 5,000 tenders/s; p99 <= 25 ms at a steady 1,000 tenders/s.
 * With --redis (npm run bench:http -- --redis), the same on a service whose store is a private Redis,
 * measured after the embedded one in the same run. Goal (issue 6): >= 2,000 tenders/s, p99 <= 25 ms.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { TokenService } from '../../src/auth/tokens.js';
import { MicromarketClient } from '../../src/client/index.js';
import { XmlPipeline } from '../../src/xml/pipeline.js';
import { SchemaSet } from '../../src/xml/schema-set.js';
import { enrollApproved } from '../support/enrollment.js';
import { startTestRedis } from '../support/redis.js';
import { pacedRun, type PacedResult } from './paced.js';
import { collectGarbage, freePort, row, run, start, startHello, type Result } from './processes.js';

const FEEDER = 'urn:micromarket:feeder-7';
const interval = Date.UTC(2026, 10, 23, 13, 0);

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-http-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// The market clock stands still an hour before the interval, so every tender is admissible.
const service = await start(['dist/src/cli/micromarket.js', 'serve', '--port', String(port), '--data', dir, '--log-level', 'warn',
  '--clock-start', new Date(interval - 3_600_000).toISOString(), '--clock-speed', '0.000001'], `${base}/healthz`);
const hello = await startHello();

// Two parties, registered and enrolled through the SDK. Tokens are signed with the data directory's key.
const tokens = await TokenService.forDataDir(dir);
const token = (party: string) => tokens.issue(party, ['register', 'enroll', 'tender', 'operator'], Date.now(), 3600);
const parties = ['bench-buyer', 'bench-seller'];
const bearer: Record<string, string> = {};
for (const party of parties) bearer[party] = await token(party);
async function setupParties(serviceBase: string): Promise<void> {
  for (const party of parties) {
    const client = new MicromarketClient({ baseUrl: serviceBase, partyID: party, token: bearer[party]! });
    await client.register({ partyRoles: ['consumer'] });
    await enrollApproved(client, client, FEEDER, interval); // the bench's parties hold the operator scope
  }
}
await setupParties(base);

const pipeline = new XmlPipeline(SchemaSet.load());
let n = 0;
/** A new tender per request: alternating sides around 0.100, about half of them trading. */
function nextTender(): { body: string; headers: Record<string, string> } {
  const i = n++;
  const party = parties[i % 2]!;
  const side = i % 2 === 0 ? 'buy' : 'sell';
  const price = (100 + (side === 'buy' ? 1 : -1) * ((i >> 1) % 3 - 1)) / 1000;
  const body = pipeline.write({ name: 'eiCreateTender', body: { requestID: `r${i}`, partyID: party, counterPartyID: 'micromarket', tenders: [{ tenderID: `t${i}`,
    product: { dtstart: interval, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: price }, quantity: 1 + (i % 5) } },
      uid: `p${i}`, transactiveState: 'tender', marketContext: FEEDER, side } }] } });
  return { body, headers: { 'content-type': 'application/xml', authorization: `Bearer ${bearer[party]}` } };
}
/**
 * Tender requests for a run: each connection gets its own slice of distinct tenders, built (and
 * turned into raw HTTP requests by autocannon) before the run starts, so the load generator, which
 * shares the machine's two cores with the service, spends its time sending rather than building.
 * A slice is far longer than a connection gets through in a run; `checkFresh` makes sure of it, since
 * a repeated requestID would be answered as a cheap idempotent retry.
 */
const SLICE = 3000;
function tenderRun(connections: number, serviceBase = base): autocannon.Options {
  const slices = Array.from({ length: connections }, () => Array.from({ length: SLICE }, () => ({ method: 'POST' as const, ...nextTender() })));
  let client = 0;
  return {
    url: `${serviceBase}/ei/EiTender`, connections,
    setupClient: (c: autocannon.Client) => (c as unknown as { setRequests(r: unknown[]): void }).setRequests(slices[client++ % connections]!),
  };
}
const checkFresh = (r: Result, connections: number) => {
  if (r.requests.total > (connections * SLICE) / 2) throw new Error(`${r.requests.total} requests on ${connections} connections may have repeated a tender`);
  return r;
};

const only = process.env.BENCH_ONLY; // profiling aid: run just the 'throughput' phase
const warm = checkFresh(await run({ ...tenderRun(20), duration: 3 }), 20);
/** CPU seconds (user + system) of a process's main thread and of all its threads, from /proc. */
const cpuSeconds = async (pid: number) => {
  const ticks = async (path: string) => {
    const fields = (await readFile(path, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
  };
  return { main: await ticks(`/proc/${pid}/task/${pid}/stat`), all: await ticks(`/proc/${pid}/stat`) };
};
/** Idle and total jiffies of the whole machine, from /proc/stat. */
const machine = async () => {
  const [, ...fields] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
  return { idle: fields[3]! + fields[4]!, total: fields.reduce((a, b) => a + b, 0) };
};
let cpuBefore = { main: 0, all: 0 };
let machineBefore = { idle: 0, total: 0 };
let loadBefore = process.cpuUsage();
const tenders = checkFresh(await run({ ...tenderRun(50), duration: 10 }, () => {
  loadBefore = process.cpuUsage();
  void cpuSeconds(service.pid!).then((c) => (cpuBefore = c));
  void machine().then((m) => (machineBefore = m));
}), 50);
const cpuAfter = await cpuSeconds(service.pid!);
const machineAfter = await machine();
const idle = (machineAfter.idle - machineBefore.idle) / (machineAfter.total - machineBefore.total);
const load = process.cpuUsage(loadBefore);
/** Microseconds of CPU per tender answered in the 50-connection run. */
const perTender = (seconds: number) => ((seconds * 1e6) / tenders.requests.total).toFixed(0);
const serviceCpu = (cpuAfter.all - cpuBefore.all) / 10;
// The goal's rate, sent open loop: a tender every millisecond, bodies written beforehand.
async function steadyRun(serviceBase: string) {
  const bodies = Array.from({ length: 10_000 }, () => {
    const { body, headers } = nextTender();
    return { body: Buffer.from(body), headers };
  });
  collectGarbage();
  return pacedRun(new URL(`${serviceBase}/ei/EiTender`), 1000, 10, 20, () => bodies.pop()!);
}
const steady = only ? undefined : await steadyRun(base);
// The same rate through autocannon's limiter: each second's 1,000 tenders sent back to back as it
// begins. Its limiter works on requests it builds itself, so each is set up as it goes.
const burstBodies = only ? [] : Array.from({ length: 12_000 }, nextTender);
let burstNext = 0;
const bursts = only ? tenders : await run({ url: `${base}/ei/EiTender`, method: 'POST', connections: 20, duration: 10, overallRate: 1000,
  requests: [{ setupRequest: (req) => ({ ...req, ...burstBodies[burstNext++]! }) }] });
if (burstNext > burstBodies.length) throw new Error('the burst run repeated a tender');
const helloRun = only ? tenders : await run({ url: hello.url, connections: 50, duration: 10 });
const sample = pipeline.read(Buffer.from(await (await fetch(`${base}/ei/EiTender`, { method: 'POST', ...nextTender() })).text()));

service.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 500));

// --redis: the same two runs against a service on a private Redis (AOF, fsync on every write),
// measured after the embedded one in the same run. It shares the data directory for its token key.
const onRedis = process.argv.includes('--redis') ? await (async () => {
  const redis = await startTestRedis();
  const redisPort = await freePort();
  const redisBase = `http://127.0.0.1:${redisPort}`;
  const redisService = await start(['dist/src/cli/micromarket.js', 'serve', '--port', String(redisPort), '--data', dir, '--redis', redis.url, '--log-level', 'warn',
    '--clock-start', new Date(interval - 3_600_000).toISOString(), '--clock-speed', '0.000001'], `${redisBase}/healthz`);
  await setupParties(redisBase);
  await run({ ...tenderRun(20, redisBase), duration: 3 });
  let before = { service: { main: 0, all: 0 }, redis: { main: 0, all: 0 } };
  const throughput = checkFresh(await run({ ...tenderRun(50, redisBase), duration: 10 }, () => {
    void Promise.all([cpuSeconds(redisService.pid!), cpuSeconds(redis.pid()!)]).then(([s, r]) => (before = { service: s, redis: r }));
  }), 50);
  const [serviceAfter, redisAfter] = await Promise.all([cpuSeconds(redisService.pid!), cpuSeconds(redis.pid()!)]);
  const cpu = { main: serviceAfter.main - before.service.main, all: serviceAfter.all - before.service.all, redis: redisAfter.all - before.redis.all };
  const paced = await steadyRun(redisBase);
  // A second instance on the same namespace: the load split over both, on the one market, so the
  // market's lease passes between them (the worst case for sharing a market).
  const secondPort = await freePort();
  const secondBase = `http://127.0.0.1:${secondPort}`;
  const second = await start(['dist/src/cli/micromarket.js', 'serve', '--port', String(secondPort), '--data', dir, '--redis', redis.url, '--log-level', 'warn',
    '--clock-start', new Date(interval - 3_600_000).toISOString(), '--clock-speed', '0.000001'], `${secondBase}/healthz`);
  const [viaFirst, viaSecond] = await Promise.all([run({ ...tenderRun(25, redisBase), duration: 10 }), run({ ...tenderRun(25, secondBase), duration: 10 })]);
  const shared = { ...viaFirst, requests: { average: viaFirst.requests.average + viaSecond.requests.average, total: viaFirst.requests.total + viaSecond.requests.total },
    latency: { p50: Math.max(viaFirst.latency.p50, viaSecond.latency.p50), p99: Math.max(viaFirst.latency.p99, viaSecond.latency.p99) },
    non2xx: viaFirst.non2xx + viaSecond.non2xx, errors: viaFirst.errors + viaSecond.errors };
  for (const p of [redisService, second]) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await redis.close();
  return { throughput, paced, shared, cpu };
})() : undefined;
hello.process.kill('SIGTERM');
await rm(dir, { recursive: true, force: true });

const steadyRowOf = (name: string, r: PacedResult) =>
  `${name.padEnd(52)} ${r.perSecond.toFixed(0).padStart(8)} ${r.p50.toFixed(0).padStart(7)} ${r.p99.toFixed(0).padStart(7)} ${String(r.errors).padStart(7)}  max ${r.max.toFixed(0)} ms`;
const steadyRow = steady ? steadyRowOf('eiCreateTender at 1,000/s steady (open loop), 20 conn.', steady) : '';
const redisRows = onRedis ? `
${row('on Redis: eiCreateTender end to end, 50 connections', onRedis.throughput)}
${steadyRowOf('on Redis: at 1,000/s steady (open loop), 20 conn.', onRedis.paced)}
${row('on Redis: 2 instances, one market, 25 conn. each (sum)', onRedis.shared)}
(on Redis, per tender in the 50-connection run: service ${(onRedis.cpu.main * 1e6 / onRedis.throughput.requests.total).toFixed(0)} µs main thread, \
${((onRedis.cpu.all - onRedis.cpu.main) * 1e6 / onRedis.throughput.requests.total).toFixed(0)} µs other threads; redis-server ${(onRedis.cpu.redis * 1e6 / onRedis.throughput.requests.total).toFixed(0)} µs)` : '';
const redisGoal = onRedis
  ? `\ngoal on Redis (>= 2000 tenders/s, p99 <= 25 ms at a steady 1000/s): ${onRedis.throughput.requests.average >= 2000 && onRedis.paced.p99 <= 25 ? 'met' : 'MISSED'}`
  : '';
const met = tenders.requests.average >= 5000 && (steady?.p99 ?? Infinity) <= 25;
process.stdout.write(`micromarket bench:http — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}; service and baseline in their own processes

measurement                                            req/s  p50 ms  p99 ms  errors
${row('fastify hello-world (baseline), 50 connections', helloRun)}
${row('eiCreateTender end to end, 50 connections', tenders)}
${steadyRow}
${row('eiCreateTender at 1,000/s in 1 s bursts (autocannon)', bursts)}${redisRows}
(service CPU during the 50-connection run: ${(serviceCpu * 100).toFixed(0)} % of one core; per tender: ${perTender(cpuAfter.main - cpuBefore.main)} µs main thread, \
${perTender(cpuAfter.all - cpuAfter.main - cpuBefore.all + cpuBefore.main)} µs other threads (XML readers, GC, fsync); autocannon ${perTender((load.user + load.system) / 1e6)} µs;
 machine idle ${(idle * 100).toFixed(0)} %; warm-up: ${warm.requests.average.toFixed(0)} req/s; sample answer: ${sample.name} ${sample.name === 'eiCreatedTender' ? sample.body.eiResponse.responseCode : ''})

goal (>= 5000 tenders/s, p99 <= 25 ms at a steady 1000/s): ${met ? 'met' : 'MISSED'}${redisGoal}
`);
