/**
 * CTA-2045 Basic DR (`08 01`): the opcodes, what their second byte means, and a frame described in
 * words (what `micromarket cta2045 decode` prints). Facts: ../shared/reference/cta2045.md, section 4.
 */
import {
  decodeDuration, decodeFrame, decodePowerLevel, decodeRelativePrice, encodeMessage, FrameError, linkNakReasons, messageTypes, sameType,
  type MessageTypeName,
} from './codec.js';

/** What a Basic DR opcode's second byte carries. */
export type Operand =
  | 'duration' | 'relative price' | 'power level' | 'operational state' | 'app NAK reason' | 'opcode' | 'grid guidance'
  | 'communication status' | 'override' | 'time' | 'reboot' | 'none';

export interface BasicOpcode {
  /** The name `micromarket cta2045 encode` takes. */
  readonly command: string;
  readonly meaning: string;
  readonly operand: Operand;
}

export const basicOpcodes: ReadonlyMap<number, BasicOpcode> = new Map([
  [0x01, { command: 'shed', meaning: 'Shed', operand: 'duration' }],
  [0x02, { command: 'end-shed', meaning: 'End Shed / Run Normal', operand: 'duration' }],
  [0x03, { command: 'app-ack', meaning: 'Application ACK', operand: 'opcode' }],
  [0x04, { command: 'app-nak', meaning: 'Application NAK', operand: 'app NAK reason' }],
  [0x06, { command: 'power-level', meaning: 'Request for Power Level', operand: 'power level' }],
  [0x07, { command: 'present-price', meaning: 'Present Relative Price', operand: 'relative price' }],
  [0x08, { command: 'next-price', meaning: 'Next Period Relative Price', operand: 'relative price' }],
  [0x09, { command: 'time-remaining', meaning: 'Time Remaining in Present Price Period', operand: 'duration' }],
  [0x0a, { command: 'critical-peak', meaning: 'Critical Peak Event', operand: 'duration' }],
  [0x0b, { command: 'grid-emergency', meaning: 'Grid Emergency', operand: 'duration' }],
  [0x0c, { command: 'grid-guidance', meaning: 'Grid Guidance', operand: 'grid guidance' }],
  [0x0e, { command: 'comm-status', meaning: 'Outside Communication Connection Status', operand: 'communication status' }],
  [0x11, { command: 'customer-override', meaning: 'Customer Override', operand: 'override' }],
  [0x12, { command: 'op-state-query', meaning: 'Operational State Query', operand: 'none' }],
  [0x13, { command: 'op-state', meaning: 'Operational State Response', operand: 'operational state' }],
  [0x14, { command: 'sleep', meaning: 'Sleep', operand: 'none' }],
  [0x15, { command: 'wake', meaning: 'Wake', operand: 'none' }],
  [0x16, { command: 'time-sync', meaning: 'Simple Time Sync', operand: 'time' }],
  [0x17, { command: 'load-up', meaning: 'Load Up', operand: 'duration' }],
  [0x1a, { command: 'reboot', meaning: 'Reboot', operand: 'reboot' }],
]);

/** The opcode of a Basic DR command named as `micromarket cta2045 encode` names it. */
export function opcodeOf(command: string): [number, BasicOpcode] | undefined {
  return [...basicOpcodes].find(([, o]) => o.command === command);
}

/** Operational states in which the device draws power (running or cycling on). */
export const runningStates: ReadonlySet<number> = new Set([1, 2, 3, 7, 12, 13]);

export const operationalStates = [
  'Idle Normal', 'Running Normal', 'Running Curtailed Grid', 'Running Heightened Grid', 'Idle Curtailed Grid', 'SGD Error Condition',
  'Idle Heightened', 'Cycling On', 'Cycling Off', 'Variable Following', 'Variable Not Following', 'Idle, Opted Out', 'Running, Opted Out',
  'Running, Price Stream', 'Idle, Price Stream',
] as const;

