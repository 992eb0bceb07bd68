import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { TokenService } from '../../src/auth/tokens.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HOME = 'urn:micromarket:home';
const FEEDER = 'urn:micromarket:feeder-7';
const t13 = Date.UTC(2026, 10, 23, 13, 0);
let dir = '';
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Starts `micromarket serve` as a real process whose clock starts at `clockStart` and runs `speed` times real time. */
async function serve(clockStart: number, speed: number): Promise<string> {
  child = spawn(process.execPath, ['dist/src/cli/micromarket.js', 'serve', '--port', '0', '--data', dir,
    '--clock-start', new Date(clockStart).toISOString(), '--clock-speed', String(speed), '--log-level', 'info'], { cwd: root });
  return new Promise((resolve, reject) => {
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; address?: string };
      if (entry.msg === 'micromarket serving') resolve(entry.address!);
    });
    child!.on('exit', (code) => reject(new Error(`serve exited (${code})`)));
  });
}

async function kill9(): Promise<void> {
  const exited = new Promise((r) => child!.once('exit', r));
  child!.kill('SIGKILL');
  await exited;
}

const product = (marketContext: string, side: 'buy' | 'sell', price: number, quantity: number): Product => ({
  dtstart: t13, payload: { kind: 'temixPower', value: { price: { kind: 'price', value: price }, quantity } },
  uid: 'p', transactiveState: 'tender', marketContext, side,
});

describe('restart after kill -9', () => {
  it('keeps every acknowledged registration, enrollment, tender, cancel and transaction, and clears a gate once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-restart-'));
    const tokens = await TokenService.forDataDir(dir);
    const client = async (base: string, party: string) => new MicromarketClient({ baseUrl: base, partyID: party,
      token: await tokens.issue(party, ['register', 'enroll', 'tender', 'quote', 'operator'], Date.now(), 3600) });

    // Life 1: a clock paused at 12:00 (speed tiny). Register, enroll, trade, cancel.
    let base = await serve(Date.UTC(2026, 10, 23, 12, 0), 1e-9);
    let a = await client(base, 'a');
    let b = await client(base, 'b');
    for (const c of [a, b]) {
      await c.register({ partyRoles: ['consumer'] });
      await c.enroll(HOME, 'consumer', Date.UTC(2026, 10, 23, 12));
      await c.enroll(FEEDER, 'consumer', Date.UTC(2026, 10, 23, 12)); // operator scope: the feeder needs approval
    }
    const operator = await client(base, 'operator');
    for (const p of ['a', 'b']) {
      await operator.call('EiEnroll', 'eiCreatedEnroll', { name: 'eiCreateEnroll', body: { requestID: '', enrollment: {
        applicationDate: t13, enrolleePartyID: p, enrolleeType: 'consumer', enrollmentID: `feeder-7:${p}`, marketContext: FEEDER,
        enrollmentStatus: 'approvedEnrollment', resourceIDs: [] } } });
    }
    await a.tender([{ tenderID: 'fs', product: product(FEEDER, 'sell', 0.1, 5) }]);
    const traded = await b.tender([{ tenderID: 'fb', product: product(FEEDER, 'buy', 0.1, 2) }]);
    expect(traded.transactions).toHaveLength(1);
    await a.tender([{ tenderID: 'gone', product: product(FEEDER, 'sell', 0.5, 1) }]);
    await a.cancelTenders('gone');
    await a.tender([{ tenderID: 'hs', product: product(HOME, 'sell', 0.05, 3) }]);
    await b.tender([{ tenderID: 'hb', product: product(HOME, 'buy', 0.3, 2) }]);
    await kill9();

    // Life 2: everything acknowledged is there; the home auction has not cleared (gate 12:59).
    base = await serve(Date.UTC(2026, 10, 23, 12, 0), 1e-9);
    a = await client(base, 'a');
    b = await client(base, 'b');
    expect((await b.transactions()).transactions.map((t) => t.transactionID)).toEqual([traded.transactions[0]!.transactionID]);
    expect((await a.tenders()).tenders.map((t) => t.tenderID).sort()).toEqual(['fs', 'hs']);
    expect((await a.enrollments()).enrollments.map((e) => e.enrollmentStatus)).toEqual(['approvedEnrollment', 'approvedEnrollment']);
    await kill9();

    // Life 3: the clock starts at the gate; the scheduler clears the home auction.
    base = await serve(t13 - 60_000, 1);
    b = await client(base, 'b');
    const cleared = async () => (await b.transactions({ marketContexts: [HOME] })).transactions;
    for (let i = 0; i < 50 && (await cleared()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const first = await cleared();
    expect(first).toHaveLength(1);
    await kill9();

    // Life 4: the clearing was logged; replay does not clear it again, and nothing is duplicated.
    base = await serve(t13 - 30_000, 1);
    b = await client(base, 'b');
    await new Promise((r) => setTimeout(r, 600)); // a few scheduler ticks
    expect(await cleared()).toEqual(first);
    expect((await b.transactions()).transactions).toHaveLength(2);
    await kill9();
  }, 60_000);
});
