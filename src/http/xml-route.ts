import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { Payload } from '../xml/payloads/index.js';
import { XML_CONTENT_TYPE } from './replies.js';
import { payloadOf } from './xml-body.js';

/** What an XML handler answers: a payload to write, or a body written before (a request's recorded first answer). */
export type XmlAnswer = { readonly status?: number; readonly payload: Payload } | { readonly status: number; readonly body: string };

/** Handles the payload of the request its route was picked for. */
export type XmlHandler = (payload: Payload) => Promise<XmlAnswer>;

/**
 * POST `path` for XML payloads: `route` picks the handler the URL's parameters name (or refuses:
 * 404), the handler gets the payload the XML body parser read (a request without one is refused
 * with 415 first), and its answer leaves as XML. Protocol handlers never call the transport.
 */
export function xmlRoute<P extends Record<string, string>>(app: FastifyInstance, pipeline: XmlPipeline, path: string,
  route: (params: P, request: FastifyRequest) => XmlHandler): void {
  app.post<{ Params: P }>(path, async (request, reply) => {
    const handle = route(request.params as P, request);
    const answer = await handle(payloadOf(request));
    const body = 'body' in answer ? answer.body : pipeline.write(answer.payload);
    return reply.code(answer.status ?? 200).type(XML_CONTENT_TYPE).send(body);
  });
}
