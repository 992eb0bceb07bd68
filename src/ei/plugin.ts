import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/tokens.js';
import { isMicromarketError, MicromarketError } from '../errors.js';
import type { XmlHandler } from '../http/xml-route.js';
import { IdempotentRequests, type Performed } from '../host/requests.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import { requestIdOfPayload, type Payload, type PayloadName } from '../xml/payloads/index.js';
import type { MarketWork } from '../host/markets.js';
import type { EiService, EiServices, Operation } from './operation.js';
import { eiAvail } from './services/ei-avail.js';
import { eiEnroll } from './services/ei-enroll.js';
import { eiMarketContext } from './services/ei-market-context.js';
import { eiQuote } from './services/ei-quote.js';
import { eiRegisterParty } from './services/ei-register-party.js';
import { eiTender } from './services/ei-tender.js';
import { eiTransaction } from './services/ei-transaction.js';

export const eiServices: readonly EiService[] = [eiRegisterParty, eiEnroll, eiMarketContext, eiQuote, eiTender, eiTransaction, eiAvail];

/** Where the EI services are served. */
export const EI_ROUTE = '/ei/:service';

/**
 * POST /ei/{Service}: the EI services. Each request is authenticated, checked for the operation's
 * scope and the party it acts for, and handled; a state-changing operation commits its writes
 * together with its response, keyed by party and requestID (src/host/requests.ts), so a retry gets
 * the first response and changes nothing.
 */
export function eiRoute(services: EiServices, pipeline: XmlPipeline): (params: { service: string }, request: FastifyRequest) => XmlHandler {
  const byName = new Map(eiServices.map((s) => [s.name, s]));
  const requests = new IdempotentRequests(services.host);

  const perform = async (operation: Operation<PayloadName>, payload: Payload, principal: Principal, now: number, work: MarketWork): Promise<Performed> => {
    const requestID = requestIdOfPayload(payload);
    let answer;
    try {
      answer = await operation.handle({ body: payload.body as never, principal, now, work }, services);
    } catch (error) {
      // A protocol refusal is the operation's own response with a 4xx responseCode; nothing was applied.
      if (!isMicromarketError(error) || error.status !== 200) throw error;
      const eiResponse = { responseCode: error.responseCode, responseDescription: `${error.code}: ${error.message}`, requestID };
      return { record: { status: 200, body: pipeline.write(operation.refuse(payload.body as never, eiResponse)) }, writes: [] };
    }
    return { record: { status: 200, body: pipeline.write(answer.payload) }, writes: answer.writes ?? [] };
  };

  return (params, request) => {
    const service = byName.get(params.service);
    if (!service) throw new MicromarketError('MM_ERR_HTTP_NOT_FOUND', ['POST', request.url]);
    return async (payload) => {
      const operation = service.operations[payload.name] as Operation<PayloadName> | undefined;
      if (!operation) throw new MicromarketError('MM_ERR_EI_WRONG_SERVICE', [payload.name, service.name]);
      const now = services.clock();
      const principal = await request.authenticate(operation.scope, operation.party?.(payload.body as never));
      if (!operation.mutates) return services.host.withWork(async (work) => (await perform(operation, payload, principal, now, work)).record);
      return requests.answer(principal.partyID, requestIdOfPayload(payload), now, (work) => perform(operation, payload, principal, now, work));
    };
  };
}
