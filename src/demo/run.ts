/**
 * `npm run demo`: the surplus-solar pre-cool scenario on one service, every participant through
 * the public interfaces. A home market (rooftop PV, the household's loads, an air conditioner's
 * thermostat, a water heater behind the CTA-2045 bridge, a battery and an EV as PowerMatcher agents)
 * trades its residual in a feeder market (the grid supplier, a solar farm, an aggregator's buildings
 * that are also an OpenADR VEN) through an intertie. The clock is the demo's: each minute of the day
 * is stepped at once, so a day takes seconds.
 *
 * Each 15-minute interval k: 5 minutes before it everyone bids for it; the feeder's gate closes 3
 * minutes before (the home's residual has gone up), the home's 1 minute before (the flow came down);
 * then the PowerMatcher agents hear their price, the thermostat reads its position, and the devices
 * run the interval minute by minute while the bridge commands the water heater from the home's event.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UcmBridge, listenAt, openDevice, EmulatedWaterHeater, defaultTank, Tank } from '../../adapters/cta2045/index.js';
import { startEndpoint, type Endpoint } from '../../adapters/powermatcher/index.js';
import { curveProducts, MicromarketClient, OpenAdrVen, rulesOf } from '../client/index.js';
import type { IntertieRecord } from '../intertie/records.js';
import type { MarketRules } from '../terms/rules.js';
import { stepOf } from '../terms/curve.js';
import { gridOf } from '../terms/ladder.js';
import { exampleRulesDir } from '../paths.js';
import { startService, type Service } from '../service/index.js';
import type { Scope } from '../auth/tokens.js';
import { Battery, curveOf, Ev, PlainThermostat, Thermostat } from './devices.js';
import { PowerMatcherAgent } from './pm-agent.js';
import { profiles } from './profiles.js';
import { summarize, type IntervalRecord, type PartyTrades, type Summary } from './summary.js';

export const HOME = 'urn:micromarket:demo-home';
export const FEEDER = 'urn:micromarket:demo-feeder';
const MIN = 60_000;
const STEP = 15;
const HOURS = STEP / 60;
const fast = { ackDelayMs: 1, replyDelayMs: 2, ackTimeoutMs: 200, replyTimeoutMs: 1000, retries: 2, retryGapMs: 20, messageTimeoutMs: 200 };

/**
 * The grid supplier on the feeder: it takes up to 100 kW at the export price and sells up to 100 kW
 * at the tariff, each ramping over 0.05 EUR/kWh (five price steps), so the auction finds its price
 * on a ramp and nearest-step allocation leaves the market account at most a step's 20 kW.
 */
function gridDemand(price: number, tariff: number): number {
  const ramp = 0.05;
  const most = 100;
  if (price <= profiles.exportPrice) return most;
  if (price < profiles.exportPrice + ramp) return (most * (profiles.exportPrice + ramp - price)) / ramp;
  if (price <= tariff) return 0;
  if (price < tariff + ramp) return (-most * (price - tariff)) / ramp;
  return -most;
}

export interface DemoOptions {
  /** Intervals of 15 minutes to run. @default 96 (a day) */
  readonly intervals?: number;
  /** The first interval. @default 2026-07-15T00:00Z */
  readonly start?: number;
  /** Keep the service running afterwards (the dashboard can be watched), on this port. */
  readonly live?: { readonly port: number };
  /** Told after each interval. */
  readonly progress?: (done: number, total: number, at: number) => void;
}

