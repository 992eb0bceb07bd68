import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isMicromarketError, MicromarketError } from '../errors.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import { sendEiError } from './replies.js';

/** How the clients of some paths expect their errors: a protocol's own form (OpenADR's oadrResponse). */
export interface ErrorForm {
  readonly paths: RegExp;
  send(reply: FastifyReply, error: MicromarketError, requestID: string): FastifyReply;
}

/** Paths whose clients speak XML: their errors are answered in the EI response form, unless a protocol's form applies. */
const XML_PATHS = /^\/(ei|xml)\//;

function catalogued(error: FastifyError, request: FastifyRequest, pipeline: XmlPipeline): MicromarketError {
  if (isMicromarketError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // A chunked body has no declared length: it was cut off at the limit.
      return new MicromarketError('MM_ERR_XML_TOO_LARGE', [request.headers['content-length'] ?? `more than ${pipeline.limits.maxBytes}`, pipeline.limits.maxBytes]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MicromarketError('MM_ERR_HTTP_CONTENT_TYPE', [request.headers['content-type'] ?? 'none']);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [error.message]);
  }
  return new MicromarketError('MM_ERR_INTERNAL');
}

/**
 * Every error leaves as a catalogued error: in the form of the first of `forms` whose paths match
 * (OpenADR's oadrResponse, HTTP 200), an EI response on the other XML paths, JSON elsewhere.
 * Internal errors are logged with their stack and answered without it.
 */
export function registerErrorHandling(app: FastifyInstance, pipeline: XmlPipeline, forms: readonly ErrorForm[] = []): void {
  const send = (request: FastifyRequest, reply: FastifyReply, mm: MicromarketError, requestID: string) => {
    const form = forms.find((f) => f.paths.test(request.url));
    if (form) return form.send(reply, mm, requestID);
    if (XML_PATHS.test(request.url)) return sendEiError(reply, pipeline, mm, requestID);
    return reply.code(mm.status).send({ code: mm.code, message: mm.message });
  };
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mm = catalogued(error, request, pipeline);
    if (mm.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mm.code, reason: mm.message }, 'request refused');
    return send(request, reply, mm, request.unreadableRequestID);
  });

  app.setNotFoundHandler((request, reply) => {
    return send(request, reply, new MicromarketError('MM_ERR_HTTP_NOT_FOUND', [request.method, request.url]), '');
  });
}
