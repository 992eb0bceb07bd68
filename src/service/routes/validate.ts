import type { FastifyInstance } from 'fastify';
import { xmlRoute } from '../../http/xml-route.js';
import type { XmlPipeline } from '../../xml/pipeline.js';
import { requestIdOfPayload } from '../../xml/payloads/index.js';

/**
 * POST /xml/validate: checks any EI payload against the bundled schemas without acting on it.
 * A valid document gets responseCode 200 naming its payload; an invalid one the usual EI error.
 */
export function validateRoutes(app: FastifyInstance, pipeline: XmlPipeline): void {
  xmlRoute(app, pipeline, '/xml/validate', () => async (payload) => ({
    payload: { name: 'eiResponse', body: { responseCode: '200', responseDescription: `valid ${payload.name}`, requestID: requestIdOfPayload(payload) } },
  }));
}
