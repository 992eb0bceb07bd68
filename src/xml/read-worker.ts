/** Worker thread of XmlReadPool: reads batches of documents with its own compiled schema set. */
import { parentPort, workerData } from 'node:worker_threads';
import { isMicromarketError } from '../errors.js';
import type { XmlLimits } from './guard.js';
import { XmlPipeline } from './pipeline.js';
import type { ReadOutcome } from './read-pool.js';
import { SchemaSet } from './schema-set.js';

const pipeline = new XmlPipeline(SchemaSet.load(), workerData as Partial<XmlLimits>);

function read(body: Uint8Array): ReadOutcome {
  try {
    return { payload: pipeline.read(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) };
  } catch (error) {
    return isMicromarketError(error)
      ? { error: { code: error.code, reason: error.reason, ...(error.line ? { line: error.line } : {}) } }
      : { error: { code: 'MM_ERR_INTERNAL', reason: (error as Error).message } };
  }
}

parentPort!.on('message', ({ first, bodies }: { first: number; bodies: Uint8Array[] }) => {
  parentPort!.postMessage({ first, outcomes: bodies.map(read) });
});
