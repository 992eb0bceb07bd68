import type { FastifyRequest } from 'fastify';
import { MicromarketError } from '../errors.js';
import type { ServiceContext } from '../host/context.js';
import type { ErrorForm } from '../http/error-handler.js';
import { sendPayload } from '../http/replies.js';
import type { XmlHandler } from '../http/xml-route.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { Payload } from '../xml/payloads/index.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { handled, type OadrAnswer, type OadrContext, type OadrHandlers } from './handlers.js';
import { eventing } from './events.js';
import { opting } from './opt.js';
import { polling } from './poll.js';
import { registration } from './registration.js';
import { reporting } from './reports.js';
import { oadrResponse } from './vtn.js';

/** The OpenADR 2.0b simple HTTP binding: POST {root}/OpenADR2/Simple/2.0b/{service}. */
export const OPENADR_ROUTE = '/OpenADR2/Simple/2.0b/:service';
const OPENADR_PATH = /^\/OpenADR2\/Simple\/2\.0b\//;

/** The five services of the 2.0b simple HTTP binding. */
const services: Record<string, OadrHandlers> = { EiRegisterParty: registration, EiEvent: eventing, EiReport: reporting, EiOpt: opting, OadrPoll: polling };

/** Every OpenADR reply is HTTP 200 with the answer wrapped in oadrPayload/oadrSignedObject. */
const wrapped = (message: OadrMessage): Payload => ({ name: 'oadrPayload', body: { message } });

/** Refusals on the OpenADR paths in OpenADR's form: oadrResponse carrying the code and the reason, still HTTP 200 (VENs drop other statuses). */
export const oadrErrorForm = (pipeline: XmlPipeline): ErrorForm => ({
  paths: OPENADR_PATH,
  send: (reply, error, requestID) => sendPayload(reply, pipeline,
    wrapped(oadrResponse({ responseCode: error.responseCode, responseDescription: `${error.code}: ${error.message}`, requestID }))),
});

/**
 * POST /OpenADR2/Simple/2.0b/{service}: the VTN endpoints. The caller is authenticated as for the
 * EI services (bearer token or mapped TLS client certificate) and needs the register scope; the
 * message must belong to the service in the URL; its handler's writes are committed before the
 * answer is sent.
 */
export function oadrRoute(context: ServiceContext): (params: { service: string }, request: FastifyRequest) => XmlHandler {
  const { host, store, clock, quotas } = context;
  return (params, request) => {
    const handlers = services[params.service];
    if (!handlers) throw new MicromarketError('MM_ERR_HTTP_NOT_FOUND', ['POST', request.url]);
    return async (payload) => {
      if (payload.name !== 'oadrPayload') throw new MicromarketError('MM_ERR_XML_UNKNOWN_PAYLOAD', [payload.name]);
      const message: OadrMessage = payload.body.message;
      const handle = handlers[message.kind] as ((body: unknown, context: OadrContext) => Promise<OadrAnswer>) | undefined;
      if (!handle) throw new MicromarketError('MM_ERR_EI_WRONG_SERVICE', [message.kind, params.service]);
      const principal = await request.authenticate('register');
      const answer = await handled(host, (work) => handle(message.value, { principal, now: clock(), store, host, quotas, work }));
      return { payload: wrapped(answer.reply) };
    };
  };
}
