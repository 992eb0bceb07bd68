import type { FastifyInstance } from 'fastify';
import type { XmlPipeline } from '../../xml/pipeline.js';
import { requestIdOfPayload, sendPayload } from '../../http/replies.js';
import { payloadOf } from '../../http/xml-body.js';

/**
 * POST /xml/validate: checks any EI payload against the bundled schemas without acting on it.
 * A valid document gets responseCode 200 naming its payload; an invalid one the usual EI error.
 */
export function validateRoutes(app: FastifyInstance, deps: { pipeline: XmlPipeline }): void {
  app.post('/xml/validate', async (request, reply) => {
    const payload = payloadOf(request);
    return sendPayload(reply, deps.pipeline, {
      name: 'eiResponse',
      body: { responseCode: '200', responseDescription: `valid ${payload.name}`, requestID: requestIdOfPayload(payload) },
    });
  });
}
