/**
 * Outward mode: a micromarket market joins a PowerMatcher cluster as a remote agent. The cluster here
 * is the PowerMatcher adapter in front of another service's curve market, over real websockets, and
 * the child connects as an unmodified PowerMatcher client would (agentId and connectionId only).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEndpoint, type Endpoint } from '../../adapters/powermatcher/server.js';
import { collections } from '../../src/host/records.js';
import { intertieCollections, type IntertieRecord } from '../../src/intertie/records.js';
import { priced } from '../support/enrollment.js';
import { rulesDir } from '../support/markets.js';
import { testService, type TestService } from '../support/service.js';

const start = Date.UTC(2026, 10, 23, 12, 0);
const I = Date.UTC(2026, 10, 23, 12, 15); // the first interval whose gates are open at 12:00

describe('a market joining a PowerMatcher cluster as a remote agent', () => {
  let dir: string;
  let cluster: TestService;
  let pm: Endpoint;
  let street: TestService;
  const at = async (now: number) => {
    cluster.clock.now = street.clock.now = now;
    await street.service.scheduler.tick();
    await cluster.service.scheduler.tick();
  };
  beforeAll(async () => {
    cluster = await testService(start);
    const tokens = cluster.service.context.tokens;
    pm = await startEndpoint({ service: cluster.base, marketContext: 'urn:micromarket:home', token: await tokens.issue('powermatcher', ['quote'], Date.now(), 3600),
      clock: () => cluster.clock.now, minTimeBetweenPriceUpdatesMs: 20, tickMs: 50, port: 0,
      agentTokens: new Map([['street', await tokens.issue('street', ['register', 'enroll', 'tender', 'quote'], Date.now(), 3600)]]) });
    // The cluster's market: a supplier sells 10 kW from 0.20.
    const supplier = await cluster.party('supplier');
    await cluster.enrollApproved(supplier, 'urn:micromarket:home');
    await supplier.tender([{ tenderID: 's-1', product: priced('urn:micromarket:home', 'sell', 0.2, 10, I) }]);
    // The street market under it: home-1's rules with the cluster as its parent.
    dir = await mkdtemp(join(tmpdir(), 'mm-outward-'));
    const home = await readFile(join(rulesDir, 'nested', 'home-1.xml'), 'utf8');
    await writeFile(join(dir, 'street.xml'), home.replace('<rules:id>home-1</rules:id>', '<rules:id>street</rules:id>').replace('urn:micromarket:home-1', 'urn:micromarket:street')
      .replace('<rules:parent>feeder-north</rules:parent>', `<rules:powermatcherParent><rules:url>${pm.url}/powermatcher/websocket</rules:url><rules:agentId>street</rules:agentId></rules:powermatcherParent>`));
    street = await testService(start, { rulesDir: dir });
    const trade = async (party: string, side: 'buy' | 'sell', price: number, quantity: number) => {
      const client = await street.party(party);
      await street.enrollApproved(client, 'urn:micromarket:street');
      await client.tender([{ tenderID: `${party}-1`, product: priced('urn:micromarket:street', side, price, quantity, I) }]);
    };
    await trade('heater', 'buy', 0.6, 6);
    await trade('pv', 'sell', 0.01, 2);
  });
  afterAll(async () => {
    await street?.close();
    await pm?.close().catch(() => undefined); // closed by the last test
    await cluster?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends its aggregate curve up, takes the price back and clears at import parity with the flow it bought', async () => {
    await at(start);
    expect(street.service.interties!.status()[0]).toMatchObject({ market: 'street', state: 'linked' });
    // A change within a second of the last bid waits (minTimeBetweenBidUpdates, PT1S by default), then goes up.
    const rev = async () => ((await intertieCollections.interties.get(street.service.context.store, ['street', I])) as unknown as IntertieRecord).rev;
    expect(await rev()).toBe(1);
    const lamp = await street.party('lamp');
    await street.enrollApproved(lamp, 'urn:micromarket:street');
    await lamp.tender([{ tenderID: 'lamp-1', product: priced('urn:micromarket:street', 'buy', 0.5, 1, I) }]);
    await at(start + 1000);
    expect(await rev()).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    await at(start + 2000);
    expect(await rev()).toBe(2);
    await lamp.cancelTenders('lamp-1');
    await new Promise((r) => setTimeout(r, 1100));
    await at(start + 3000);
    expect(await rev()).toBe(3);
    // The cluster answers the bid with a price within its rate limit; the street takes the last one 10 s before its gate.
    await new Promise((r) => setTimeout(r, 300));
    await at(I - 70_000);
    const record = (await intertieCollections.interties.get(street.service.context.store, ['street', I])) as unknown as IntertieRecord;
    // The street wants 4 kW (6 less 2): at the cluster's price its bid asks 4 / 0.99, and 0.99 of it arrives.
    expect(record.outcome!.parentNet).toBeCloseTo(4 / 0.99, 9);
    expect(record.outcome!.flow).toBeCloseTo(4, 9);
    // The supplier's 10 kW from 0.20 meet the street's 4.04 kW (its ladder, to the 0.001 tick) between 0.19 (+4.04) and 0.20 (-5.96).
    expect(record.outcome!.parentPrice).toBeCloseTo(0.19 + 0.01 * 4.04 / 10, 9);
    await at(I - 60_000); // both gates
    const cleared = (await collections.clearings.get(street.service.context.store, ['street', I])) as { price: number; type: string };
    expect(cleared.price).toBeCloseTo(record.outcome!.parentPrice / 0.99 + 0.02, 9);
    // In the cluster's market the street is one party, which bought its 4.04 kW (to the quantity tick).
    const engine = (await cluster.service.context.host.current([cluster.service.context.host.byId('home')!]))[0]!;
    const position = engine.positions.of(I).get('street')!;
    expect(position.bought).toBeCloseTo(4.04, 9);
    expect([...engine.positions.of(I).keys()]).not.toContain('heater');
  });

  it('islands when the cluster goes away, and says so', async () => {
    await pm.close();
    // Ticks until the street's end of the socket has heard the close and tried again.
    for (let tries = 0; tries < 50 && street.service.interties!.status()[0]!.state !== 'islanded'; tries++) {
      await at(I + 2 * 60_000 + tries * 1000);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(street.service.interties!.status()[0]).toMatchObject({ state: 'islanded', reason: expect.stringContaining('PowerMatcher cluster unreachable') });
  });
});
