/**
 * An electric storage water heater as a CTA-2045 SGD, for tests and demos: a tank model (one
 * temperature, an element, standby losses, hot-water draws) and the device's answers to Basic DR
 * commands over a CtaLink. What it does in each mode follows common practice for CTA-2045 water
 * heaters: shed and critical peak lower the temperature it keeps, grid emergency lower still, load
 * up raises it; a customer override makes it ignore commands until the override ends.
 */
import type { Duplex } from 'node:stream';
import { decodeDuration, messageTypes, sameType } from './codec.js';
import { CtaLink, type LinkTimings } from './link.js';

export interface TankSpec {
  /** Litres. @default 190 */
  readonly volume: number;
  /** Element power, kW. @default 4.5 */
  readonly elementKw: number;
  /** Standby loss, W per kelvin above ambient. @default 2.5 */
  readonly lossWPerK: number;
  readonly ambientC: number;
  readonly inletC: number;
  /** The temperature it keeps in normal operation, and its deadband below it. */
  readonly setpointC: number;
  readonly deadbandK: number;
}

export const defaultTank: TankSpec = { volume: 190, elementKw: 4.5, lossWPerK: 2.5, ambientC: 20, inletC: 10, setpointC: 55, deadbandK: 5 };

export type Mode = 'normal' | 'shed' | 'critical-peak' | 'grid-emergency' | 'load-up';

/** The lowest temperature each mode lets the tank fall to before heating, and the temperature it heats to. */
const targets: Record<Mode, (spec: TankSpec) => { on: number; off: number }> = {
  'normal': (s) => ({ on: s.setpointC - s.deadbandK, off: s.setpointC }),
  'shed': (s) => ({ on: s.setpointC - 15, off: s.setpointC - 10 }),
  'critical-peak': (s) => ({ on: s.setpointC - 20, off: s.setpointC - 15 }),
  'grid-emergency': (s) => ({ on: s.setpointC - 25, off: s.setpointC - 20 }),
  'load-up': (s) => ({ on: s.setpointC + 5, off: s.setpointC + 10 }),
};

const WATER_KJ_PER_L_K = 4.186;

/** The tank: temperature and element, stepped in time. */
export class Tank {
  temperatureC: number;
  heating = false;
  /** Energy the element has drawn, kWh. */
  energyKwh = 0;

  constructor(readonly spec: TankSpec = defaultTank, temperatureC = spec.setpointC) {
    this.temperatureC = temperatureC;
  }

  /** Advances `seconds` in `mode`, with `drawLitres` of hot water drawn meanwhile (replaced by inlet water). */
  step(seconds: number, mode: Mode, drawLitres = 0): void {
    const { on, off } = targets[mode](this.spec);
    if (this.temperatureC <= on) this.heating = true;
    if (this.temperatureC >= off) this.heating = false;
    const capacity = this.spec.volume * WATER_KJ_PER_L_K; // kJ/K
    const inKj = (this.heating ? this.spec.elementKw : 0) * seconds;
    const lossKj = (this.spec.lossWPerK * (this.temperatureC - this.spec.ambientC) * seconds) / 1000;
    this.temperatureC += (inKj - lossKj) / capacity;
    const drawn = Math.min(drawLitres, this.spec.volume);
    this.temperatureC += (drawn / this.spec.volume) * (this.spec.inletC - this.temperatureC);
    this.energyKwh += (inKj / 3600);
  }
}

/** Operational state codes (CTA-2045 Basic 0x13). */
function operationalState(mode: Mode, heating: boolean, overridden: boolean): number {
  if (overridden) return heating ? 12 : 11; // running / idle, opted out
  if (mode === 'normal') return heating ? 1 : 0;
  if (mode === 'load-up') return heating ? 3 : 6; // heightened
  return heating ? 2 : 4; // curtailed
}

