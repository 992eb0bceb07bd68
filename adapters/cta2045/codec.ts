/**
 * CTA-2045 frames: link ACK `06 00`, link NAK `15 nn`, and messages `T1 T2 LenHi LenLo payload C1 C2`
 * with the Fletcher checksum seeded 0xAA. Basic DR opcodes with their duration, relative price and
 * power level encodings. Facts: ../shared/reference/cta2045.md, sections 2 to 4 (the standard is
 * paywalled; the sheet follows the public implementations).
 */

/** Message types (T1 T2). */
export const messageTypes = {
  basic: [0x08, 0x01],
  intermediate: [0x08, 0x02],
  dataLink: [0x08, 0x03],
  commissioning: [0x08, 0x04],
} as const;
export type MessageTypeName = keyof typeof messageTypes;

/** Link NAK reasons (`15 nn`). */
export const linkNakReasons: Readonly<Record<number, string>> = {
  0x00: 'no reason given', 0x01: 'invalid byte', 0x02: 'invalid length', 0x03: 'checksum error', 0x04: 'reserved',
  0x05: 'message timeout', 0x06: 'unsupported message type', 0x07: 'request not supported',
};

export type Frame =
  | { readonly kind: 'ack' }
  | { readonly kind: 'nak'; readonly reason: number }
  | { readonly kind: 'message'; readonly type: readonly [number, number]; readonly payload: Uint8Array };

export const LINK_ACK = Uint8Array.of(0x06, 0x00);
export const linkNak = (reason: number) => Uint8Array.of(0x15, reason);

/** The two check bytes over `bytes` (T1 through the payload): Fletcher-16 in mod-255 arithmetic, seeded 0xAA. */
export function checksum(bytes: Uint8Array): [number, number] {
  let s1 = 0xaa;
  let s2 = 0;
  for (const b of bytes) {
    s1 = (s1 + b) % 255;
    s2 = (s2 + s1) % 255;
  }
  const c1 = 255 - ((s1 + s2) % 255);
  const c2 = 255 - ((s1 + c1) % 255);
  return [c1, c2];
}

/** A message frame of a type with its payload and check bytes. */
export function encodeMessage(type: readonly [number, number], payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + 6);
  frame.set([type[0], type[1], payload.length >> 8, payload.length & 0xff]);
  frame.set(payload, 4);
  frame.set(checksum(frame.subarray(0, payload.length + 4)), payload.length + 4);
  return frame;
}

/** Why a received frame is refused: the link NAK reason to answer with. */
export class FrameError extends Error {
  constructor(readonly reason: number, message: string) {
    super(message);
  }
}

/**
 * Reads one complete frame. @throws FrameError with the link NAK reason: invalid length (a length
 * field that disagrees with the bytes, a Basic DR frame that is not 8 bytes) or checksum error.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length === 2 && bytes[0] === 0x06 && bytes[1] === 0x00) return { kind: 'ack' };
  if (bytes.length === 2 && bytes[0] === 0x15) return { kind: 'nak', reason: bytes[1]! };
  if (bytes.length < 6) throw new FrameError(0x02, `a message is at least 6 bytes, not ${bytes.length}`);
  const length = (bytes[2]! << 8) | bytes[3]!;
  if (length + 6 !== bytes.length) throw new FrameError(0x02, `the length field says ${length} payload bytes, the frame holds ${bytes.length - 6}`);
  const type = [bytes[0]!, bytes[1]!] as const;
  if (sameType(type, messageTypes.basic) && length !== 2 && length !== 0) throw new FrameError(0x02, `a Basic DR payload is 2 bytes, not ${length}`);
  const [c1, c2] = checksum(bytes.subarray(0, bytes.length - 2));
  if (c1 !== bytes.at(-2) || c2 !== bytes.at(-1)) throw new FrameError(0x03, `check bytes ${hex(bytes.subarray(-2))} should be ${hex(Uint8Array.of(c1, c2))}`);
  return { kind: 'message', type, payload: bytes.slice(4, bytes.length - 2) };
}

export const sameType = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];

export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new Error(`not hex bytes: ${text}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

// ---- value encodings (sheet section 4)

/** Longest duration a code can say: 2 × 254² s. */
export const MAX_DURATION_S = 2 * 254 * 254;

/** A duration in seconds as a duration code: 2 × code² s, rounded to nearest; 0 when unknown, 255 beyond the maximum, at least 1 for any positive duration. */
export function encodeDuration(seconds: number | undefined): number {
  if (seconds === undefined) return 0;
  if (seconds > MAX_DURATION_S) return 255;
  return Math.min(254, Math.max(1, Math.floor(Math.sqrt(seconds / 2) + 0.5)));
}

export function decodeDuration(code: number): number | 'unknown' | 'beyond maximum' {
  return code === 0 ? 'unknown' : code === 255 ? 'beyond maximum' : 2 * code * code;
}

/** A price relative to the average as a relative price code: x = round((√(3844 + 4·(63 + 8192·r)) − 62) / 2), in 1..255. */
export function encodeRelativePrice(ratio: number): number {
  if (!(ratio > 0)) return 1; // code 1 is a ratio of 0; a negative price has no code below it
  const x = Math.round((Math.sqrt(3844 + 4 * (63 + 8192 * ratio)) - 62) / 2);
  return Math.min(255, Math.max(1, x));
}

export function decodeRelativePrice(code: number): number | 'unknown' | 'too large' {
  return code === 0 ? 'unknown' : code === 255 ? 'too large' : ((code - 1) * (code + 63)) / 8192;
}

/** Request for Power Level: bit 7 set to produce, bits 0-6 the level, percent × 127 / 100. */
export function encodePowerLevel(percent: number, produce: boolean): number {
  return (produce ? 0x80 : 0) | Math.min(127, Math.max(0, Math.round((percent * 127) / 100)));
}

export function decodePowerLevel(code: number): { percent: number; produce: boolean } {
  return { percent: ((code & 0x7f) * 100) / 127, produce: (code & 0x80) !== 0 };
}
