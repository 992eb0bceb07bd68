import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UcmBridge } from '../../adapters/cta2045/bridge.js';
import { encodeDuration, encodeRelativePrice } from '../../adapters/cta2045/codec.js';
import { listenAt, openDevice, type DeviceAddress } from '../../adapters/cta2045/streams.js';
import { EmulatedWaterHeater } from '../../adapters/cta2045/water-heater.js';
import { MicromarketClient } from '../../src/client/index.js';
import type { Product } from '../../src/emix/product.js';
import { testService, type TestService } from '../support/service.js';

/**
 * End to end, over real HTTP and a real TCP link: two parties trade in the feeder market
 * (continuous, 5-minute intervals, gate one minute before); a UCM bridge enrolled there as the
 * VEN `bridge` drives an emulated water heater.
 *
 * - 12:30: 3 kW at 0.80 and 1 kW at 1.40 EUR/kWh, so 0.95, SIMPLE level 1 (the feeder's levels
 *   sit at 0.75 / 1.375 / 1.75): the feeder's deviceSignals make level 1 a Shed, for the
 *   interval's 300 s (duration code 12), and the relative price 0.95 / 0.50 = 1.9.
 * - 12:35: 2 kW at -0.10 (a resting sell taken at its price): level 0 at or below 0.000, surplus:
 *   Load Up.
 * - The heater's operational state comes back as telemetry: Idle Normal (0) before, Idle
 *   Curtailed Grid (4) while shed, Idle Opted Out (11) under the customer's override.
 */
const FEEDER = 'urn:micromarket:feeder-7';
const at = (h: number, m: number) => Date.UTC(2026, 10, 23, h, m);
const timings = { ackDelayMs: 2, replyDelayMs: 5, ackTimeoutMs: 200, replyTimeoutMs: 1000, retries: 2, retryGapMs: 20, messageTimeoutMs: 200 };
let ts: TestService;
let bridgeToken: string;
let bridge: UcmBridge;
let server: Server;
let heater: EmulatedWaterHeater;
/** A network outage between the bridge and the service. */
let vtnDown = false;

const product = (start: number, side: 'buy' | 'sell', price: number, quantity: number): Product => ({ dtstart: start,
  payload: { kind: 'temixPower', value: { price: { kind: 'price', value: price }, quantity } }, uid: 'p', transactiveState: 'tender', marketContext: FEEDER, side });