const commands: ReadonlyMap<number, Mode> = new Map([[0x01, 'shed'], [0x02, 'normal'], [0x0a, 'critical-peak'], [0x0b, 'grid-emergency'], [0x17, 'load-up']]);

/** The water heater on a CTA-2045 link: it answers Basic DR commands and reports its state. */
export class EmulatedWaterHeater {
  readonly tank: Tank;
  mode: Mode = 'normal';
  /** When the current command's duration runs out (the emulator's clock), if it has one. */
  modeUntil: number | undefined;
  overridden = false;
  /** The last relative price the UCM sent (Present Relative Price). */
  relativePriceCode: number | undefined;
  /** What the UCM last said of its outside communication: 0 none or lost, 1 good, 2 poor. */
  communicationStatus: number | undefined;
  #link: CtaLink | undefined;
  readonly #timings: Partial<LinkTimings> | undefined;

  constructor(stream: Duplex | undefined, private readonly clock: () => number, options: { spec?: TankSpec; timings?: Partial<LinkTimings> } = {}) {
    this.tank = new Tank(options.spec);
    this.#timings = options.timings;
    if (stream) this.attach(stream);
  }

  /** Speaks CTA-2045 on `stream` from now on (a UCM that connected anew); the tank keeps its state. */
  attach(stream: Duplex): void {
    this.#link?.close();
    this.#link = new CtaLink(stream, { supported: ['basic', 'dataLink'], ...(this.#timings ? { timings: this.#timings } : {}),
      onMessage: (frame) => {
        if (sameType(frame.type, messageTypes.basic)) this.#command(frame.payload[0]!, frame.payload[1]!);
      } });
  }

  #reply(payload: number[]): void {
    void this.#link?.reply(messageTypes.basic, Uint8Array.from(payload)).catch(() => undefined);
  }

  get operationalState(): number {
    return operationalState(this.mode, this.tank.heating, this.overridden);
  }

  /** Advances the tank by `seconds` of the emulator's time, ending a command whose duration has run out. */
  step(seconds: number, drawLitres = 0): void {
    if (this.modeUntil !== undefined && this.clock() >= this.modeUntil) {
      this.mode = 'normal';
      this.modeUntil = undefined;
    }
    this.tank.step(seconds, this.overridden ? 'normal' : this.mode, drawLitres);
  }

  /** Hot water drawn at once, replaced by inlet water; the thermostat reacts at once. */
  draw(litres: number): void {
    this.tank.step(0, this.overridden ? 'normal' : this.mode, litres);
    this.step(0);
  }

  /** The customer presses (or releases) override: the device tells the UCM at once. */
  async override(on: boolean): Promise<void> {
    this.overridden = on;
    await this.#link?.send(messageTypes.basic, Uint8Array.of(0x11, on ? 1 : 0));
  }

  #command(opcode1: number, opcode2: number): void {
    const mode = commands.get(opcode1);
    if (mode) {
      if (this.overridden && mode !== 'normal') return void this.#reply([0x04, 0x05]); // App NAK: customer override in effect
      this.mode = mode;
      const seconds = decodeDuration(opcode2);
      this.modeUntil = mode !== 'normal' && typeof seconds === 'number' ? this.clock() + seconds * 1000 : undefined;
      this.step(0); // the thermostat decides at once whether the new mode heats
      return void this.#reply([0x03, opcode1]);
    }
    switch (opcode1) {
      case 0x12: return void this.#reply([0x13, this.operationalState]);
      case 0x07: this.relativePriceCode = opcode2; return void this.#reply([0x03, opcode1]);
      case 0x0e: this.communicationStatus = opcode2; return void this.#reply([0x03, opcode1]);
      case 0x08: case 0x09: case 0x0c: case 0x16: return void this.#reply([0x03, opcode1]);
      case 0x03: case 0x04: return; // the UCM's answers to what this device sent
      default: return void this.#reply([0x04, 0x01]); // App NAK: opcode1 not supported
    }
  }

  close(): void {
    this.#link?.close();
  }
}
