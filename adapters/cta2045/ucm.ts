/**
 * The UCM end of one device's CTA-2045 link: it sends Basic DR commands and waits for the device's
 * application answer, asks its operational state, and takes what the device reports on its own
 * (customer override, operational state, sleep and wake), each answered with an App ACK as EPRI's
 * library does. Facts: ../shared/reference/cta2045.md, sections 3.3 and 4.
 */
import type { Duplex } from 'node:stream';
import type { DeviceCommand } from '../../src/client/index.js';
import { appNakReasons, opcodeOf } from './basic-dr.js';
import { encodeDuration, encodeRelativePrice, messageTypes, sameType } from './codec.js';
import { CtaLink, LinkError, type LinkTimings } from './link.js';

/** How a device took a command: done, refused by the device (App NAK), or not delivered. */
export type Outcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly appNak?: number; readonly reason: string };

export interface UcmDeviceOptions {
  readonly timings?: Partial<LinkTimings>;
  /** The clock readings are stamped with. @default Date.now */
  readonly clock?: () => number;
  /** The customer pressed or released override at the device. */
  readonly onOverride?: (on: boolean) => void;
}

const OPCODE = { appAck: 0x03, appNak: 0x04, presentPrice: 0x07, nextPrice: 0x08, timeRemaining: 0x09, commStatus: 0x0e, override: 0x11, stateQuery: 0x12, state: 0x13, sleep: 0x14, wake: 0x15 } as const;

export class UcmDevice {
  readonly link: CtaLink;
  /** The device answered its last exchange. */
  online = false;
  overridden = false;
  /** The last operational state the device gave, and when. */
  state: { readonly code: number; readonly at: number } | undefined;
  /** False once the device refused a relative price as unsupported (App NAK 01): prices are not sent again. */
  takesPrices = true;
  readonly #clock: () => number;

  constructor(readonly id: string, stream: Duplex, private readonly options: UcmDeviceOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.link = new CtaLink(stream, { supported: ['basic', 'dataLink'], ...(options.timings ? { timings: options.timings } : {}),
      onMessage: (frame) => {
        if (sameType(frame.type, messageTypes.basic)) this.#unsolicited(frame.payload[0]!, frame.payload[1]!);
      } });
  }

  #unsolicited(opcode1: number, opcode2: number): void {
    if (opcode1 === OPCODE.override) {
      this.overridden = opcode2 === 1;
      this.options.onOverride?.(this.overridden);
    } else if (opcode1 === OPCODE.state) {
      this.state = { code: opcode2, at: this.#clock() };
    } else if (opcode1 !== OPCODE.sleep && opcode1 !== OPCODE.wake) {
      return; // an answer that came too late, or a command a UCM does not take
    }
    void this.link.reply(messageTypes.basic, Uint8Array.of(OPCODE.appAck, opcode1)).catch(() => undefined);
  }

  /** Start-up: the device's maximum payload (it may not speak data link: then Basic DR's 2 bytes). */
  async start(): Promise<void> {
    try {
      if (await this.link.supports('dataLink')) await this.link.negotiate();
      this.online = true;
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      this.online = false;
    }
  }

  /** A command with the duration it lasts (undefined: unknown, as for End Shed). */
  command(command: DeviceCommand, seconds: number | undefined): Promise<Outcome> {
    return this.#basic(opcodeOf(command)![0], seconds === undefined ? 0 : encodeDuration(seconds));
  }

  /** Present or next period relative price (price / reference); the first "unsupported" stops prices for good. */
  async relativePrice(which: 'present' | 'next', ratio: number): Promise<Outcome> {
    const outcome = await this.#basic(which === 'present' ? OPCODE.presentPrice : OPCODE.nextPrice, encodeRelativePrice(ratio));
    if (!outcome.ok && outcome.appNak === 0x01) this.takesPrices = false;
    return outcome;
  }

  timeRemaining(seconds: number): Promise<Outcome> {
    return this.#basic(OPCODE.timeRemaining, encodeDuration(seconds));
  }

  /** Outside communication status: 1 good, 0 lost (the device falls back to its own schedule). */
  communication(good: boolean): Promise<Outcome> {
    return this.#basic(OPCODE.commStatus, good ? 1 : 0);
  }

  /** Asks the operational state; undefined when the device did not answer. */
  async queryState(): Promise<number | undefined> {
    try {
      const reply = await this.link.request(messageTypes.basic, Uint8Array.of(OPCODE.stateQuery, 0), (f) => sameType(f.type, messageTypes.basic) && f.payload[0] === OPCODE.state);
      this.online = true;
      this.state = { code: reply.payload[1]!, at: this.#clock() };
      return this.state.code;
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      this.online = false;
      return undefined;
    }
  }

  async #basic(opcode1: number, opcode2: number): Promise<Outcome> {
    const isAnswer = (f: { type: readonly [number, number]; payload: Uint8Array }) => sameType(f.type, messageTypes.basic)
      && ((f.payload[0] === OPCODE.appAck && f.payload[1] === opcode1) || f.payload[0] === OPCODE.appNak);
    try {
      const reply = await this.link.request(messageTypes.basic, Uint8Array.of(opcode1, opcode2), isAnswer);
      this.online = true;
      if (reply.payload[0] === OPCODE.appAck) return { ok: true };
      const appNak = reply.payload[1]!;
      return { ok: false, appNak, reason: `App NAK ${appNak}: ${appNakReasons[appNak] ?? 'reserved'}` };
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      // An opcode the device does not know may be refused at the link (NAK 06 or 07): it heard us.
      this.online = error.nak === 0x06 || error.nak === 0x07;
      return { ok: false, reason: error.message };
    }
  }

  close(): void {
    this.link.close();
  }
}
