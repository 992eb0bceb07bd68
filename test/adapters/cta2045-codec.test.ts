import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { basicFrame, basicOpcodes, describe as describeFrame, maxPayloadBytes } from '../../adapters/cta2045/basic-dr.js';
import {
  checksum, decodeDuration, decodeFrame, decodePowerLevel, decodeRelativePrice, encodeDuration, encodeMessage, encodePowerLevel, encodeRelativePrice,
  FrameError, fromHex, hex, LINK_ACK, linkNak, messageTypes,
} from '../../adapters/cta2045/codec.js';

// ../shared/reference/cta2045.md section 6, computed with the checksum of section 2.2.
const vectors: Array<[string, number, number, string]> = [
  ['Shed, unknown duration', 0x01, 0x00, '08 01 00 02 01 00 0C 3D'],
  ['Shed, 30 min', 0x01, 0x1e, '08 01 00 02 01 1E CF 5B'],
  ['End Shed', 0x02, 0x00, '08 01 00 02 02 00 09 3F'],
  ['Critical Peak Event, 2 h', 0x0a, 0x3c, '08 01 00 02 0A 3C 78 8B'],
  ['Load Up, 2 h', 0x17, 0x3c, '08 01 00 02 17 3C 51 A5'],
  ['Present Relative Price 2x', 0x07, 0x65, '08 01 00 02 07 65 2F AE'],
  ['Operational State Query', 0x12, 0x00, '08 01 00 02 12 00 D8 5F'],
  ['App ACK of Customer Override', 0x03, 0x11, '08 01 00 02 03 11 E3 52'],
];

describe('CTA-2045 frames', () => {
  it.each(vectors)('%s is %s', (_name, op1, op2, frame) => {
    expect(hex(basicFrame(op1, op2))).toBe(frame);
    expect(decodeFrame(fromHex(frame))).toEqual({ kind: 'message', type: [0x08, 0x01], payload: Uint8Array.of(op1, op2) });
  });

  it('checks as the sheet says: the two sums over a whole valid frame end at zero; 00 and FF are indistinguishable', () => {
    for (const [, , , frame] of vectors) {
      let s1 = 0xaa;
      let s2 = 0;
      for (const b of fromHex(frame)) {
        s1 = (s1 + b) % 255;
        s2 = (s2 + s1) % 255;
      }
      expect([s1, s2]).toEqual([0, 0]);
    }
    expect(checksum(Uint8Array.of(0x08, 0x01, 0x00, 0x02, 0x01, 0x00))).toEqual(checksum(Uint8Array.of(0x08, 0x01, 0x00, 0x02, 0x01, 0xff)));
  });

  it('reads link ACK and NAK, which carry no checksum', () => {
    expect(decodeFrame(LINK_ACK)).toEqual({ kind: 'ack' });
    expect(decodeFrame(linkNak(0x03))).toEqual({ kind: 'nak', reason: 0x03 });
  });

  it('refuses corrupted frames with the link NAK reason a receiver answers', () => {
    const nakOf = (bytes: Uint8Array) => {
      try {
        decodeFrame(bytes);
      } catch (error) {
        if (error instanceof FrameError) return error.reason;
        throw error;
      }
      return undefined;
    };
    const good = fromHex('08 01 00 02 01 1E CF 5B');
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ 0x01;
      // A flipped bit in the length field makes it disagree with the frame; anywhere else the check bytes catch it.
      expect(nakOf(bad), `byte ${i}`).toBe(i === 2 || i === 3 ? 0x02 : 0x03);
    }
    expect(nakOf(fromHex('08 01 00 02 01'))).toBe(0x02); // cut short
    expect(nakOf(encodeMessage(messageTypes.basic, Uint8Array.of(1, 2, 3)))).toBe(0x02); // Basic DR is always 2 bytes of payload
    expect(nakOf(encodeMessage(messageTypes.basic, new Uint8Array(0)))).toBeUndefined(); // the "type supported?" query
  });

  it('encodes durations as 2 x code^2 s, rounded to nearest, 0 unknown and 255 beyond 129,032 s', () => {
    expect([1800, 7200, 3600].map(encodeDuration)).toEqual([30, 60, 42]);
    expect([encodeDuration(undefined), encodeDuration(1), encodeDuration(129_032), encodeDuration(129_033)]).toEqual([0, 1, 254, 255]);
    expect([decodeDuration(0), decodeDuration(30), decodeDuration(255)]).toEqual(['unknown', 1800, 'beyond maximum']);
  });

  it('encodes relative prices as the sheet\'s x, and decodes r = (x - 1)(x + 63) / 8192', () => {
    expect([0.5, 1, 2, 4].map(encodeRelativePrice)).toEqual([41, 65, 101, 153]);
    // Zero and negative prices (surplus) take the lowest code, ratio 0; huge ones the highest.
    expect([0, -0.2, Number.NaN, 1e6].map(encodeRelativePrice)).toEqual([1, 1, 1, 255]);
    expect(decodeRelativePrice(65)).toBe(1);
    expect(decodeRelativePrice(254) as number).toBeCloseTo(9.79, 2);
    expect([decodeRelativePrice(0), decodeRelativePrice(255)]).toEqual(['unknown', 'too large']);
  });

  it('encodes power levels as percent x 127 / 100, bit 7 to produce', () => {
    expect([encodePowerLevel(50, false), encodePowerLevel(100, true), encodePowerLevel(0, false)]).toEqual([64, 0xff, 0]);
    expect(decodePowerLevel(63).percent).toBeCloseTo(49.6, 1);
    expect(decodePowerLevel(0x80 | 127)).toEqual({ percent: 100, produce: true });
  });

  it('round-trips every Basic DR opcode through a frame and its description', () => {
    for (const [op1, opcode] of basicOpcodes) {
      for (const op2 of [0, 1, 2, 0x3c, 0xff]) {
        const described = describeFrame(basicFrame(op1, op2));
        expect(described).toMatchObject({ frame: 'message', checksumOk: true, type: 'basic', opcode1: op1, opcode2: op2, meaning: opcode.meaning });
      }
    }
    expect(describeFrame(basicFrame(0x13, 11)).values).toEqual({ state: 'Idle, Opted Out' });
    expect(describeFrame(basicFrame(0x16, 3 * 32 + 17)).values).toEqual({ day: 'Wednesday', hour: 17 });
    expect(describeFrame(basicFrame(0x05, 0)).meaning).toBe('unknown opcode');
  });

  it('knows the maximum payload codes 0 (2 bytes) to 13 (4096), and no others', () => {
    expect([maxPayloadBytes(0), maxPayloadBytes(6), maxPayloadBytes(13), maxPayloadBytes(14)]).toEqual([2, 128, 4096, undefined]);
  });
});

