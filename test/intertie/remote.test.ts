/**
 * A home market in one service process whose parent, the feeder market, runs in another (with the
 * substation above it): two real `micromarket serve` processes over HTTP on one market clock, which
 * stands still until the test moves it through each interval's gates (support/instances.ts, FileClock).
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/auth/tokens.js';
import { MicromarketClient } from '../../src/client/index.js';
import type { IntertieRecord } from '../../src/intertie/records.js';
import { enrollApproved, priced } from '../support/enrollment.js';
import { FileClock, spawnServe, stopProcess, type Instance } from '../support/instances.js';
import { rulesDir } from '../support/markets.js';
import { freePort } from '../support/ports.js';
import { type IntertieStatus } from '../../src/host/views.js';

const MIN = 60_000;
const I1 = Date.UTC(2026, 10, 23, 12, 0);
const I2 = I1 + 15 * MIN; // the parent is down when this one clears
const I2b = I1 + 30 * MIN; // and still down when this one clears
const I3 = I1 + 45 * MIN; // after the parent is back
const ctx = (id: string) => `urn:micromarket:${id}`;

/** Every file under a directory, as one buffer's text: everything a service stored. */
async function everythingStored(dir: string): Promise<string> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push((await readFile(join(entry.parentPath, entry.name))).toString('latin1'));
  }
  return out.join('\n');
}

