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

type Pending = { resolve: (p: Payload) => void; reject: (e: unknown) => void };

/**
 * Reads documents (guard, validation, parsing, decoding: the largest CPU cost of a request) in
 * worker threads, so the service's thread is free for matching, journaling and answering.
 * Requests go to the worker with the fewest in flight; errors come back as the same catalogue errors.
 */
export class XmlReadPool implements XmlReader {
  readonly #workers: Array<{ worker: Worker; busy: number }>;
  readonly #pending = new Map<number, Pending>();
  #next = 0;

  /** @param size workers; by default one per CPU but one, and at least one. */
  constructor(limits: Partial<XmlLimits>, size = Math.max(1, availableParallelism() - 1)) {
    this.#workers = Array.from({ length: size }, () => {
      const entry = { worker: new Worker(compiledSibling(import.meta.url, 'read-worker.js'), { workerData: limits }), busy: 0 };
      entry.worker.on('message', (m: { id: number; payload?: Payload; error?: { code: ErrorCode; reason: string; line?: number } }) => {
        entry.busy--;
        const pending = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (!pending) return;
        if (m.error) pending.reject(new MicromarketError(m.error.code, [], { reason: m.error.reason, ...(m.error.line ? { line: m.error.line } : {}) }));
        else pending.resolve(m.payload!);
      });
      entry.worker.on('error', (error) => {
        for (const p of this.#pending.values()) p.reject(error);
        this.#pending.clear();
      });
      entry.worker.unref();
      return entry;
    });
  }

  read(body: Buffer): Promise<Payload> {
    const entry = this.#workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.#next++;
    entry.busy++;
    // A copy of exactly the body's bytes, moved (not cloned) to the worker: fastify's small bodies share a pool.
    const bytes = new Uint8Array(body);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      entry.worker.postMessage({ id, body: bytes }, [bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }
}
