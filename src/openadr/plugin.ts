import type { FastifyInstance, FastifyReply } from 'fastify';
import { MicromarketError } from '../errors.js';
import type { ServiceContext } from '../host/context.js';
import type { ErrorForm } from '../http/error-handler.js';
import { sendPayload } from '../http/replies.js';
import { payloadOf } from '../http/xml-body.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { handled, type OadrAnswer, type OadrContext, type OadrHandlers } from './handlers.js';
import { eventing } from './events.js';
import { opting } from './opt.js';
import { polling } from './poll.js';
import { registration } from './registration.js';
import { reporting } from './reports.js';
import { oadrResponse } from './vtn.js';

/** The OpenADR 2.0b simple HTTP binding: POST {root}/OpenADR2/Simple/2.0b/{service}. */
export const OPENADR_PATH = /^\/OpenADR2\/Simple\/2\.0b\//;

/** The five services of the 2.0b simple HTTP binding. */
const services: Record<string, OadrHandlers> = { EiRegisterParty: registration, EiEvent: eventing, EiReport: reporting, EiOpt: opting, OadrPoll: polling };

/** Every OpenADR reply is HTTP 200 with the answer wrapped in oadrPayload/oadrSignedObject. */
export function sendOadr(reply: FastifyReply, pipeline: XmlPipeline, message: OadrMessage): FastifyReply {
  return sendPayload(reply, pipeline, { name: 'oadrPayload', body: { message } });
}

/** Refusals on the OpenADR paths in OpenADR's form: oadrResponse carrying the code and the reason, still HTTP 200 (VENs drop other statuses). */
export const oadrErrorForm = (pipeline: XmlPipeline): ErrorForm => ({
  paths: OPENADR_PATH,
  send: (reply, error, requestID) =>
    sendOadr(reply, pipeline, oadrResponse({ responseCode: error.responseCode, responseDescription: `${error.code}: ${error.message}`, requestID })),
});

/**
 * The VTN endpoints. The caller is authenticated as for the EI services (bearer token or mapped TLS
 * client certificate) and needs the register scope; the message must belong to the service in the
 * URL; its handler's writes are committed before the answer is sent.
 */
export function openadrRoutes(app: FastifyInstance, ei: ServiceContext, pipeline: XmlPipeline): void {
  app.post<{ Params: { service: string } }>('/OpenADR2/Simple/2.0b/:service', async (request, reply) => {
    const handlers = services[request.params.service];
    if (!handlers) throw new MicromarketError('MM_ERR_HTTP_NOT_FOUND', ['POST', request.url]);
    const payload = payloadOf(request);
    if (payload.name !== 'oadrPayload') throw new MicromarketError('MM_ERR_XML_UNKNOWN_PAYLOAD', [payload.name]);
    const message: OadrMessage = payload.body.message;
    const handle = handlers[message.kind] as ((body: unknown, context: OadrContext) => Promise<OadrAnswer>) | undefined;
    if (!handle) throw new MicromarketError('MM_ERR_EI_WRONG_SERVICE', [message.kind, request.params.service]);
    const principal = await request.authenticate('register');
    const answer = await handled(ei.host, (work) => handle(message.value, { principal, now: ei.clock(), store: ei.store, host: ei.host, work }));
    return sendOadr(reply, pipeline, answer.reply);
  });
}
