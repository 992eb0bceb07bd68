import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '../../src/host/records.js';
import { intertieCollections, type IntertieRecord } from '../../src/intertie/records.js';
import { rulesDir } from '../support/markets.js';
import { priced } from '../support/enrollment.js';
import { testService, type TestService } from '../support/service.js';

const interval = Date.UTC(2026, 10, 23, 12, 0);
const MIN = 60_000;
const ctx = (id: string) => `urn:micromarket:${id}`;

/** Every value a market's command log and transactions hold, as one string: what that market stored. */
async function stored(svc: TestService, marketID: string): Promise<string> {
  const log = await collections.commands.list(svc.service.context.store, [marketID]);
  const engine = (await svc.service.context.host.current([svc.service.context.host.byId(marketID)!]))[0]!;
  return JSON.stringify([log, [...engine.positions.of(interval)]]);
}

describe('nested markets in one service (market-rules/nested)', () => {
  let svc: TestService;
  const records = async (market: string) => new Map((await intertieCollections.interties.list(svc.service.context.store, [market]))
    .map(([k, v]) => [Number(k.split('/')[1]), v as unknown as IntertieRecord]));
  const positions = async (market: string) => {
    const host = svc.service.context.host;
    return (await host.current([host.byId(market)!]))[0]!.positions.of(interval);
  };
  const net = async (market: string, party: string) => {
    const p = (await positions(market)).get(party);
    return p ? p.bought - p.sold : 0;
  };
  const tick = async (at: number) => {
    svc.clock.now = at;
    await svc.service.scheduler.tick();
  };

  beforeAll(async () => {
    svc = await testService(interval - 60 * MIN, { rulesDir: join(rulesDir, 'nested') });
    const trade = async (party: string, market: string, bids: Array<['buy' | 'sell', number, number]>) => {
      const client = await svc.party(party);
      await svc.enrollApproved(client, ctx(market));
      await client.tender(bids.map(([side, price, q], k) => ({ tenderID: `${party}-${k}`, product: priced(ctx(market), side, price, q, interval) })));
    };
    // Upstream supply in steps; a school on the feeder; devices in the homes.
    await trade('supplier', 'substation', [['sell', 0.2, 100], ['sell', 0.3, 200], ['sell', 0.45, 300]]);
    await trade('school', 'feeder-north', [['buy', 0.4, 20]]);
    await trade('h1-heater', 'home-1', [['buy', 0.6, 6]]);
    await trade('h1-ev', 'home-1', [['buy', 0.25, 4]]);
    await trade('h1-pv', 'home-1', [['sell', 0.01, 2]]);
    await trade('h2-pv', 'home-2', [['sell', 0.05, 10]]);
    await trade('h2-fridge', 'home-2', [['buy', 0.9, 1]]);
    // The campus trades continuously: the PV's 4 kW fill part of the lab's bid at once, 6 kW of it rest.
    await trade('campus-lab', 'campus', [['buy', 0.4, 10]]);
    await trade('campus-pv', 'campus', [['sell', 0.1, 4]]);
  });
  afterAll(() => svc.close());

  it('sends each child\'s aggregate up as one party, deepest first, in the first tick', async () => {
    await tick(interval - 30 * MIN);
    expect((await records('home-1')).get(interval)?.rev).toBe(1);
    expect((await records('home-2')).get(interval)?.rev).toBe(1);
    expect((await records('feeder-north')).get(interval)?.rev).toBe(1);
    // The feeder bid already includes the homes: it carries the school's 20 kW plus home 1's import less home 2's export.
    const feeder = await svc.service.context.host.current([svc.service.context.host.byId('feeder-north')!]);
    expect([...(feeder[0]!.openTenders('home-1'))].length).toBeGreaterThan(0);
    // A tick with nothing changed sends nothing new.
    await tick(interval - 29 * MIN);
    expect((await records('home-1')).get(interval)?.rev).toBe(1);
    const status = svc.service.interties!.status();
    expect(status.map((s) => [s.market, s.state])).toEqual([['feeder-north', 'linked'], ['campus', 'linked'], ['home-1', 'linked'], ['home-2', 'linked']]);
  });

  it('clears parents first; each child takes its flow, conserving energy with losses and within capacity', async () => {
    await tick(interval - 5 * MIN); // substation gate
    expect((await records('feeder-north')).get(interval)?.outcome).toBeDefined();
    expect((await records('home-1')).get(interval)?.outcome).toBeUndefined(); // the feeder has not cleared yet
    await tick(interval - 3 * MIN); // feeder gate
    await tick(interval - 1 * MIN); // home gates
    for (const [child, parent, loss, cap] of [['feeder-north', 'substation', 0.02, 400], ['home-1', 'feeder-north', 0.01, 15], ['home-2', 'feeder-north', 0.01, 8]] as const) {
      const { outcome } = (await records(child)).get(interval)!;
      const bought = await net(parent, child);
      expect(outcome!.parentNet).toBeCloseTo(bought, 9);
      // Imports arrive less the losses, exports leave grossed up by them.
      expect(outcome!.flow).toBeCloseTo(bought >= 0 ? bought * (1 - loss) : bought / (1 - loss), 9);
      expect(await net(child, `intertie:${parent}`)).toBeCloseTo(-outcome!.flow, 9);
      expect(Math.abs(outcome!.flow)).toBeLessThanOrEqual(cap);
    }
    expect(await net('feeder-north', 'campus')).toBeCloseTo((await records('campus')).get(interval)!.outcome!.parentNet, 9);
    // The campus's 6 kW left unmatched came through its intertie (6 / 0.99 bought, truncated to 6.060; 5.999 sold on the campus's
    // 0.001 ticks) as a sell at import parity, taken by the lab's resting bid at its own price.
    const campus = (await records('campus')).get(interval)!.outcome!;
    expect(campus.parentNet).toBeCloseTo(6.06, 9);
    expect(await net('campus', 'campus-lab')).toBeCloseTo(4 + 5.999, 9);
    expect(await net('campus', 'intertie:feeder-north')).toBeCloseTo(-5.999, 9);
    // Home 2's PV (10 kW less its 1 kW fridge) leaves through an 8 kW connection: congested, its price separates below export parity.
    const home2 = (await records('home-2')).get(interval)!.outcome!;
    const cleared = (await collections.clearings.get(svc.service.context.store, ['home-2', interval])) as { price: number; type: string };
    expect(home2.flow).toBeCloseTo(-8, 9);
    expect(cleared.price).toBeLessThan(home2.parentPrice * 0.99 - 0.02 - 0.1);
    expect(cleared.type).not.toBe('intertie');
    // Home 1 (uncongested) is held at its import parity.
    const home1 = (await records('home-1')).get(interval)!.outcome!;
    expect((await collections.clearings.get(svc.service.context.store, ['home-1', interval]) as { price: number }).price).toBeCloseTo(home1.parentPrice / 0.99 + 0.02, 6);
    // Home 1 is short (10 kW wanted, 2 kW of PV): it imports; home 2's PV exports.
    expect((await records('home-1')).get(interval)!.outcome!.flow).toBeGreaterThan(0);
    expect((await records('home-2')).get(interval)!.outcome!.flow).toBeLessThan(0);
  });

  it('keeps child parties private: a parent stores each child as one party and nothing of its members', async () => {
    const substation = await stored(svc, 'substation');
    expect(substation).toContain('feeder-north');
    for (const hidden of ['school', 'home-1', 'home-2', 'campus', 'h1-', 'h2-']) expect(substation).not.toContain(hidden);
    const feeder = await stored(svc, 'feeder-north');
    expect(feeder).toContain('home-1');
    for (const hidden of ['h1-', 'h2-', 'campus-lab', 'campus-pv']) expect(feeder).not.toContain(hidden);
  });

  it('reports the interties on /healthz and GET /interties', async () => {
    const health = await (await fetch(`${svc.base}/healthz`)).json() as { status: string; interties: Array<{ market: string; state: string }> };
    expect(health.status).toBe('ok');
    expect(health.interties.map((i) => i.state)).toEqual(['linked', 'linked', 'linked', 'linked']);
    const res = await fetch(`${svc.base}/interties`, { headers: { authorization: `Bearer ${svc.operatorToken}` } });
    const body = await res.json() as { interties: Array<{ market: string; intervals: Array<{ interval: string; outcome?: { flow: number } }> }> };
    expect(body.interties.find((i) => i.market === 'home-1')!.intervals[0]).toMatchObject({ interval: '2026-11-23T12:00:00.000Z', outcome: { flow: expect.any(Number) } });
  });

  it('exposes the interties to Prometheus on /metrics, for the operator', async () => {
    expect((await fetch(`${svc.base}/metrics`)).status).toBe(401);
    const text = await (await fetch(`${svc.base}/metrics`, { headers: { authorization: `Bearer ${svc.operatorToken}` } })).text();
    expect(text).toContain('micromarket_intertie_linked{market="home-1",parent="feeder-north"} 1');
    const flow = Number(/micromarket_intertie_flow\{market="home-1",parent="feeder-north"\} (\S+)/.exec(text)![1]);
    expect(flow).toBeCloseTo((await records('home-1')).get(interval)!.outcome!.flow, 9);
    expect(text).toContain('micromarket_intertie_islanded_intervals{market="home-2",parent="feeder-north"} 0');
  });

  it('places each flow once: a repeated tick changes nothing', async () => {
    const before = await collections.commands.list(svc.service.context.store, ['home-1']);
    await tick(interval - 1 * MIN + 1000);
    expect(await collections.commands.list(svc.service.context.store, ['home-1'])).toHaveLength(before.length);
  });

  /** A new home-1 device bidding 3 kW at `at`, sent up by a tick half an hour ahead. */
  const bidAt = async (party: string, at: number) => {
    const heater = await svc.party(party);
    await svc.enrollApproved(heater, ctx('home-1'));
    await heater.tender([{ tenderID: `${party}-1`, product: priced(ctx('home-1'), 'buy', 0.6, 3, at) }]);
    await tick(at - 30 * MIN);
    return heater;
  };
  /** The IDs of home 1's tenders open in the feeder for an interval. */
  const inFeeder = async (at: number) => (await svc.service.context.host.current([svc.service.context.host.byId('feeder-north')!]))[0]!
    .openTenders('home-1').filter((t) => t.slices[0]!.interval === at).map((t) => t.tenderID).sort();

  it('withdraws a child\'s bid from the parent when its participants withdraw theirs', async () => {
    const next = interval + 15 * MIN;
    const heater = await bidAt('h1-late', next);
    expect((await inFeeder(next)).length).toBeGreaterThan(0);
    await heater.cancelTenders('h1-late-1');
    await tick(next - 29 * MIN);
    expect(await inFeeder(next)).toEqual([]);
    expect((await records('home-1')).get(next)?.rev).toBe(2);
  });

  it('does not send a ladder twice when the child lost its record of sending it (a crash between the parent\'s answer and its own commit)', async () => {
    const later = interval + 30 * MIN;
    await bidAt('h1-later', later);
    const sent = await inFeeder(later);
    expect(sent.length).toBeGreaterThan(0);
    const log = (await collections.commands.list(svc.service.context.store, ['feeder-north'])).length;
    await svc.service.context.store.commit([intertieCollections.interties.del(['home-1', later])]);
    await tick(later - 29 * MIN);
    // The same ladder (same revision and content, so the same tender IDs) was found open in the parent: nothing was cancelled or sent.
    expect(await inFeeder(later)).toEqual(sent);
    expect((await collections.commands.list(svc.service.context.store, ['feeder-north'])).length).toBe(log);
    expect((await records('home-1')).get(later)?.rev).toBe(1);
  });
});