describe('micromarket cta2045', () => {
  const cli = fileURLToPath(new URL('../../dist/src/cli/micromarket.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'cta2045', ...args], { encoding: 'utf8' });

  it('encodes commands to the reference frames', () => {
    expect(run('encode', 'shed', '--duration', '1800').stdout).toBe('08 01 00 02 01 1E CF 5B\n');
    expect(run('encode', 'critical-peak', '--duration', '7200').stdout).toBe('08 01 00 02 0A 3C 78 8B\n');
    expect(run('encode', 'present-price', '--price', '2').stdout).toBe('08 01 00 02 07 65 2F AE\n');
    expect(run('encode', 'app-ack', '--opcode', 'customer-override').stdout).toBe('08 01 00 02 03 11 E3 52\n');
    expect(run('encode', 'supported-query', '--type', 'data-link').stdout).toBe(`${hex(encodeMessage(messageTypes.dataLink, new Uint8Array(0)))}\n`);
  });

  it('decodes a frame to JSON, and says which NAK a corrupted one gets', () => {
    expect(JSON.parse(run('decode', '08 01 00 02 0A 3C 78 8B').stdout)).toEqual({
      frame: 'message', checksumOk: true, type: 'basic', opcode1: 0x0a, opcode2: 0x3c, meaning: 'Critical Peak Event', values: { durationSeconds: 7200 } });
    expect(JSON.parse(run('decode', '080100020A3C788C').stdout)).toMatchObject({ checksumOk: false, refused: { nak: 3 } });
    expect(JSON.parse(run('decode', '15 06').stdout)).toEqual({ frame: 'link NAK', checksumOk: null, meaning: 'unsupported message type', values: { reason: 6 } });
  });

  it('refuses what it cannot do with a usage error', () => {
    expect(run('encode', 'explode').status).toBe(2);
    expect(run('encode', 'present-price').status).toBe(2); // no --price
    expect(run('decode', 'xyz').status).toBe(2);
  });
});