describe('a child market whose parent is another service process', () => {
  let root: string;
  let parentPort: number;
  let parentArgs: string[];
  let childArgs: string[];
  let childEnv: NodeJS.ProcessEnv;
  let parent: Instance;
  let child: Instance;
  let childOperator: string;
  let clock: FileClock;
  let parentOperator: string;
  /** Polls (the services' jobs run on real-time ticks) until `done`; never a bet on how long something takes. */
  const waitFor = async (what: string, done: () => Promise<boolean>) => {
    for (let tries = 0; !(await done()); tries++) {
      if (tries > 600) throw new Error(`${what} never happened`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const clearedIn = (base: string, token: string, market: string, interval: number) =>
    new MicromarketClient({ baseUrl: base, partyID: 'operator', token }).price(ctx(market), interval, 'cleared');
  const childIntertie = async () => {
    const res = await fetch(`${child.base}/interties`, { headers: { authorization: `Bearer ${childOperator}` } });
    return (await res.json() as { interties: Array<IntertieStatus & { intervals: Array<IntertieRecord & { interval: string }> }> }).interties[0]!;
  };
  const record = async (interval: number) => (await childIntertie()).intervals.find((r) => r.interval === new Date(interval).toISOString());
  /**
   * Moves the clock through an interval's gates, parents first (the substation's 5 minutes ahead, the feeder's 3, the
   * home's 1), and returns the home's cleared price. With the parent up, its ladder is in the feeder before the first
   * gate, and the home takes its flow before its own gate; with the parent down, the home's gate finds no outcome.
   */
  const clearedAt = async (interval: number, parentUp = true) => {
    if (parentUp) {
      await waitFor('the home\'s ladder in the feeder', async () => ((await record(interval))?.rev ?? 0) >= 1);
      // ... and in the feeder's own ladder to the substation: more than the school's 20 kW (grossed up by the feeder's losses).
      const feeder = new MicromarketClient({ baseUrl: parent.base, partyID: 'feeder-north',
        token: await (await TokenService.forDataDir(join(root, 'parent-data'))).issue('feeder-north', ['tender'], Date.now(), 600) });
      await waitFor('the home\'s demand in the feeder\'s ladder', async () => (await feeder.tenders()).tenders
        .filter((t) => t.product.dtstart === interval && t.product.side === 'buy')
        .reduce((sum, t) => sum + (t.product.intervals?.[0]?.payloads[0]?.value.quantity ?? t.product.payload?.value.quantity ?? 0), 0) > 20 / 0.98 + 1);
      await clock.set(interval - 5 * MIN);
      await waitFor('the substation\'s auction', async () => await clearedIn(parent.base, parentOperator, 'substation', interval) !== undefined);
      await clock.set(interval - 3 * MIN);
      await waitFor('the feeder\'s auction', async () => await clearedIn(parent.base, parentOperator, 'feeder-north', interval) !== undefined);
      await waitFor('the home\'s flow', async () => (await record(interval))?.outcome !== undefined);
    }
    await clock.set(interval - 1 * MIN);
    let price: number | undefined;
    await waitFor('the home\'s auction', async () => (price = await clearedIn(child.base, childOperator, 'home-1', interval)) !== undefined);
    return price!;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mm-intertie-'));
    const [parentRules, childRules, parentData, childData] = ['parent-rules', 'child-rules', 'parent-data', 'child-data'].map((d) => join(root, d)) as [string, string, string, string];
    await Promise.all([parentRules, childRules].map((d) => mkdir(d)));
    for (const f of ['substation.xml', 'feeder-north.xml']) await copyFile(join(rulesDir, 'nested', f), join(parentRules, f));
    parentPort = await freePort();
    const home = (await readFile(join(rulesDir, 'nested', 'home-1.xml'), 'utf8')).replace('<rules:parent>feeder-north</rules:parent>',
      `<rules:remoteParent><rules:url>http://127.0.0.1:${parentPort}</rules:url><emix:marketContext>${ctx('feeder-north')}</emix:marketContext>`
      + '<rules:clientSecretEnv>HOME1_SECRET</rules:clientSecretEnv></rules:remoteParent>');
    await writeFile(join(childRules, 'home-1.xml'), home);

    parentOperator = await (await TokenService.forDataDir(parentData)).issue('operator', ['operator'], Date.now(), 3600);
    childOperator = await (await TokenService.forDataDir(childData)).issue('operator', ['operator'], Date.now(), 3600);
    clock = await FileClock.create(root, I1 - 14 * MIN);
    parentArgs = ['--data', parentData, '--rules', parentRules, ...clock.args];
    parent = await spawnServe(parentPort, parentArgs);

    // The parent's operator gives the home its party and credentials there.
    const clients = async (base: string, operator: string, partyID: string, scopes = ['register', 'enroll', 'tender', 'quote']) => {
      const res = await fetch(`${base}/oauth/clients`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${operator}` },
        body: JSON.stringify({ partyID, scopes }) });
      const { client_id: clientId, client_secret: clientSecret } = await res.json() as { client_id: string; client_secret: string };
      return { clientId, clientSecret };
    };
    const home1 = await clients(parent.base, parentOperator, 'home-1');
    childArgs = ['--data', childData, '--rules', childRules, ...clock.args];
    childEnv = { ...process.env, HOME1_SECRET: home1.clientSecret };
    child = await spawnServe(await freePort(), childArgs, childEnv);

    const trade = async (base: string, operator: string, partyID: string, market: string, bids: Array<['buy' | 'sell', number, number, number]>) => {
      const client = new MicromarketClient({ baseUrl: base, partyID, credentials: await clients(base, operator, partyID) });
      await client.register({ partyName: partyID, partyRoles: ['consumer'] });
      await enrollApproved(client, new MicromarketClient({ baseUrl: base, partyID: 'operator', token: operator }), ctx(market), clock.now());
      await client.tender(bids.map(([side, price, q, at], k) => ({ tenderID: `${partyID}-${k}`, product: priced(ctx(market), side, price, q, at) })));
    };
    const every = <T>(f: (at: number) => T) => [I1, I2, I2b, I3].map(f);
    await trade(parent.base, parentOperator, 'supplier', 'substation', every((at) => ['sell', 0.2, 100, at] as ['sell', number, number, number]));
    await trade(parent.base, parentOperator, 'school', 'feeder-north', every((at) => ['buy', 0.4, 20, at] as ['buy', number, number, number]));
    // The heater wants 20 kW in the first interval, more than the home's 15 kW connection can bring; 6 kW later.
    await trade(child.base, childOperator, 'h1-heater', 'home-1', every((at) => ['buy', 0.6, at === I1 ? 20 : 6, at] as ['buy', number, number, number]));
    await trade(child.base, childOperator, 'h1-pv', 'home-1', every((at) => ['sell', 0.01, 2, at] as ['sell', number, number, number]));
  }, 30_000);

  afterAll(async () => {
    await Promise.all([parent, child].map((p) => p && stopProcess(p.process, 'SIGTERM')));
    await rm(root, { recursive: true, force: true });
  });

  it('trades the home\'s residual in the remote feeder within capacity, takes the flow back less losses, and separates when congested', async () => {
    const price = await clearedAt(I1);
    const { outcome } = (await record(I1))!;
    // The home wants 18 kW (20 less its 2 kW of PV); its connection brings 15: the feeder sells it 15 / 0.99, truncated to 0.001.
    expect(outcome!.parentNet).toBeCloseTo(15.151, 9);
    expect(outcome!.flow).toBeCloseTo(15.151 * 0.99, 9);
    expect(outcome!.flow).toBeLessThanOrEqual(15);
    // Congested: the home clears on its own curve, far above import parity: the heater's 20 kW less PV and import meet at 0.59-0.60.
    expect(price).toBeGreaterThan(outcome!.parentPrice / 0.99 + 0.02 + 0.3);
    expect(price).toBeCloseTo(0.59 + 0.01 * (18 - outcome!.flow) / 20, 6);
  });

  it('the parent stores the home as one party and nothing of its devices', async () => {
    const stored = await everythingStored(join(root, 'parent-data'));
    expect(stored).toContain('home-1');
    expect(stored).not.toContain('h1-heater');
    expect(stored).not.toContain('h1-pv');
  });

  it('islands while the parent is down: keeps clearing on its own curve and says so, interval after interval', async () => {
    await stopProcess(parent.process); // SIGKILL
    const price = await clearedAt(I2, false);
    const status = await childIntertie();
    expect(status.state).toBe('islanded');
    const health = await (await fetch(`${child.base}/healthz`)).json() as { status: string };
    expect(health.status).toBe('degraded');
    expect((await record(I2))!.islanded).toBe(true);
    // On its own curve the heater (6 kW up to 0.60) meets the PV's 2 kW at 0.60: interpolated 0.59 + 0.01 * 4 / 6.
    expect(price).toBeCloseTo(0.59 + 0.01 * 4 / 6, 6);
    expect(child.logs.some((l) => l.includes('intertie islanded'))).toBe(true);
    const metrics = await (await fetch(`${child.base}/metrics`, { headers: { authorization: `Bearer ${childOperator}` } })).text();
    expect(metrics).toMatch(/micromarket_intertie_linked\{market="home-1",parent="[^"]+"\} 0/);
    expect(metrics).toMatch(/micromarket_intertie_islanded_intervals\{market="home-1",parent="[^"]+"\} 1/);
    // Still down at the next interval's gate: it clears islanded too.
    expect(await clearedAt(I2b, false)).toBeCloseTo(0.59 + 0.01 * 4 / 6, 6);
    expect((await record(I2b))!.islanded).toBe(true);
  });

  it('links again when the parent returns, records what the parent cleared meanwhile, and trades the next interval across a child restart', async () => {
    parent = await spawnServe(parentPort, parentArgs);
    // The child is killed and restarted while its bid for I3 stands in the parent.
    await clock.set(I3 - 10 * MIN);
    // The parent clears I2 and I2b late, once back; the home hears what it cleared.
    await waitFor('what the parent cleared while the home islanded', async () => (await record(I2b))?.deviation !== undefined);
    const sent = (await record(I3))!.rev;
    await stopProcess(child.process);
    child = await spawnServe(Number(new URL(child.base).port), childArgs, childEnv);
    const price = await clearedAt(I3);
    expect((await childIntertie()).state).toBe('linked');
    // The parent, back late, cleared I2 and I2b with the home's bids but without the substation's flow (its own feeder had
    // islanded by then): nothing was sold to the home. The home records that it asked.
    expect((await record(I2))!.deviation?.parentNet).toBe(0);
    expect((await record(I2b))!.deviation?.parentNet).toBe(0);
    // The feeder's own intertie, in the parent process, keeps its substation trade for I2 as a deviation.
    const feeder = (await (await fetch(`${parent.base}/interties`, { headers: { authorization: `Bearer ${parentOperator}` } })).json() as
      { interties: Array<{ intervals: Array<IntertieRecord & { interval: string }> }> }).interties[0]!;
    const feederI2 = feeder.intervals.find((r) => r.interval === new Date(I2).toISOString())!;
    expect(feederI2.islanded).toBe(true);
    expect(feederI2.deviation!.parentNet).toBeGreaterThan(20);
    // The home wants 4 kW (6 less 2): the feeder sells it 4 / 0.99, truncated to 0.001, and 0.99 of that arrives.
    const { outcome } = (await record(I3))!;
    expect(outcome!.flow).toBeCloseTo(4.04 * 0.99, 9);
    // Uncongested: the home's price is held at its import parity with the feeder's price.
    expect(price).toBeCloseTo(outcome!.parentPrice / 0.99 + 0.02, 6);
    expect((await record(I3))!.rev).toBe(sent); // the restarted child found its bid in place and did not send it again
    // Never doubled: the parent holds one purchase per interval for the home.
    const home1 = new MicromarketClient({ baseUrl: parent.base, partyID: 'home-1', token: await (await TokenService.forDataDir(join(root, 'parent-data'))).issue('home-1', ['tender'], Date.now(), 600) });
    // (one transaction per step tender of its ladder that the clearing allocated).
    const { transactions } = await home1.transactions({ marketContexts: [ctx('feeder-north')] });
    const bought = (at: number) => transactions.filter((t) => t.product.dtstart === at)
      .reduce((sum, t) => sum + (t.product.side === 'buy' ? 1 : -1) * t.product.payload!.value.quantity!, 0);
    expect(bought(I1)).toBeCloseTo(15.151, 9);
    expect(bought(I3)).toBeCloseTo(4.04, 9);
  });
});
