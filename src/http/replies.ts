import type { FastifyReply } from 'fastify';
import type { MicromarketError } from '../errors.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { Payload } from '../xml/payloads/index.js';

export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** Sends a payload as the XML body. */
export function sendPayload(reply: FastifyReply, pipeline: XmlPipeline, payload: Payload, status = 200): FastifyReply {
  return reply.code(status).type(XML_CONTENT_TYPE).send(pipeline.write(payload));
}

/** The EI form of an error: a bare ei:eiResponse echoing the requestID, with the code and the reason. */
export function sendEiError(reply: FastifyReply, pipeline: XmlPipeline, error: MicromarketError, requestID: string): FastifyReply {
  return sendPayload(reply, pipeline, {
    name: 'eiResponse',
    body: { responseCode: error.responseCode, responseDescription: `${error.code}: ${error.message}`, requestID },
  }, error.status);
}
