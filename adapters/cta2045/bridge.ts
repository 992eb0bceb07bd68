/**
 * The UCM bridge: one OpenADR VEN (a micromarket party) in front of CTA-2045 devices. It turns the
 * events of the markets it is enrolled in into device commands and relative prices, asks each
 * device's operational state and reports it back as telemetry, and turns a customer override at a
 * device into an opt-out. It uses only the service's public interfaces (OpenADR endpoints, GET
 * /markets) through the SDK. Each tick, in order:
 *
 *   poll        the VTN, when its poll period is due: events, report requests
 *   opt         per device under override, an opt-out of each live event (oadrCreateOpt with the
 *               event's ID and the device as resource); every event answered optIn, or optOut when
 *               all devices are overridden
 *   command     each device the instruction of the moment (plan.ts), once per change
 *   state       each device's operational state, every statePeriod
 *   report      the readings the VTN asked for, at each request's granularity
 *   heartbeat   Outside Communication Status: good, or lost when the VTN stopped answering
 */
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import {
  defaultDeviceSignals, isMicromarketClientError, MicromarketClient, OpenAdrVen, type DeviceSignals, type ReportOffer, type ReportReading, type TransportOptions, type VenEvent,
} from '../../src/client/index.js';
import { operationalStates, runningStates } from './basic-dr.js';
import type { LinkTimings } from './link.js';
import { instructionAt, referencePrice, type Instruction } from './plan.js';
import { UcmDevice } from './ucm.js';

export interface BridgeDevice {
  /** The device's resourceID in reports and opts. */
  readonly id: string;
  /** Opens the byte stream to the device; called again to reconnect after the stream closed. */
  readonly connect: () => Promise<Duplex>;
  /** What the device draws when running, kW: power telemetry is estimated from its state with it. */
  readonly ratedKw?: number;
}

export interface BridgeOptions {
  readonly service: TransportOptions;
  readonly venID: string;
  readonly devices: readonly BridgeDevice[];
  /** Markets to enrol in at start (market contexts; an approval market waits for its operator). */
  readonly enroll?: readonly string[];
  /** @default Date.now */
  readonly clock?: () => number;
  /** How often each device's operational state is asked (clock time). @default 60000 */
  readonly statePeriodMs?: number;
  /** How often devices are told the communication status; they revert after 15 min without it. @default 300000 */
  readonly heartbeatMs?: number;
  readonly timings?: Partial<LinkTimings>;
  readonly log?: Logger;
}

/** What the bridge knows of one device, for its operator. */
export interface DeviceStatus {
  readonly id: string;
  readonly online: boolean;
  readonly overridden: boolean;
  readonly state: number | null;
  readonly stateName: string | null;
  /** The command last taken, and until when (ISO) if it has an end. */
  readonly command: string | null;
  readonly until: string | null;
}

interface Managed {
  readonly id: string;
  readonly spec: BridgeDevice;
  /** The device's link; undefined while it is not connected. */
  device?: UcmDevice;
  /** When to try connecting again. */
  retryAt: number;
  /** The instruction the device last took, and the price it was last told. */
  sent?: string;
  taken?: Instruction;
  priced?: string;
  /** The device's opt-outs, by eventID. */
  readonly opts: Map<string, string>;
}

/** An opt made or cancelled before a restart is refused as a duplicate or unknown ID (452): it is as wanted. */
async function alreadyDone(exchange: Promise<void>): Promise<void> {
  try {
    await exchange;
  } catch (error) {
    if (!isMicromarketClientError(error) || error.responseCode !== '452') throw error;
  }
}

const MAX_POLLS_PER_TICK = 10;
const RECONNECT_MS = 5_000;
const DAY = 86_400_000;
const eventKey = (e: { eventID: string; modificationNumber: number }) => `${e.eventID}#${e.modificationNumber}`;