export interface DemoResult {
  readonly records: IntervalRecord[];
  readonly summary: Summary;
  /** The service, still running with `live`; its URL and an operator token. */
  readonly live?: { readonly service: Service; readonly url: string; readonly operatorToken: string; stop(): Promise<void> };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const intervals = options.intervals ?? 96;
  const start = options.start ?? Date.UTC(2026, 6, 15, 0, 0);
  const dir = await mkdtemp(join(tmpdir(), 'micromarket-demo-'));
  const clock = { now: start - STEP * MIN };
  const service = await startService({ dataDir: dir, rulesDir: join(exampleRulesDir, 'demo'), clock: () => clock.now, gateTickMs: 0, xmlWorkers: 0 });
  const closers: Array<() => Promise<unknown> | void> = [];
  try {
    const url = await service.app.listen({ port: options.live?.port ?? 0, host: '127.0.0.1' });
    const tokens = service.context.tokens;
    const token = (party: string, scopes: Scope[]) => tokens.issue(party, scopes, Date.now(), 7 * 86_400);
    const operatorToken = await token('operator', ['operator']);
    const operator = new MicromarketClient({ baseUrl: url, partyID: 'operator', token: operatorToken });
    const rules = new Map((await operator.marketRules()).map((r) => [r.marketContext, rulesOf(r)]));
    const homeRules = rules.get(HOME)!;
    const feederRules = rules.get(FEEDER)!;
    const grid = gridOf(homeRules)!;

    // EI parties bid curves as step tenders; the aggregator is also an OpenADR VEN.
    const party = async (partyID: string, market: string) => {
      const client = new MicromarketClient({ baseUrl: url, partyID, token: await token(partyID, ['register', 'enroll', 'tender', 'quote', 'report']) });
      await client.register({ partyName: partyID, partyRoles: ['consumer'] });
      await client.enroll(market, 'consumer', clock.now);
      return client;
    };
    const bidders = {
      pv: await party('pv', HOME), household: await party('household', HOME), thermostat: await party('thermostat', HOME),
      grid: await party('grid', FEEDER), farm: await party('solar-farm', FEEDER), aggregator: await party('aggregator', FEEDER),
    };
    const ven = new OpenAdrVen({ baseUrl: url, venID: 'aggregator', token: await token('aggregator', ['register', 'report']) });
    await ven.register();

    // The battery and the EV are PowerMatcher agents at the home market's endpoint.
    const endpoint: Endpoint = await startEndpoint({ service: url, marketContext: HOME, token: await token('powermatcher', ['quote']), port: 0,
      minTimeBetweenPriceUpdatesMs: 0, clock: () => clock.now, tickMs: 3_600_000, logger: false });
    closers.push(() => endpoint.close());
    const agent = async (id: string) => PowerMatcherAgent.connect(endpoint.url, id, await token(id, ['register', 'enroll', 'tender', 'quote']));
    const agents = { battery: await agent('battery'), ev: await agent('ev') };
    closers.push(() => { agents.battery.close(); agents.ev.close(); });

    // The water heater: the CTA-2045 emulator, driven by the UCM bridge (an OpenADR VEN in the home market).
    let heater: EmulatedWaterHeater | undefined;
    const server: Server = await listenAt({ kind: 'tcp', host: '127.0.0.1', port: 0 }, (socket) => {
      if (heater) heater.attach(socket);
      else heater = new EmulatedWaterHeater(socket, () => clock.now, { timings: fast });
    });
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const address = { kind: 'tcp' as const, host: '127.0.0.1', port: (server.address() as AddressInfo).port };
    const bridge = await UcmBridge.start({ service: { baseUrl: url, token: await token('home-ucm', ['register', 'enroll', 'report']) }, venID: 'home-ucm',
      devices: [{ id: 'water-heater', connect: () => openDevice(address), ratedKw: defaultTank.elementKw }], enroll: [HOME], clock: () => clock.now, statePeriodMs: STEP * MIN, timings: fast });
    closers.push(() => bridge.close());
    while (!heater) await new Promise((r) => setTimeout(r, 5));
    closers.push(() => heater?.close());
    const tank = heater.tank;

    const thermostat = new Thermostat();
    const battery = new Battery();
    // The EV starts the day with what it still needs from last night's homecoming.
    const ev = new Ev(profiles.evNeedAtMidnightKwh);
    const baseline = { thermostat: new PlainThermostat(), heater: new Tank(defaultTank), ev: new Ev(profiles.evNeedAtMidnightKwh) };
    const allocations = new Map<number, { ac: number; battery: number; ev: number }>();
    const records: IntervalRecord[] = [];
    /** What the agents bid for the interval being settled: their allocation is read from it at the binding price. */
    const sent: Record<'battery' | 'ev', { number: number; curve: Float64Array }> = { battery: { number: 0, curve: new Float64Array(0) }, ev: { number: 0, curve: new Float64Array(0) } };
    let minute = { pv: 0, base: 0, ac: 0, battery: 0, ev: 0, heater: 0, baseline: 0 };

    const tender = async (client: MicromarketClient, marketRules: MarketRules, curve: Float64Array, interval: number) => {
      const products = curveProducts(marketRules, curve, interval);
      if (products.length > 0) await client.tender(products.map((product, i) => ({ tenderID: `${client.partyID}-${interval}-${i}`, product })));
    };
    const evHoursLeft = (t: number) => {
      const h = (t % 86_400_000) / 3_600_000;
      return h < 7.5 ? 7.5 - h : h >= 17.5 ? 24 - h + 7.5 : 0;
    };

    const bidFor = async (interval: number) => {
      const feederGrid = gridOf(feederRules)!;
      const tariff = profiles.tariff(interval);
      await Promise.all([
        tender(bidders.pv, homeRules, curveOf(grid, () => -profiles.homePv(interval)), interval),
        // The household buys its loads and what the water heater drew in the last interval, at any price.
        tender(bidders.household, homeRules, curveOf(grid, () => profiles.baseKw(interval) + (records.at(-1)?.loads.waterHeater ?? 0)), interval),
        tender(bidders.thermostat, homeRules, thermostat.bid(grid), interval),
        tender(bidders.grid, feederRules, curveOf(feederGrid, (p) => gridDemand(p, tariff)), interval),
        tender(bidders.farm, feederRules, curveOf(feederGrid, () => -profiles.farmPv(interval)), interval),
        tender(bidders.aggregator, feederRules, curveOf(feederGrid, (p) => (p >= 0.35 ? 12 : 20)), interval),
      ]);
      for (const [name, curve] of [['battery', battery.bid(grid, HOURS)], ['ev', ev.bid(grid, HOURS, evHoursLeft(interval))]] as const) {
        sent[name] = { number: await agents[name].bid(curve), curve };
      }
    };

    /** After the home's gate: what each device runs at in the interval. */
    const settle = async (interval: number, marks: { battery: number; ev: number }) => {
      const price = await operator.price(HOME, interval, 'cleared');
      const [batteryPrice, evPrice] = await Promise.all([agents.battery.priceAfter(marks.battery, sent.battery.number), agents.ev.priceAfter(marks.ev, sent.ev.number)]);
      const bought = (await bidders.thermostat.transactions({ marketContexts: [HOME] })).transactions
        .filter((t) => t.product.dtstart === interval).reduce((sum, t) => sum + (t.product.side === 'buy' ? 1 : -1) * (t.product.payload?.value.quantity ?? 0), 0);
      allocations.set(interval, {
        ac: bought,
        // What the market allocates an agent: its bid at the price step nearest the binding price.
        battery: sent.battery.curve[stepOf(grid, batteryPrice)]!,
        ev: sent.ev.curve[stepOf(grid, evPrice)]!,
      });
      return price;
    };

    const prices = new Map<number, { home?: number; feeder?: number }>();
    for (let m = -STEP; m < intervals * STEP; m++) {
      clock.now = start + m * MIN;
      const k = Math.floor(m / STEP);
      const offset = m - k * STEP;
      const next = start + (k + 1) * STEP * MIN;
      if (offset === 10 && k + 1 < intervals) await bidFor(next);
      if (offset === 11) await service.scheduler.tick(); // the home's residual goes up to the feeder while its gate is open
      if (offset === 12) await service.scheduler.tick(); // the feeder's gate
      if (offset === 14 && k + 1 < intervals) {
        const marks = { battery: agents.battery.received, ev: agents.ev.received };
        await service.scheduler.tick(); // the home's gate: the flow came down first
        await endpoint.auctioneer.tick();
        prices.set(next, { home: await settle(next, marks), feeder: await operator.price(FEEDER, next, 'cleared') });
        const events = await ven.poll();
        if (Array.isArray(events)) await ven.answer(events, 'optIn');
      }
      await bridge.tick();
      if (m < 0) continue;
      const at = clock.now;
      const a = allocations.get(start + k * STEP * MIN) ?? { ac: 0, battery: 0, ev: 0 };
      // The EV comes home at 17:30 needing its energy by 07:30, in the market and in the baseline.
      const h = (at % 86_400_000) / 3_600_000;
      if (h === 17.5) { ev.neededKwh = profiles.evNeedKwh; baseline.ev.neededKwh = profiles.evNeedKwh; }
      const home = profiles.evHome(at);
      const evKw = home ? a.ev : 0;
      const energyBefore = tank.energyKwh;
      heater.step(60, profiles.drawLitres(at));
      const heaterKw = (tank.energyKwh - energyBefore) * 60;
      thermostat.step(1 / 60, profiles.outdoorC(at), a.ac);
      battery.step(1 / 60, a.battery);
      ev.step(1 / 60, evKw);
      // The baseline: the same home without the market: a plain thermostat, a water heater on its own, the EV charging at once.
      const baseAc = baseline.thermostat.power();
      baseline.thermostat.step(1 / 60, profiles.outdoorC(at), baseAc);
      const baseHeaterBefore = baseline.heater.energyKwh;
      baseline.heater.step(60, 'normal', profiles.drawLitres(at));
      const baseEv = home ? baseline.ev.bid(grid, 1 / 60, 1)[0]! : 0;
      baseline.ev.step(1 / 60, baseEv);
      const pv = profiles.homePv(at);
      const base = profiles.baseKw(at);
      minute = { pv: minute.pv + pv, base: minute.base + base, ac: minute.ac + a.ac, battery: minute.battery + a.battery, ev: minute.ev + evKw, heater: minute.heater + heaterKw,
        baseline: minute.baseline + base + baseAc + (baseline.heater.energyKwh - baseHeaterBefore) * 60 + baseEv - pv };
      if (offset === STEP - 1) {
        const interval = start + k * STEP * MIN;
        const mean = (x: number) => x / STEP;
        const loads = { pv: -mean(minute.pv), base: mean(minute.base), ac: mean(minute.ac), battery: mean(minute.battery), ev: mean(minute.ev), waterHeater: mean(minute.heater) };
        records.push({ interval, homePrice: prices.get(interval)?.home ?? null, feederPrice: prices.get(interval)?.feeder ?? null, loads,
          net: loads.pv + loads.base + loads.ac + loads.battery + loads.ev + loads.waterHeater, baselineNet: mean(minute.baseline),
          heaterC: tank.temperatureC, indoorC: thermostat.indoorC, flow: 0 });
        minute = { pv: 0, base: 0, ac: 0, battery: 0, ev: 0, heater: 0, baseline: 0 };
        options.progress?.(k + 1, intervals, interval);
      }
    }

    // What the markets recorded: the flows over the intertie and every party's trades.
    const interties = await (await fetch(`${url}/interties`, { headers: { authorization: `Bearer ${operatorToken}` } })).json() as
      { interties: Array<{ market: string; intervals: Array<IntertieRecord & { interval: string }> }> };
    const flows = new Map(interties.interties.find((i) => i.market === 'demo-home')!.intervals.map((r) => [Date.parse(r.interval), r.outcome?.flow ?? 0]));
    for (const r of records) r.flow = flows.get(r.interval) ?? 0;
    const trades: PartyTrades[] = [];
    const parties: Array<[string, string]> = [['pv', HOME], ['household', HOME], ['thermostat', HOME], ['battery', HOME], ['ev', HOME], ['intertie:demo-feeder', HOME], ['market:demo-home', HOME],
      ['grid', FEEDER], ['solar-farm', FEEDER], ['aggregator', FEEDER], ['demo-home', FEEDER], ['market:demo-feeder', FEEDER]];
    for (const [partyID, market] of parties) {
      const { transactions } = await operator.call('EiTransaction', 'eiReplyTransaction', { name: 'eiRequestTransaction', body: { requestID: '', partyID,
        counterPartyIDs: [], requestorPartyID: partyID, marketContexts: [market], transactionIDs: [] } });
      trades.push({ partyID, market, trades: transactions.map((t) => ({ interval: t.product.dtstart!, side: t.product.side!, quantity: t.product.payload?.value.quantity ?? 0,
        price: t.product.payload?.value.price?.kind === 'price' ? t.product.payload.value.price.value : 0 })) });
    }
    // The intertie's terms are the operator's (GET /markets serves no intertie): read from the service's own rules.
    const tie = service.context.host.byContext(HOME)!.rules.intertie!;
    const summary = summarize(records, trades, { hours: HOURS, lossFactor: tie.lossFactor, home: HOME, feeder: FEEDER, homeParty: tie.partyID });
    const stop = async () => {
      for (const close of closers.reverse()) await close();
      await service.close();
      await rm(dir, { recursive: true, force: true });
    };
    if (options.live) return { records, summary, live: { service, url, operatorToken, stop } };
    await stop();
    return { records, summary };
  } catch (error) {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    await service.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

