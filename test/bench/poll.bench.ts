/**
 * npm run bench:poll — OpenADR oadrPoll end to end: 10,000 VENs, each registered through
 * EiRegisterParty with its own bearer token, poll over 20 connections (each connection cycles
 * through 500 of them). Every poll is parsed, schema-validated, authenticated, checked against the
 * VEN's registration and answered with oadrResponse (nothing pending), as most polls are. Beside
 * it, a fastify hello-world route measured in the same run. Service and baseline run as their own
 * processes; autocannon drives them from this one.
 * Goal (issue 5): >= 5,000 polls/s with p99 <= 10 ms.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '../../src/auth/tokens.js';
import { freePort, row, run, start, startHello } from './processes.js';

const VENS = 10_000;
const CONNECTIONS = 20;
const root = new URL('../../../', import.meta.url);
const dir = await mkdtemp(join(tmpdir(), 'mm-bench-poll-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const service = await start(['dist/src/cli/micromarket.js', 'serve', '--port', String(port), '--data', dir, '--log-level', 'warn'], `${base}/healthz`);
const hello = await startHello();

const tokens = await TokenService.forDataDir(dir);
const registration = await readFile(new URL('test/fixtures/openadr/transcript/03-ven-oadrCreatePartyRegistration.xml', root), 'utf8');
const vens = Array.from({ length: VENS }, (_, i) => `ven-${String(i).padStart(5, '0')}`);
const bearer = new Map<string, string>();
for (const venID of vens) bearer.set(venID, await tokens.issue(venID, ['register'], Date.now(), 3600));
// Register them all, 50 at a time: a real VTN's VENs arrive over time, not in one burst.
for (let i = 0; i < VENS; i += 50) {
  await Promise.all(vens.slice(i, i + 50).map(async (venID) => {
    const res = await fetch(`${base}/OpenADR2/Simple/2.0b/EiRegisterParty`, { method: 'POST', body: registration,
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${bearer.get(venID)}` } });
    if (!(await res.text()).includes(`<ei:venID>${venID}</ei:venID>`)) throw new Error(`${venID} did not register`);
  }));
}

const pollOf = (venID: string) => ({
  method: 'POST' as const,
  body: `<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07"><oadr:oadrSignedObject oadr:Id="oadrSignedObject"><oadr:oadrPoll ei:schemaVersion="2.0b" xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110"><ei:venID>${venID}</ei:venID></oadr:oadrPoll></oadr:oadrSignedObject></oadr:oadrPayload>`,
  headers: { 'content-type': 'application/xml', authorization: `Bearer ${bearer.get(venID)}` },
});
const perConnection = VENS / CONNECTIONS;
let client = 0;
const sample = await (await fetch(`${base}/OpenADR2/Simple/2.0b/OadrPoll`, pollOf(vens[0]!))).text();
if (!sample.includes('oadrResponse') || !sample.includes('<ei:responseCode>200</ei:responseCode>')) throw new Error(`unexpected poll answer: ${sample}`);

await run({ url: `${base}/OpenADR2/Simple/2.0b/OadrPoll`, connections: CONNECTIONS, duration: 3,
  setupClient: (c) => (c as unknown as { setRequests(r: unknown[]): void }).setRequests(vens.slice(0, perConnection).map(pollOf)) });
const polls = await run({ url: `${base}/OpenADR2/Simple/2.0b/OadrPoll`, connections: CONNECTIONS, duration: 10,
  setupClient: (c) => {
    const slice = vens.slice((client % CONNECTIONS) * perConnection, ((client++ % CONNECTIONS) + 1) * perConnection);
    (c as unknown as { setRequests(r: unknown[]): void }).setRequests(slice.map(pollOf));
  } });
const helloRun = await run({ url: hello.url, connections: CONNECTIONS, duration: 10 });

service.kill('SIGTERM');
hello.process.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 500));
await rm(dir, { recursive: true, force: true });

const met = polls.requests.average >= 5000 && polls.latency.p99 <= 10 && polls.non2xx + polls.errors === 0;
process.stdout.write(`micromarket bench:poll — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}; service and baseline in their own processes

measurement                                            req/s  p50 ms  p99 ms  errors
${row(`fastify hello-world (baseline), ${CONNECTIONS} connections`, helloRun)}
${row(`oadrPoll, ${VENS} registered VENs, ${CONNECTIONS} connections`, polls)}

goal (>= 5000 polls/s, p99 <= 10 ms): ${met ? 'met' : 'MISSED'}
`);