export const appNakReasons = ['no reason', 'opcode1 not supported', 'opcode2 invalid', 'busy', 'length invalid', 'customer override in effect'] as const;
const guidance = ['bad time to use energy', 'neutral', 'good time to use energy'];
const commStatus = ['none or lost', 'good', 'poor'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const basicFrame = (opcode1: number, opcode2: number): Uint8Array => encodeMessage(messageTypes.basic, Uint8Array.of(opcode1, opcode2));

/** The second byte of a Basic DR opcode, in words and numbers. */
export function operandValue(operand: Operand, code: number): Record<string, unknown> {
  switch (operand) {
    case 'duration': {
      const seconds = decodeDuration(code);
      return { durationSeconds: seconds };
    }
    case 'relative price': return { relativePrice: decodeRelativePrice(code) };
    case 'power level': return decodePowerLevel(code);
    case 'operational state': return { state: operationalStates[code] ?? 'reserved' };
    case 'app NAK reason': return { reason: appNakReasons[code] ?? 'reserved' };
    case 'opcode': return { acknowledges: basicOpcodes.get(code)?.meaning ?? `opcode 0x${code.toString(16)}` };
    case 'grid guidance': return { guidance: guidance[code] ?? 'reserved' };
    case 'communication status': return { status: commStatus[code] ?? 'reserved' };
    case 'override': return { overrideInEffect: code === 1 };
    case 'time': return { day: days[code >> 5] ?? 'invalid', hour: code & 0x1f };
    case 'reboot': return { reboot: code === 1 ? 'hard' : 'soft' };
    case 'none': return {};
  }
}

/** A frame as `micromarket cta2045 decode` prints it. */
export interface Description {
  readonly frame: 'link ACK' | 'link NAK' | 'message';
  readonly checksumOk: boolean | null;
  readonly type?: MessageTypeName | string;
  readonly meaning?: string;
  readonly opcode1?: number;
  readonly opcode2?: number;
  readonly values?: Record<string, unknown>;
  /** For a frame a receiver would refuse: the link NAK it answers with, and why. */
  readonly refused?: { readonly nak: number; readonly reason: string };
}

export function describe(bytes: Uint8Array): Description {
  let frame;
  try {
    frame = decodeFrame(bytes);
  } catch (error) {
    if (!(error instanceof FrameError)) throw error;
    return { frame: 'message', checksumOk: error.reason === 0x03 ? false : null, refused: { nak: error.reason, reason: `${linkNakReasons[error.reason]}: ${error.message}` } };
  }
  if (frame.kind === 'ack') return { frame: 'link ACK', checksumOk: null };
  if (frame.kind === 'nak') return { frame: 'link NAK', checksumOk: null, meaning: linkNakReasons[frame.reason] ?? 'reserved', values: { reason: frame.reason } };
  const type = (Object.entries(messageTypes).find(([, t]) => sameType(t, frame.type))?.[0]) ?? `${frame.type[0].toString(16)} ${frame.type[1].toString(16)}`;
  if (frame.payload.length === 0) return { frame: 'message', checksumOk: true, type, meaning: 'message type supported query' };
  const [opcode1, opcode2] = [frame.payload[0]!, frame.payload[1] ?? 0];
  if (type === 'dataLink' && opcode1 === 0x18) return { frame: 'message', checksumOk: true, type, opcode1, opcode2, meaning: 'query maximum payload length' };
  if (type === 'dataLink' && opcode1 === 0x19) return { frame: 'message', checksumOk: true, type, opcode1, opcode2, meaning: 'maximum payload length', values: { maxPayloadBytes: maxPayloadBytes(opcode2) } };
  if (type !== 'basic') return { frame: 'message', checksumOk: true, type, opcode1, opcode2 };
  const opcode = basicOpcodes.get(opcode1);
  if (!opcode) return { frame: 'message', checksumOk: true, type, opcode1, opcode2, meaning: 'unknown opcode' };
  return { frame: 'message', checksumOk: true, type, opcode1, opcode2, meaning: opcode.meaning, values: operandValue(opcode.operand, opcode2) };
}

/** Maximum payload codes of the data-link negotiation (0x18 / 0x19): 0 → 2 bytes … 13 → 4096; undefined above. */
export function maxPayloadBytes(code: number): number | undefined {
  return [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1280, 1500, 2048, 4096][code];
}