const getJson = async (path: string, token: string) => (await fetch(`${ts.base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
const points = async (rID: string) => ((await getJson(`/telemetry/bridge?rID=${rID}`, bridgeToken)).points as Array<{ dtstart: number; value: unknown; resourceID?: string }>);
const dispatch = async (interval: string) => (await getJson(`/dispatch?marketContext=${encodeURIComponent(FEEDER)}&interval=${interval}`, ts.operatorToken)).events as Array<Record<string, unknown>>;
const bridgeEvent = async (interval: string) => (await dispatch(interval)).find((e) => e.venID === 'bridge');
/** Until the emulator has taken what the bridge sent (its App ACK goes out after it acts). */
const settle = () => new Promise((r) => setTimeout(r, 50));

let address: DeviceAddress;
const startBridge = () => UcmBridge.start({ venID: 'bridge', devices: [{ id: 'wh-1', connect: () => openDevice(address), ratedKw: 4.5 }],
  service: { baseUrl: ts.base, token: bridgeToken, attempts: 1, fetch: (url, init) => (vtnDown ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init)) },
  clock: () => ts.clock.now, statePeriodMs: 60_000, timings });

beforeAll(async () => {
  ts = await testService(at(12, 0));
  for (const party of ['buyer', 'seller']) {
    const token = await ts.service.context.tokens.issue(party, ['register', 'enroll', 'tender'], Date.now(), 3600);
    const client = new MicromarketClient({ baseUrl: ts.base, partyID: party, token });
    await client.register({ partyName: party, partyRoles: ['consumer'] });
    await ts.enrollApproved(client, FEEDER);
  }
  bridgeToken = await ts.service.context.tokens.issue('bridge', ['register', 'enroll', 'report'], Date.now(), 3600);
  server = await listenAt({ kind: 'tcp', host: '127.0.0.1', port: 0 }, (socket) => {
    heater = new EmulatedWaterHeater(socket, () => ts.clock.now, { timings });
  });
  address = { kind: 'tcp', host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  bridge = await startBridge();
  await ts.enrollApproved(new MicromarketClient({ baseUrl: ts.base, partyID: 'bridge', token: bridgeToken }), FEEDER);
});
afterAll(async () => {
  await bridge?.close();
  server?.close();
  await ts?.close();
});

async function trade(start: number, sells: Array<[number, number]>, buy: [number, number]): Promise<void> {
  const client = async (party: string) => new MicromarketClient({ baseUrl: ts.base, partyID: party,
    token: await ts.service.context.tokens.issue(party, ['tender'], Date.now(), 3600) });
  const seller = await client('seller');
  for (const [i, [price, quantity]] of sells.entries()) await seller.tender([{ tenderID: `s-${start}-${i}`, product: product(start, 'sell', price, quantity) }]);
  await (await client('buyer')).tender([{ tenderID: `b-${start}`, product: product(start, 'buy', buy[0], buy[1]) }]);
}

describe('the UCM bridge, from market clearing to the device and back', () => {
  it('registers as a VEN, offers status, operational state and power per device, and runs the device normally at start', async () => {
    await bridge.tick();
    await settle();
    expect(heater.mode).toBe('normal');
    expect(bridge.ven.requests.size).toBe(2); // the VTN asked for both telemetry reports
    expect([...bridge.ven.requests.values()].flatMap((r) => r.rIDs).sort()).toEqual(['wh-1.operatingState', 'wh-1.power', 'wh-1.status']);
    expect((await points('wh-1.operatingState')).map((p) => [p.dtstart, p.value])).toEqual([[at(12, 0), 0]]);
  });

  it('answers the event of a cleared interval (optIn) and sheds the device when it starts, for the interval', async () => {
    await trade(at(12, 30), [[0.8, 3], [1.4, 1]], [1.4, 4]);
    ts.clock.now = at(12, 29);
    await ts.service.scheduler.tick();
    await bridge.tick();
    expect(await bridgeEvent('2026-11-23T12:30:00Z')).toMatchObject({ dispatch: 0, optType: 'optIn', resourcesOptedOut: [] });
    await settle();
    expect(heater.mode).toBe('normal'); // not yet

    ts.clock.now = at(12, 30);
    await bridge.tick();
    await settle();
    expect(heater.mode).toBe('shed');
    // 300 s left: code round(sqrt(150)) = 12, which the device reads as 2 x 12^2 = 288 s.
    expect(encodeDuration(300)).toBe(12);
    expect(heater.modeUntil).toBe(at(12, 30) + 288_000);
    expect(heater.relativePriceCode).toBe(encodeRelativePrice(0.95 / 0.5));
    expect(bridge.status()[0]).toMatchObject({ id: 'wh-1', online: true, overridden: false, command: 'shed', until: '2026-11-23T12:35:00.000Z' });
  });

  it('reports the shed state back to the market: Idle Curtailed Grid, no power drawn', async () => {
    const state = await points('wh-1.operatingState');
    expect(state.map((p) => [p.dtstart, p.value])).toEqual([[at(12, 0), 0], [at(12, 29), 0], [at(12, 30), 4]]);
    expect(state[2]!.resourceID).toBe('wh-1');
    expect((await points('wh-1.power')).at(-1)).toMatchObject({ dtstart: at(12, 30), value: 0 });
    expect((await points('wh-1.status')).at(-1)).toMatchObject({ dtstart: at(12, 30), value: { online: true, manualOverride: false } });
  });

  it('turns a customer override into an opt-out of the device, and the event into optOut when no device takes part', async () => {
    ts.clock.now = at(12, 31);
    await heater.override(true);
    await settle();
    await bridge.tick();
    expect(await bridgeEvent('2026-11-23T12:30:00Z')).toMatchObject({ optType: 'optOut', resourcesOptedOut: ['wh-1'] });
    expect((await points('wh-1.status')).at(-1)).toMatchObject({ dtstart: at(12, 31), value: { online: true, manualOverride: true } });
    expect((await points('wh-1.operatingState')).at(-1)).toMatchObject({ dtstart: at(12, 31), value: 11 });
  });

  it('after a restart finds its opt-out already made, and keeps it', async () => {
    await bridge.close();
    bridge = await startBridge(); // the device session starts anew too: the new heater is not overridden yet
    await bridge.tick();
    await heater.override(true);
    await settle();
    await bridge.tick();
    expect(await bridgeEvent('2026-11-23T12:30:00Z')).toMatchObject({ optType: 'optOut', resourcesOptedOut: ['wh-1'] });
  });

  it('takes the opt-out back when the override ends, and sheds the device for what is left of the interval', async () => {
    ts.clock.now = at(12, 32);
    await heater.override(false);
    await settle();
    await bridge.tick();
    await settle();
    expect(await bridgeEvent('2026-11-23T12:30:00Z')).toMatchObject({ optType: 'optIn', resourcesOptedOut: [] });
    expect(heater.mode).toBe('shed');
    expect(heater.modeUntil).toBe(at(12, 32) + 2 * encodeDuration(180) ** 2 * 1000);
  });

  it('connects again to a device whose link dropped, and gives it the command and price of the moment', async () => {
    const dropped = heater;
    dropped.close(); // the device end hangs up
    await settle();
    ts.clock.now = at(12, 33);
    await bridge.tick();
    await settle();
    expect(heater).not.toBe(dropped); // a new connection, a new device session
    expect(heater.mode).toBe('shed');
    expect(heater.modeUntil).toBe(at(12, 33) + 2 * encodeDuration(120) ** 2 * 1000);
    expect(heater.relativePriceCode).toBe(encodeRelativePrice(0.95 / 0.5));
  });

  it('loads the device up in a surplus interval, and runs it normally once the events are over', async () => {
    await trade(at(12, 35), [[-0.1, 2]], [0, 2]);
    ts.clock.now = at(12, 34);
    await ts.service.scheduler.tick();
    await bridge.tick();
    ts.clock.now = at(12, 35);
    await bridge.tick();
    await settle();
    expect(heater.mode).toBe('load-up');
    expect(heater.relativePriceCode).toBe(1); // a negative price is below anything the code can say
    ts.clock.now = at(12, 40);
    await bridge.tick();
    await settle();
    expect(heater.mode).toBe('normal');
    expect(bridge.status()[0]).toMatchObject({ command: 'end-shed', until: null });
  });

  it('tells the device when the service stops answering, and again when it is back', async () => {
    await settle();
    expect(heater.communicationStatus).toBe(1);
    vtnDown = true;
    ts.clock.now = at(12, 41);
    await bridge.tick();
    await settle();
    expect(heater.communicationStatus).toBe(0);
    vtnDown = false;
    ts.clock.now = at(12, 42);
    await bridge.tick();
    await settle();
    expect(heater.communicationStatus).toBe(1);
  });

  it('registers again when the operator asks, keeping its registrationID and its telemetry requests', async () => {
    const registrationID = bridge.ven.registrationID;
    const before = [...bridge.ven.requests.keys()];
    const res = await fetch(`${ts.base}/vens/bridge/reregistration`, { method: 'POST', headers: { authorization: `Bearer ${ts.operatorToken}` } });
    expect(res.status).toBe(202);
    ts.clock.now = at(12, 43);
    await bridge.tick();
    expect(bridge.ven.registrationID).toBe(registrationID);
    const requests = [...bridge.ven.requests.values()];
    expect(requests.flatMap((r) => r.rIDs).sort()).toEqual(['wh-1.operatingState', 'wh-1.power', 'wh-1.status']);
    expect(requests.map((r) => r.reportRequestID)).not.toContain(before[0]); // the new requests replace the old
    expect((await points('wh-1.operatingState')).at(-1)).toMatchObject({ dtstart: at(12, 43), value: 0 });
  });
});
