import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isMicromarketError, MicromarketError } from '../errors.js';
import { UTF8 } from '../xml/guard.js';
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
      const refused = unreadableEncoding(request);
      if (refused) return done(refused, undefined);
      const stop = timing?.startTimer();
      reader.read(body as Buffer).finally(() => stop?.()).then((payload) => done(null, payload satisfies Payload), (error: unknown) => {
        if (isMicromarketError(error)) request.unreadableRequestID = XmlPipeline.requestIdOf(body as Buffer);
        done(error as Error, undefined);
      });
    });
}

/**
 * A body encoded in a way this service does not decode is refused (415), not read as if plain: a
 * content encoding (gzip...) or a charset other than UTF-8.
 */
function unreadableEncoding(request: FastifyRequest): MicromarketError | undefined {
  const encoding = request.headers['content-encoding']?.trim();
  if (encoding && encoding.toLowerCase() !== 'identity') return new MicromarketError('MM_ERR_HTTP_CONTENT_ENCODING', [encoding.slice(0, 40)]);
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !UTF8.test(charset)) return new MicromarketError('MM_ERR_HTTP_CHARSET', [charset.slice(0, 40)]);
  return undefined;
}

/** The payload of an XML request; a request without an XML body is refused with 415. */
export function payloadOf(request: FastifyRequest): Payload {
  const body = request.body as Payload | undefined;
  if (!body || typeof body.name !== 'string') {
    throw new MicromarketError('MM_ERR_HTTP_CONTENT_TYPE', [request.headers['content-type'] ?? 'none']);
  }
  return body;
}
