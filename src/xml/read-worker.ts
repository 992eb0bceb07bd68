/** Worker thread of XmlReadPool: reads documents with its own compiled schema set. */
import { parentPort, workerData } from 'node:worker_threads';
import { isMicromarketError } from '../errors.js';
import type { XmlLimits } from './guard.js';
import { XmlPipeline } from './pipeline.js';
import { SchemaSet } from './schema-set.js';

const pipeline = new XmlPipeline(SchemaSet.load(), workerData as Partial<XmlLimits>);
parentPort!.on('message', ({ id, body }: { id: number; body: Uint8Array }) => {
  try {
    parentPort!.postMessage({ id, payload: pipeline.read(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) });
  } catch (error) {
    parentPort!.postMessage(isMicromarketError(error)
      ? { id, error: { code: error.code, reason: error.reason, line: error.line } }
      : { id, error: { code: 'MM_ERR_INTERNAL', reason: (error as Error).message } });
  }
});
