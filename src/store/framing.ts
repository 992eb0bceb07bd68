import { crc32 } from 'node:zlib';

/**
 * Record framing for the journal and snapshots: a 4-byte little-endian payload length, the
 * payload's CRC-32 (4 bytes, little-endian), then the payload. A record cut short by a crash, or
 * whose bytes changed, fails the length or checksum check and is never misread as data.
 */
export const HEADER_BYTES = 8;

/**
 * Frames UTF-8 texts into one buffer: each text is encoded once, straight into its place, so a
 * group commit costs one allocation and no copies.
 */
export function frameAll(texts: readonly string[]): Buffer {
  const lengths = texts.map((t) => Buffer.byteLength(t, 'utf8'));
  const out = Buffer.allocUnsafe(lengths.reduce((sum, n) => sum + HEADER_BYTES + n, 0));
  let at = 0;
  texts.forEach((text, i) => {
    const start = at + HEADER_BYTES;
    out.writeUInt32LE(lengths[i]!, at);
    out.write(text, start, 'utf8');
    out.writeUInt32LE(crc32(out.subarray(start, start + lengths[i]!)), at + 4);
    at = start + lengths[i]!;
  });
  return out;
}

export type ReadResult =
  | { kind: 'record'; payload: Buffer; end: number }
  | { kind: 'end' }
  | { kind: 'bad'; reason: string; reachesEnd: boolean };

/**
 * Reads the record at `offset`. A bad record that runs to the end of the data is what a torn
 * final write looks like (`reachesEnd`); one followed by more data is corruption.
 */
export function readFrame(data: Buffer, offset: number): ReadResult {
  if (offset === data.length) return { kind: 'end' };
  if (data.length - offset < HEADER_BYTES) return { kind: 'bad', reason: 'truncated header', reachesEnd: true };
  const length = data.readUInt32LE(offset);
  const end = offset + HEADER_BYTES + length;
  if (end > data.length) return { kind: 'bad', reason: 'truncated record', reachesEnd: true };
  const payload = data.subarray(offset + HEADER_BYTES, end);
  if (crc32(payload) !== data.readUInt32LE(offset + 4)) {
    return { kind: 'bad', reason: 'checksum mismatch', reachesEnd: end === data.length };
  }
  return { kind: 'record', payload, end };
}
