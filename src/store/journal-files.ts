import { constants } from 'node:fs';
import { open, readdir, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MicromarketError } from '../errors.js';
import { checkFormat, STORE_FORMAT } from './format.js';
import { frameAll, readFrame } from './framing.js';
import { MemoryState, opsFromJson, opsToJson, type EncodedOp } from './memory-state.js';

/**
 * Files of an embedded store's data directory:
 *   journal-<first seq>.log   append-only segments of framed commit records
 *   snapshot-<seq>.snap       the whole state after commit <seq>: framed chunks of entries, then
 *                             an end record {seq, end: true, entries}
 *   FORMAT                    the store format (format.ts) the files are written in
 * A snapshot makes every segment that starts at or before its seq redundant.
 */
const SEGMENT = /^journal-(\d{20})\.log$/;
const SNAPSHOT = /^snapshot-(\d{20})\.snap$/;
const pad = (seq: number) => String(seq).padStart(20, '0');
const segmentName = (firstSeq: number) => `journal-${pad(firstSeq)}.log`;
const snapshotName = (seq: number) => `snapshot-${pad(seq)}.snap`;

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Checks the data directory's format stamp, or stamps a directory that holds no data yet (written
 * aside, synced and renamed, so a crash never leaves a torn stamp).
 */
export async function stampFormat(dir: string): Promise<void> {
  const path = join(dir, 'FORMAT');
  const stamp = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const holdsData = (await filesMatching(dir, SEGMENT)).length + (await filesMatching(dir, SNAPSHOT)).length > 0;
  if (stamp !== undefined || holdsData) return checkFormat(`data directory ${dir}`, stamp);
  const handle = await open(`${path}.tmp`, 'w');
  try {
    await handle.write(`${STORE_FORMAT}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(`${path}.tmp`, path);
  await syncDirectory(dir);
}

async function filesMatching(dir: string, pattern: RegExp): Promise<Array<{ name: string; seq: number }>> {
  const names = await readdir(dir);
  return names.flatMap((name) => {
    const m = pattern.exec(name);
    return m ? [{ name, seq: Number(m[1]) }] : [];
  }).sort((a, b) => a.seq - b.seq);
}

export interface Recovery {
  state: MemoryState;
  /** The last commit recovered. */
  seq: number;
  /** Bytes of a torn final record that were cut off. */
  tornBytes: number;
}

function parseRecord(payload: Buffer): { seq: number; ops: EncodedOp[] } {
  const raw = JSON.parse(payload.toString('utf8')) as { seq?: unknown; ops?: unknown };
  if (typeof raw.seq !== 'number') throw new Error('record without seq');
  return { seq: raw.seq, ops: opsFromJson(raw.ops) };
}

function corrupt(file: string, offset: number, reason: string): MicromarketError {
  return new MicromarketError('MM_ERR_STORE_CORRUPT', [file, offset, reason]);
}

/**
 * Rebuilds the state: the newest snapshot, then every later journal record in sequence. A torn
 * record at the very end of the last segment (a crash mid-write, never acknowledged) is cut off;
 * damage anywhere else stops recovery with MM_ERR_STORE_CORRUPT rather than lose data silently.
 * With `upTo`, only segments that start at or before it are read and nothing is changed on disk:
 * that is how a compaction reads the closed part of the journal while appends go on.
 */
export async function recover(dir: string, upTo?: number): Promise<Recovery> {
  const state = new MemoryState();
  let seq = 0;
  const snapshot = (await filesMatching(dir, SNAPSHOT)).at(-1);
  if (snapshot) seq = await loadSnapshot(join(dir, snapshot.name), snapshot.name, state);
  let tornBytes = 0;
  const segments = (await filesMatching(dir, SEGMENT)).filter((s) => upTo === undefined || s.seq <= upTo);
  for (const [index, segment] of segments.entries()) {
    const path = join(dir, segment.name);
    const data = await readFile(path);
    let offset = 0;
    for (;;) {
      const result = readFrame(data, offset);
      if (result.kind === 'end') break;
      if (result.kind === 'bad') {
        if (!result.reachesEnd || index !== segments.length - 1 || upTo !== undefined) throw corrupt(segment.name, offset, result.reason);
        tornBytes = data.length - offset;
        await truncate(path, offset);
        const handle = await open(path, 'r+');
        await handle.sync().finally(() => handle.close());
        break;
      }
      let record: { seq: number; ops: EncodedOp[] };
      try {
        record = parseRecord(result.payload);
      } catch (error) {
        throw corrupt(segment.name, offset, (error as Error).message);
      }
      if (upTo !== undefined && record.seq > upTo) break;
      if (record.seq > seq) {
        if (record.seq !== seq + 1) throw corrupt(segment.name, offset, `commit ${record.seq} follows ${seq}`);
        state.apply(record.ops);
        seq = record.seq;
      }
      offset = result.end;
    }
  }
  return { state, seq, tornBytes };
}

/** Loads a snapshot's chunks into `state`; returns its seq. Anything but complete, intact chunks is corruption. */
async function loadSnapshot(path: string, name: string, state: MemoryState): Promise<number> {
  const data = await readFile(path);
  let offset = 0;
  let entries = 0;
  for (;;) {
    const result = readFrame(data, offset);
    if (result.kind !== 'record') throw corrupt(name, offset, result.kind === 'bad' ? result.reason : 'no end record');
    const raw = JSON.parse(result.payload.toString('utf8')) as { seq?: number; end?: boolean; entries?: number; ops?: unknown };
    if (raw.end) {
      if (raw.entries !== entries || typeof raw.seq !== 'number') throw corrupt(name, offset, `end record says ${raw.entries} entries, found ${entries}`);
      if (readFrame(data, result.end).kind !== 'end') throw corrupt(name, result.end, 'data after the end record');
      return raw.seq;
    }
    const ops = opsFromJson(raw.ops);
    state.apply(ops);
    entries += ops.length;
    offset = result.end;
  }
}

/** The text of a journal record: one commit. */
export function recordText(seq: number, ops: readonly EncodedOp[]): string {
  return `{"seq":${seq},"ops":${opsToJson(ops)}}`;
}

/**
 * Segments are opened with O_DSYNC: a write returns once its data is on disk, as write + fdatasync
 * would, but in one system call and one trip through libuv's thread pool instead of two, so a
 * group commit is acknowledged sooner when the service's thread is busy.
 */
const SEGMENT_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC;

/** An open journal segment. An append is durable (O_DSYNC) before its promise resolves. */
export class Segment {
  private constructor(private readonly handle: FileHandle, readonly name: string) {}

  static async create(dir: string, firstSeq: number): Promise<Segment> {
    const name = segmentName(firstSeq);
    const handle = await open(join(dir, name), SEGMENT_FLAGS);
    await syncDirectory(dir);
    return new Segment(handle, name);
  }

  async append(bytes: Buffer): Promise<void> {
    // A regular file takes the whole write in practice; the loop makes a short write harmless.
    for (let at = 0; at < bytes.length;) at += (await this.handle.write(bytes, at)).bytesWritten;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Entries per snapshot chunk: small enough that encoding one never holds the event loop for long. */
const SNAPSHOT_CHUNK = 2000;

/**
 * Writes a snapshot atomically (temporary file, fsync, rename, directory fsync) in chunks, awaiting
 * each write so commits go on meanwhile; then removes the snapshots and segments it makes redundant.
 */
export async function writeSnapshot(dir: string, seq: number, entries: readonly EncodedOp[]): Promise<void> {
  const name = snapshotName(seq);
  const tmp = join(dir, `${name}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    for (let i = 0; i < entries.length; i += SNAPSHOT_CHUNK) {
      await handle.write(frameAll([`{"ops":${opsToJson(entries.slice(i, i + SNAPSHOT_CHUNK))}}`]));
    }
    await handle.write(frameAll([JSON.stringify({ seq, end: true, entries: entries.length })]));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
  await syncDirectory(dir);
  for (const old of await filesMatching(dir, SNAPSHOT)) if (old.seq < seq) await unlink(join(dir, old.name));
  for (const old of await filesMatching(dir, SEGMENT)) if (old.seq <= seq) await unlink(join(dir, old.name));
}
