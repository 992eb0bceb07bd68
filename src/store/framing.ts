import { createHash } from 'node:crypto';

/**
 * Record framing for the journal and snapshots: a 4-byte little-endian payload length, the first
 * 8 bytes of the payload's SHA-256, then the payload. A record cut short by a crash, or whose
 * bytes changed, fails the length or digest check and is never misread as data.
 */
export const HEADER_BYTES = 12;

function digest(payload: Buffer): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, 8);
}

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  digest(payload).copy(out, 4);
  payload.copy(out, HEADER_BYTES);
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
  if (!digest(payload).equals(data.subarray(offset + 4, offset + HEADER_BYTES))) {
    return { kind: 'bad', reason: 'checksum mismatch', reachesEnd: end === data.length };
  }
  return { kind: 'record', payload, end };
}
