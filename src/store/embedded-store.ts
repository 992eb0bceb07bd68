import { MicromarketError } from '../errors.js';
import { lockDataDir } from './data-dir-lock.js';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { compactInWorker } from './compaction.js';
import { frameAll } from './framing.js';
import { recordText, recover, Segment, stampFormat, writeSnapshot } from './journal-files.js';
import { encodeOps, stagedKey, type EncodedOp, type MemoryState } from './memory-state.js';
import { Tallies } from './tallies.js';
import type { Json, Store, StoreHealth, WriteOp } from './store.js';

export interface EmbeddedStoreOptions {
  /** Data directory; created if missing. */
  readonly dir: string;
  /**
   * Commits between snapshots. A snapshot bounds recovery time and journal size: replaying
   * 100,000 commits takes a few seconds.
   * @default 100000
   */
  readonly snapshotEvery?: number;
}

interface PendingCommit {
  readonly ops: readonly WriteOp[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The default store: state in memory, every commit appended to a journal by a synchronous
 * (O_DSYNC) write before it is acknowledged. Commits that arrive while a write is in flight are
 * grouped into the next write (group commit), so one disk flush acknowledges many commits.
 */
export class EmbeddedStore implements Store {
  #pending: PendingCommit[] = [];
  /**
   * True while the flush loop runs. Cleared in the same tick as the loop's last look at #pending,
   * so a commit queued by a continuation of the last acknowledgement always starts a new loop.
   */
  #flushActive = false;
  #flushing: Promise<void> = Promise.resolve();
  #snapshotting: Promise<void> | undefined;
  /** Why the last snapshot failed, if it did; the journal still holds everything. */
  #snapshotError = '';
  #sinceSnapshot = 0;
  #failure: unknown;
  #closed = false;
  #lastWriteMs = 0;
  /** Journal writes (each one synchronous); fewer than commits when group commit works. */
  #appends = 0;
  readonly #tallies = new Tallies();

  private constructor(
    private readonly options: Required<EmbeddedStoreOptions>,
    private readonly state: MemoryState,
    private seq: number,
    private segment: Segment,
    private readonly unlock: () => Promise<void>,
    readonly tornBytesDropped: number,
  ) {}

  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const full = { snapshotEvery: 100_000, ...options };
    const unlock = await lockDataDir(full.dir);
    try {
      // A snapshot a crash interrupted never reached its final name; its temporary file is useless.
      for (const f of await readdir(full.dir)) if (f.endsWith('.snap.tmp')) await unlink(join(full.dir, f));
      await stampFormat(full.dir);
      const { state, seq, tornBytes } = await recover(full.dir);
      // Appends go to a fresh segment: a recovered (possibly truncated) file is never written again.
      const segment = await Segment.create(full.dir, seq + 1);
      return new EmbeddedStore(full, state, seq, segment, unlock, tornBytes);
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  async tally(name: string): Promise<number> {
    return this.#tallies.count(name);
  }

  async get<T extends Json = Json>(collection: string, key: string): Promise<T | undefined> {
    const json = this.state.get(collection, key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async list<T extends Json = Json>(collection: string, prefix?: string, after?: string, limit?: number): Promise<Array<[string, T]>> {
    return this.state.list(collection, prefix, after, limit) as Array<[string, T]>;
  }

  commit(ops: readonly WriteOp[]): Promise<void> {
    if (this.#closed) return Promise.reject(new MicromarketError('MM_ERR_STORE_CLOSED'));
    if (this.#failure) return Promise.reject(this.#failure);
    if (ops.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#pending.push({ ops, resolve, reject });
      if (!this.#flushActive) {
        this.#flushActive = true;
        this.#flushing = this.#flushLoop();
      }
    });
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0) await this.#flushGroup();
    } finally {
      this.#flushActive = false;
    }
  }

  /** Writes every pending commit that passes its checks with one append, then acknowledges them. */
  async #flushGroup(): Promise<void> {
    const group = this.#pending.splice(0);
    const accepted: Array<{ commit: PendingCommit; ops: EncodedOp[] }> = [];
    const staged = new Map<string, WriteOp>();
    const records: string[] = [];
    for (const commit of group) {
      let admitted: WriteOp[];
      try {
        admitted = this.state.admit(commit.ops, staged);
      } catch (error) {
        commit.reject(error);
        continue;
      }
      for (const o of admitted) staged.set(stagedKey(o.collection, o.key), o);
      const ops = encodeOps(admitted);
      records.push(recordText(this.seq + accepted.length + 1, ops));
      accepted.push({ commit, ops });
    }
    if (accepted.length === 0) return;
    try {
      const started = performance.now();
      await this.segment.append(frameAll(records));
      this.#lastWriteMs = performance.now() - started;
      this.#appends++;
    } catch (error) {
      // What reached the disk is unknown: refuse further writes; a restart recovers to a consistent point.
      this.#failure = error;
      for (const { commit } of accepted) commit.reject(error);
      for (const commit of this.#pending.splice(0)) commit.reject(error);
      return;
    }
    for (const { commit, ops } of accepted) {
      this.state.apply(ops);
      this.seq++;
      commit.resolve();
    }
    this.#sinceSnapshot += accepted.length;
    if (this.#sinceSnapshot >= this.options.snapshotEvery && !this.#snapshotting) await this.#startSnapshot();
  }

  /**
   * Switches appends to a new segment, then has a worker thread write the snapshot from the closed
   * segments: the service's thread does no more than open a file.
   */
  async #startSnapshot(): Promise<void> {
    const old = this.segment;
    this.segment = await Segment.create(this.options.dir, this.seq + 1);
    await old.close();
    this.#sinceSnapshot = 0;
    this.#snapshotting = compactInWorker(this.options.dir, this.seq)
      .then(() => {
        this.#snapshotError = '';
      }, (error: Error) => {
        this.#snapshotError = error.message; // the next snapshot retries
      })
      .finally(() => {
        this.#snapshotting = undefined;
      });
  }

  health(): StoreHealth {
    return {
      kind: 'embedded',
      ok: !this.#failure && !this.#closed,
      detail: {
        dir: this.options.dir,
        seq: this.seq,
        entries: this.state.entries,
        appends: this.#appends,
        tornBytesDropped: this.tornBytesDropped,
        snapshotError: this.#snapshotError,
        lastWriteMs: Number(this.#lastWriteMs.toFixed(3)),
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing;
    await this.#snapshotting;
    if (!this.#failure && this.#sinceSnapshot > 0) {
      const old = this.segment;
      this.segment = await Segment.create(this.options.dir, this.seq + 1);
      await old.close();
      await writeSnapshot(this.options.dir, this.seq, [...this.state.dump()]).catch(() => undefined);
    }
    await this.segment.close();
    await this.unlock();
  }
}