export class UcmBridge {
  readonly ven: OpenAdrVen;
  readonly #client: MicromarketClient;
  readonly #devices: Managed[];
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #events = new Map<string, VenEvent>();
  /** How each event was answered: eventID#modificationNumber → optType. */
  readonly #answered = new Map<string, 'optIn' | 'optOut'>();
  readonly #signals = new Map<string, DeviceSignals>();
  readonly #prices = new Map<string, Map<number, number>>();
  readonly #reportDue = new Map<string, number>();
  #nextPoll = 0;
  #nextState = 0;
  #nextHeartbeat = 0;
  #vtnLost = false;
  #told: boolean | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: BridgeOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#log = options.log ?? pino({ enabled: false });
    this.ven = new OpenAdrVen({ ...options.service, venID: options.venID });
    this.#client = new MicromarketClient({ ...options.service, partyID: options.venID });
    this.#devices = options.devices.map((spec) => ({ id: spec.id, spec, retryAt: 0, opts: new Map() }));
  }

  /** Connects a device that is not connected (at start, or once its stream closed), at most every RECONNECT_MS. */
  async #connect(managed: Managed, now: number): Promise<void> {
    if (managed.device && !managed.device.link.closed) return;
    if (now < managed.retryAt) return;
    managed.retryAt = now + RECONNECT_MS;
    const { id } = managed;
    if (managed.device) this.#log.warn({ device: id }, 'cta2045: the device link closed; connecting again');
    managed.device = undefined;
    let stream: Duplex;
    try {
      stream = await managed.spec.connect();
    } catch (error) {
      this.#log.warn({ device: id, err: (error as Error).message }, 'cta2045: cannot reach the device');
      return;
    }
    const device = new UcmDevice(id, stream, { clock: this.#clock, ...(this.options.timings ? { timings: this.options.timings } : {}),
      onOverride: (on) => {
        this.#log.info({ device: id, override: on }, on ? 'cta2045: customer override at the device' : 'cta2045: customer override ended');
        void this.tick();
      } });
    await device.start();
    // A device that comes (back) gets the instruction and prices of the moment.
    Object.assign(managed, { device, sent: undefined, priced: undefined });
  }

  /** Registers the VEN, enrols it, offers the devices' telemetry and starts the links (each device's maximum payload). */
  static async start(options: BridgeOptions): Promise<UcmBridge> {
    const bridge = new UcmBridge(options);
    await bridge.ven.register();
    for (const marketContext of options.enroll ?? []) await bridge.#client.enroll(marketContext, 'consumer', bridge.#clock());
    await bridge.ven.registerReports(bridge.#offers(), bridge.#clock());
    await bridge.#readRules();
    for (const managed of bridge.#devices) await bridge.#connect(managed, bridge.#clock());
    // Events answered before a restart are not distributed again by a poll: ask for them.
    await bridge.#distributed(await bridge.ven.requestEvents(), bridge.#clock());
    return bridge;
  }

  /** The telemetry offered: each device's status and operational state, and its power where its rating is known. */
  #offers(): ReportOffer[] {
    const samplingMs = this.options.statePeriodMs ?? 60_000;
    const offers: ReportOffer[] = [{ reportSpecifierID: 'cta2045-status', reportName: 'METADATA_TELEMETRY_STATUS', points: this.#devices.flatMap(({ id }) => [
      { rID: `${id}.status`, resourceID: id, reportType: 'x-resourceStatus', readingType: 'x-notApplicable', samplingMs },
      { rID: `${id}.operatingState`, resourceID: id, reportType: 'operatingState', readingType: 'x-notApplicable', samplingMs },
    ]) }];
    const rated = this.#devices.filter((d) => d.spec.ratedKw !== undefined);
    if (rated.length > 0) {
      offers.push({ reportSpecifierID: 'cta2045-usage', reportName: 'METADATA_TELEMETRY_USAGE', points: rated.map(({ id }) => (
        { rID: `${id}.power`, resourceID: id, reportType: 'usage', readingType: 'Estimated', powerScale: 'none' as const, samplingMs }
      )) });
    }
    return offers;
  }

  async #readRules(): Promise<void> {
    for (const market of await this.#client.marketRules()) this.#signals.set(market.marketContext, market.deviceSignals);
  }

  /** Runs a tick every `everyMs` of real time until closed. */
  run(everyMs = 1000): void {
    this.#timer = setInterval(() => void this.tick(), everyMs);
  }

  /** One pass; a tick asked for while one runs runs once more after it. */
  tick(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        // Whatever goes wrong in one pass is logged; the next pass starts afresh.
        await this.#pass().catch((error: Error) => this.#log.error({ err: error.message }, 'cta2045: tick failed'));
      } while (this.#again);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const now = this.#clock();
    if (now >= this.#nextPoll) {
      await this.#poll(now);
      this.#nextPoll = now + this.ven.pollFrequencyMs;
    }
    this.#forgetEnded(now);
    for (const managed of this.#devices) await this.#connect(managed, now);
    await this.#vtn('opt', () => this.#reconcileOpts());
    // One instruction for every device: they all follow the VEN's events.
    const instruction = instructionAt([...this.#events.values()], (ctx) => this.#signals.get(ctx) ?? defaultDeviceSignals, now);
    for (const managed of this.#devices) await this.#command(managed, instruction, now);
    if (now >= this.#nextState) {
      for (const { device } of this.#devices) await device?.queryState();
      this.#nextState = now + (this.options.statePeriodMs ?? 60_000);
    }
    await this.#vtn('report', () => this.#report(now));
    if (now >= this.#nextHeartbeat || this.#told !== !this.#vtnLost) {
      for (const { device } of this.#devices) await device?.communication(!this.#vtnLost);
      this.#told = !this.#vtnLost;
      this.#nextHeartbeat = now + (this.options.heartbeatMs ?? 300_000);
    }
  }

  /** Drops events that are over, their answers, and prices older than the reference's day. */
  #forgetEnded(now: number): void {
    for (const [id, e] of this.#events) if (e.dtstart + e.durationMs <= now) this.#events.delete(id);
    for (const key of this.#answered.keys()) if (!this.#events.has(key.slice(0, key.lastIndexOf('#')))) this.#answered.delete(key);
    for (const prices of this.#prices.values()) for (const start of prices.keys()) if (start <= now - DAY) prices.delete(start);
  }

  /**
   * Runs one exchange with the VTN. A failure to reach it (or a 5xx) marks it lost until an exchange
   * succeeds; a refusal is the VTN answering, and is only logged. Each is logged once per change.
   */
  async #vtn<T>(what: string, exchange: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      const value = await exchange();
      if (this.#vtnLost) this.#log.info('cta2045: the VTN answers again');
      this.#vtnLost = false;
      return { ok: true, value };
    } catch (error) {
      const lost = !isMicromarketClientError(error) || Number(error.responseCode) >= 500;
      if (!lost) this.#log.warn({ err: (error as Error).message, during: what }, 'cta2045: the VTN refused');
      else if (!this.#vtnLost) this.#log.warn({ err: (error as Error).message, during: what }, 'cta2045: the VTN did not answer');
      this.#vtnLost ||= lost;
      return { ok: false };
    }
  }

  async #poll(now: number): Promise<void> {
    for (let i = 0; i < MAX_POLLS_PER_TICK; i++) {
      const answer = await this.#vtn('poll', () => this.ven.poll());
      if (!answer.ok || answer.value === 'idle') return;
      if (answer.value !== 'handled') await this.#distributed(answer.value, now);
    }
  }

  /** A distribute lists every live event of the VEN: it replaces what the bridge held. */
  async #distributed(events: readonly VenEvent[], now: number): Promise<void> {
    this.#events.clear();
    for (const e of events) {
      if (e.status !== 'cancelled') this.#events.set(e.eventID, e);
      if (e.price !== undefined) {
        const prices = this.#prices.get(e.marketContext) ?? new Map<number, number>();
        prices.set(e.dtstart, e.price);
        this.#prices.set(e.marketContext, prices);
      }
    }
    if (events.some((e) => !this.#signals.has(e.marketContext))) await this.#vtn('rules', () => this.#readRules());
    // Cancellations are acknowledged; they need no decision.
    const cancelled = events.filter((e) => e.status === 'cancelled' && !this.#answered.has(eventKey(e)));
    await this.#vtn('answer', async () => {
      await this.ven.answer(cancelled, 'optIn');
      for (const e of cancelled) this.#answered.set(eventKey(e), 'optIn');
    });
    this.#log.debug({ events: events.length, at: new Date(now).toISOString() }, 'cta2045: events');
  }

  /** Opts and answers as the devices' overrides stand now. */
  async #reconcileOpts(): Promise<void> {
    const live = [...this.#events.values()];
    for (const { id, device, opts } of this.#devices) {
      const overridden = device?.overridden ?? false;
      for (const event of overridden ? live : []) {
        if (opts.has(event.eventID)) continue;
        const optID = `override.${id}.${event.eventID}`.slice(0, 120);
        await alreadyDone(this.ven.optForEvent(optID, 'optOut', 'overrideStatus', event, [id], this.#clock())); // 452: made before a restart
        opts.set(event.eventID, optID);
      }
      for (const [eventID, optID] of opts) {
        if (overridden && this.#events.has(eventID)) continue;
        opts.delete(eventID);
        if (this.#events.has(eventID)) await alreadyDone(this.ven.cancelOpt(optID));
      }
    }
    const optType = this.#devices.length > 0 && this.#devices.every((d) => d.device?.overridden) ? 'optOut' : 'optIn';
    const due = live.filter((e) => this.#answered.get(eventKey(e)) !== optType);
    await this.ven.answer(due, optType);
    for (const e of due) this.#answered.set(eventKey(e), optType);
  }

  async #command(managed: Managed, instruction: Instruction, now: number): Promise<void> {
    const { device } = managed;
    if (!device) return;
    if (device.overridden) {
      managed.sent = undefined; // the device ignores commands meanwhile; once released it gets the instruction of the moment
      return;
    }
    const key = `${instruction.command}|${instruction.event?.eventID ?? ''}|${instruction.untilMs ?? ''}`;
    if (key !== managed.sent) {
      const seconds = instruction.untilMs === undefined ? undefined : Math.max(1, (instruction.untilMs - now) / 1000);
      const outcome = await device.command(instruction.command, seconds);
      if (outcome.ok || outcome.appNak !== undefined) {
        managed.sent = key;
        managed.taken = instruction;
      }
      const fields = { device: device.id, command: instruction.command, seconds: seconds === undefined ? null : Math.round(seconds), event: instruction.event?.eventID ?? null };
      if (outcome.ok) this.#log.info(fields, 'cta2045: command taken');
      else this.#log.warn({ ...fields, reason: outcome.reason }, 'cta2045: command not taken');
    }
    await this.#price(device, managed, instruction, now);
  }

  async #price(device: UcmDevice, managed: Managed, instruction: Instruction, now: number): Promise<void> {
    const { event, price } = instruction;
    if (!event || price === undefined || !device.takesPrices) return;
    const key = `${event.eventID}|${instruction.nextPrice ?? ''}`;
    if (key === managed.priced) return;
    const signals = this.#signals.get(event.marketContext) ?? defaultDeviceSignals;
    const seen = [...(this.#prices.get(event.marketContext) ?? new Map<number, number>())].map(([dtstart, p]) => ({ dtstart, price: p }));
    const reference = referencePrice(signals, seen, now, price);
    const present = await device.relativePrice('present', price / reference);
    if (!present.ok && present.appNak === undefined) return; // not delivered: again next tick
    if (device.takesPrices && instruction.nextPrice !== undefined) await device.relativePrice('next', instruction.nextPrice / reference);
    if (device.takesPrices) await device.timeRemaining(Math.max(1, (instruction.periodEndMs! - now) / 1000));
    managed.priced = key;
  }

  /** Sends each of the VTN's requests its readings once per granularity, stamped with the sample's start. */
  async #report(now: number): Promise<void> {
    const readings = this.#readings();
    for (const request of this.ven.requests.values()) {
      if (now < (this.#reportDue.get(request.reportRequestID) ?? 0)) continue;
      const dtstart = Math.floor(now / request.granularityMs) * request.granularityMs;
      await this.ven.report(request, dtstart, readings, now);
      this.#reportDue.set(request.reportRequestID, dtstart + request.granularityMs);
    }
  }

  #readings(): Map<string, ReportReading> {
    const readings = new Map<string, ReportReading>();
    for (const { id, device, spec } of this.#devices) {
      readings.set(`${id}.status`, { online: device?.online ?? false, manualOverride: device?.overridden ?? false });
      if (!device?.state) continue;
      readings.set(`${id}.operatingState`, device.state.code);
      if (spec.ratedKw !== undefined) readings.set(`${id}.power`, runningStates.has(device.state.code) ? spec.ratedKw * 1000 : 0);
    }
    return readings;
  }

  status(): DeviceStatus[] {
    return this.#devices.map(({ id, device, taken }) => ({
      id, online: device?.online ?? false, overridden: device?.overridden ?? false,
      state: device?.state?.code ?? null, stateName: device?.state ? operationalStates[device.state.code] ?? 'reserved' : null,
      command: taken?.command ?? null, until: taken?.untilMs !== undefined ? new Date(taken.untilMs).toISOString() : null,
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    for (const { device } of this.#devices) device?.close();
  }
}
