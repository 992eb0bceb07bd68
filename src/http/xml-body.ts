import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isMicromarketError, MicromarketError } from '../errors.js';
import { XmlPipeline } from '../xml/pipeline.js';
import type { Payload } from '../xml/payloads/index.js';
import type { XmlReader } from '../xml/read-pool.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** requestID found in an XML body that could not be read, so the error response can echo it. */
    unreadableRequestID: string;
  }
}

/**
 * Registers the XML body parser: every application/xml or text/xml body goes through the XML
 * pipeline (guard → validate → parse) before any handler runs, so handlers receive a typed
 * Payload and never see an invalid document.
 */
export function registerXmlBody(app: FastifyInstance, pipeline: XmlPipeline, reader: XmlReader, timing?: { startTimer(): () => unknown }): void {
  // This is an XML service: JSON or text bodies are refused (415) rather than half-understood.
  app.removeAllContentTypeParsers();
  app.decorateRequest('unreadableRequestID', '');
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: pipeline.limits.maxBytes },
    (request, body, done) => {
      const stop = timing?.startTimer();
      reader.read(body as Buffer).finally(() => stop?.()).then((payload) => done(null, payload satisfies Payload), (error: unknown) => {
        if (isMicromarketError(error)) request.unreadableRequestID = XmlPipeline.requestIdOf(body as Buffer);
        done(error as Error, undefined);
      });
    });
}

/** The payload of an XML request; a request without an XML body is refused with 415. */
export function payloadOf(request: FastifyRequest): Payload {
  const body = request.body as Payload | undefined;
  if (!body || typeof body.name !== 'string') {
    throw new MicromarketError('MM_ERR_HTTP_CONTENT_TYPE', [request.headers['content-type'] ?? 'none']);
  }
  return body;
}
