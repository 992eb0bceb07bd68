/**
 * The CTA-2045 link layer on one byte stream (a TCP socket, or a serial device the operator
 * configured), for either end (UCM or SGD). Every message is answered with a link ACK or NAK
 * (never an ACK or NAK itself); a message sent waits for its link ACK and is sent again on a NAK or
 * a timeout; a request then waits for the peer's application reply. One exchange at a time: the
 * line is half duplex. Timings and retries: ../shared/reference/cta2045.md, section 3.
 */
import type { Duplex } from 'node:stream';
import { decodeFrame, encodeMessage, FrameError, LINK_ACK, linkNak, linkNakReasons, messageTypes, sameType, type Frame, type MessageTypeName } from './codec.js';
import { maxPayloadBytes } from './basic-dr.js';
import { Framer } from './framer.js';

export interface LinkTimings {
  /** tMA: a message received → its link ACK or NAK. @default 40 */
  readonly ackDelayMs: number;
  /** tAR: a link ACK sent → the application reply. @default 100 */
  readonly replyDelayMs: number;
  /** How long a sent message waits for its link ACK. @default 200 */
  readonly ackTimeoutMs: number;
  /** How long a request waits for its application reply. @default 3000 */
  readonly replyTimeoutMs: number;
  /** Sends after the first, on a NAK or an ACK timeout. @default 3 */
  readonly retries: number;
  /** Between attempts. @default 500 */
  readonly retryGapMs: number;
  /** tML: the longest one message may take to arrive. @default 500 */
  readonly messageTimeoutMs: number;
}

export const defaultTimings: LinkTimings = { ackDelayMs: 40, replyDelayMs: 100, ackTimeoutMs: 200, replyTimeoutMs: 3000, retries: 3, retryGapMs: 500, messageTimeoutMs: 500 };

export interface LinkOptions {
  /** The message types this end supports; others are NAKed 0x06. */
  readonly supported: readonly MessageTypeName[];
  /** This end's maximum payload code (0 → 2 bytes … 13 → 4096). @default 6 (128 bytes) */
  readonly maxPayloadCode?: number;
  readonly timings?: Partial<LinkTimings>;
  /** Messages of the application (not link traffic): the other end's commands, replies and unsolicited reports. */
  readonly onMessage?: (frame: Frame & { kind: 'message' }) => void;
}

