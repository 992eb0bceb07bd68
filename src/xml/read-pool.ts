import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MicromarketError, type ErrorCode } from '../errors.js';
import { compiledSibling } from '../paths.js';
import type { XmlLimits } from './guard.js';
import type { XmlPipeline } from './pipeline.js';
import type { Payload } from './payloads/index.js';

/** Reads request bodies into payloads. */
export interface XmlReader {
  read(body: Buffer): Promise<Payload>;
  close(): Promise<void>;
}

/** Reads on the calling thread. */
export function inlineReader(pipeline: XmlPipeline): XmlReader {
  return { read: async (body) => pipeline.read(body), close: async () => undefined };
}

/** What a worker answers for one document: its payload, or the catalogue error that refused it. */
export type ReadOutcome = { payload: Payload } | { error: { code: ErrorCode; reason: string; line?: number } };

/** Most documents in one message. */
const MAX_BATCH = 4;

type Pending = { resolve: (p: Payload) => void; reject: (e: unknown) => void };

interface PoolWorker {
  readonly worker: Worker;
  /** Documents sent and not yet answered. */
  busy: number;
}

/** Documents gathered in this turn of the event loop for one worker; their ids run from `first`. */
interface Batch {
  readonly entry: PoolWorker;
  readonly first: number;
  readonly bodies: Uint8Array[];
}

/**
 * Reads documents (guard, validation, parsing, decoding: the largest CPU cost of a request) in
 * worker threads, so the service's thread is free for matching, journaling and answering.
 * Documents that arrive in the same turn of the event loop travel to a worker as one message and
 * come back as one: under load a message costs more than the copy it carries. Each batch goes to
 * the worker with the fewest documents in flight; errors come back as the same catalogue errors.
 */
export class XmlReadPool implements XmlReader {
  readonly #workers: PoolWorker[];
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  /** The batch being filled; ids are consecutive within a batch, so there is at most one. */
  #open: Batch | undefined;

  /** @param size workers; by default one per CPU but one, and at least one. */
  constructor(limits: Partial<XmlLimits>, size = Math.max(1, availableParallelism() - 1)) {
    this.#workers = Array.from({ length: size }, () => {
      const entry: PoolWorker = { worker: new Worker(compiledSibling(import.meta.url, 'read-worker.js'), { workerData: limits }), busy: 0 };
      entry.worker.on('message', ({ first, outcomes }: { first: number; outcomes: ReadOutcome[] }) => {
        entry.busy -= outcomes.length;
        outcomes.forEach((outcome, i) => this.#settle(first + i, outcome));
      });
      entry.worker.on('error', (error) => {
        for (const p of this.#pending.values()) p.reject(error);
        this.#pending.clear();
      });
      entry.worker.unref();
      return entry;
    });
  }

  #settle(id: number, outcome: ReadOutcome): void {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (!pending) return;
    if ('payload' in outcome) pending.resolve(outcome.payload);
    else pending.reject(new MicromarketError(outcome.error.code, [], { reason: outcome.error.reason, ...(outcome.error.line ? { line: outcome.error.line } : {}) }));
  }

  read(body: Buffer): Promise<Payload> {
    let batch = this.#open;
    if (!batch) {
      const opened: Batch = { entry: this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a)), first: this.#next, bodies: [] };
      batch = this.#open = opened;
      setImmediate(() => this.#send(opened));
    }
    const id = this.#next++;
    batch.entry.busy++;
    // A copy of exactly the body's bytes, moved (not cloned) to the worker: fastify's small bodies share a pool.
    batch.bodies.push(new Uint8Array(body));
    // A full batch leaves at once, so a burst is spread over the workers rather than queued on one.
    if (batch.bodies.length === MAX_BATCH) this.#send(batch);
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /** Sends a batch unless it already left (full before the end of its turn). */
  #send(batch: Batch): void {
    if (this.#open !== batch) return;
    this.#open = undefined;
    batch.entry.worker.postMessage({ first: batch.first, bodies: batch.bodies }, batch.bodies.map((b) => b.buffer as ArrayBuffer));
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }
}
