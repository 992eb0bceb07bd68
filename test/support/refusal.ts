import type { MicromarketError } from '../../src/errors.js';
import type { XmlPipeline } from '../../src/xml/pipeline.js';

/** The error a pipeline refuses a document with; fails the test if the document is accepted. */
export function refusal(pipeline: XmlPipeline, xml: string): MicromarketError {
  try {
    pipeline.read(Buffer.from(xml));
  } catch (error) {
    return error as MicromarketError;
  }
  throw new Error('document was accepted');
}