/** A message sent that the peer did not take: NAKed after every retry, or never acknowledged. */
export class LinkError extends Error {
  constructor(readonly nak: number | undefined, message: string) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CtaLink {
  readonly timings: LinkTimings;
  /** What the peer can take; 2 bytes until negotiated (Basic DR fits exactly). */
  peerMaxPayload = 2;
  #queue: Promise<unknown> = Promise.resolve();
  #awaitingAck: ((frame: Frame) => void) | undefined;
  #awaitingReply: { test: (frame: Frame & { kind: 'message' }) => boolean; resolve: (frame: Frame & { kind: 'message' }) => void } | undefined;
  readonly #framer: Framer;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly stream: Duplex, private readonly options: LinkOptions) {
    this.timings = { ...defaultTimings, ...options.timings };
    this.#framer = new Framer(this.timings.messageTimeoutMs);
    // A broken stream ends in 'close'; what is sent meanwhile times out as a LinkError.
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => {
      for (const cut of this.#framer.push(chunk)) {
        if (cut.kind === 'invalid') void this.#answer(linkNak(cut.reason));
        else this.#frame(cut.bytes);
      }
    });
    // An incomplete message that stops arriving is dropped and NAKed 0x05.
    this.#timer = setInterval(() => {
      if (this.#framer.expire()) void this.#answer(linkNak(0x05));
    }, Math.max(10, Math.floor(this.timings.messageTimeoutMs / 5)));
  }

  /** The stream ended or broke: nothing more goes through this link. */
  get closed(): boolean {
    return this.stream.destroyed;
  }

  get maxPayload(): number {
    return maxPayloadBytes(this.options.maxPayloadCode ?? 6)!;
  }

  #frame(bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      void this.#answer(linkNak(error.reason));
      return;
    }
    if (frame.kind !== 'message') {
      // Nobody acknowledges an ACK or NAK; one nobody waits for is ignored.
      this.#awaitingAck?.(frame);
      return;
    }
    const type = (Object.keys(messageTypes) as MessageTypeName[]).find((name) => sameType(messageTypes[name], frame.type));
    if (!type || !this.options.supported.includes(type)) return void this.#answer(linkNak(0x06));
    if (frame.payload.length > this.maxPayload) return void this.#answer(linkNak(0x02));
    void this.#answer(LINK_ACK);
    if (frame.payload.length === 0) return; // "is this type supported?": the ACK is the whole answer
    if (type === 'dataLink' && frame.payload[0] === 0x18) {
      // Max payload query: ACK, then at least tAR later the answer.
      void this.reply(messageTypes.dataLink, Uint8Array.of(0x19, this.options.maxPayloadCode ?? 6)).catch(() => undefined);
      return;
    }
    if (type === 'dataLink' && frame.payload[0] === 0x19) {
      this.peerMaxPayload = maxPayloadBytes(frame.payload[1] ?? 0) ?? 2;
    }
    if (this.#awaitingReply?.test(frame)) {
      this.#awaitingReply.resolve(frame);
      this.#awaitingReply = undefined;
      return;
    }
    this.options.onMessage?.(frame);
  }

  /** A link ACK or NAK, tMA after what it answers. */
  async #answer(bytes: Uint8Array): Promise<void> {
    await sleep(this.timings.ackDelayMs);
    if (!this.stream.destroyed) this.stream.write(bytes);
  }

  /**
   * Sends a message and resolves once the peer link-ACKs it. A NAK or no answer within the ACK
   * timeout sends it again, up to `retries` more times. @throws LinkError
   */
  send(type: readonly [number, number], payload: Uint8Array): Promise<void> {
    return this.#exclusive(() => this.#send(type, payload));
  }

  async #send(type: readonly [number, number], payload: Uint8Array): Promise<void> {
    if (payload.length > this.peerMaxPayload) throw new LinkError(0x02, `a ${payload.length}-byte payload exceeds the peer's ${this.peerMaxPayload}`);
    const frame = encodeMessage(type, payload);
    let last: Frame | undefined;
    for (let attempt = 0; attempt <= this.timings.retries; attempt++) {
      if (attempt > 0) await sleep(this.timings.retryGapMs);
      const answer = new Promise<Frame | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), this.timings.ackTimeoutMs);
        this.#awaitingAck = (f) => {
          clearTimeout(timer);
          resolve(f);
        };
      });
      this.stream.write(frame);
      last = await answer;
      this.#awaitingAck = undefined;
      if (last?.kind === 'ack') return;
      // An unsupported type or request will not become supported by asking again.
      if (last?.kind === 'nak' && (last.reason === 0x06 || last.reason === 0x07)) break;
    }
    const nak = last?.kind === 'nak' ? last.reason : undefined;
    throw new LinkError(nak, nak === undefined ? `no link ACK after ${this.timings.retries + 1} attempts` : `link NAK ${nak}: ${linkNakReasons[nak] ?? 'reserved'}`);
  }

  /** Answers a message the peer sent: tAR after its link ACK, then sent as any message. @throws LinkError */
  async reply(type: readonly [number, number], payload: Uint8Array): Promise<void> {
    await sleep(this.timings.ackDelayMs + this.timings.replyDelayMs);
    await this.send(type, payload);
  }

  /**
   * Sends a message and waits for the peer's application reply (the first message that passes
   * `isReply`), acknowledging it. @throws LinkError when the message is refused or no reply comes
   */
  request(type: readonly [number, number], payload: Uint8Array, isReply: (frame: Frame & { kind: 'message' }) => boolean): Promise<Frame & { kind: 'message' }> {
    return this.#exclusive(async () => {
      const reply = new Promise<Frame & { kind: 'message' }>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#awaitingReply = undefined;
          reject(new LinkError(undefined, `no application reply within ${this.timings.replyTimeoutMs} ms`));
        }, this.timings.replyTimeoutMs);
        this.#awaitingReply = { test: isReply, resolve: (f) => { clearTimeout(timer); resolve(f); } };
      });
      reply.catch(() => undefined);
      try {
        await this.#send(type, payload);
      } catch (error) {
        this.#awaitingReply = undefined;
        throw error;
      }
      return reply;
    });
  }

  /** Whether the peer supports a message type (the empty-payload query: ACK yes, NAK 0x06 no). */
  async supports(type: MessageTypeName): Promise<boolean> {
    try {
      await this.send(messageTypes[type], new Uint8Array(0));
      return true;
    } catch (error) {
      if (error instanceof LinkError && error.nak === 0x06) return false;
      throw error;
    }
  }

  /** Asks the peer's maximum payload (data link 0x18) and keeps it. */
  async negotiate(): Promise<number> {
    const reply = await this.request(messageTypes.dataLink, Uint8Array.of(0x18, 0x00), (f) => sameType(f.type, messageTypes.dataLink) && f.payload[0] === 0x19);
    return (this.peerMaxPayload = maxPayloadBytes(reply.payload[1] ?? 0) ?? 2);
  }

  /** Exchanges one at a time, in the order asked. */
  #exclusive<T>(exchange: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(exchange);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    clearInterval(this.#timer);
    this.stream.destroy();
  }
}
