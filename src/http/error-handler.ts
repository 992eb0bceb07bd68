import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isMicromarketError, MicromarketError } from '../errors.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import { OPENADR_PATH, sendOadrError } from '../openadr/plugin.js';
import { sendEiError } from './replies.js';

/** Paths whose clients speak XML: their errors are answered in the EI response form. */
const XML_PATHS = /^\/(ei|xml)\//;

function catalogued(error: FastifyError, request: FastifyRequest, pipeline: XmlPipeline): MicromarketError {
  if (isMicromarketError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MicromarketError('MM_ERR_XML_TOO_LARGE', [request.headers['content-length'] ?? 'more than', pipeline.limits.maxBytes]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new MicromarketError('MM_ERR_HTTP_CONTENT_TYPE', [request.headers['content-type'] ?? 'none']);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [error.message]);
  }
  return new MicromarketError('MM_ERR_INTERNAL');
}

/**
 * Every error leaves as a catalogued error: an oadrResponse (HTTP 200, as OpenADR requires) on the
 * OpenADR paths, an EI response on the other XML paths, JSON elsewhere. Internal errors are logged
 * with their stack and answered without it.
 */
export function registerErrorHandling(app: FastifyInstance, pipeline: XmlPipeline): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mm = catalogued(error, request, pipeline);
    if (mm.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: mm.code, reason: mm.message }, 'request refused');
    if (OPENADR_PATH.test(request.url)) return sendOadrError(reply, pipeline, mm, request.unreadableRequestID);
    if (XML_PATHS.test(request.url)) return sendEiError(reply, pipeline, mm, request.unreadableRequestID);
    return reply.code(mm.status).send({ code: mm.code, message: mm.message });
  });

  app.setNotFoundHandler((request, reply) => {
    const mm = new MicromarketError('MM_ERR_HTTP_NOT_FOUND', [request.method, request.url]);
    if (OPENADR_PATH.test(request.url)) return sendOadrError(reply, pipeline, mm, '');
    if (XML_PATHS.test(request.url)) return sendEiError(reply, pipeline, mm, '');
    return reply.code(404).send({ code: mm.code, message: mm.message });
  });
}
