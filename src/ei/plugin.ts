import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/tokens.js';
import { isMicromarketError, MicromarketError } from '../errors.js';
import { XML_CONTENT_TYPE, requestIdOfPayload } from '../http/replies.js';
import { payloadOf } from '../http/xml-body.js';
import { type WriteOp } from '../store/store.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { Payload, PayloadName } from '../xml/payloads/index.js';
import type { MarketWork } from '../host/markets.js';
import type { EiService, EiServices, Operation } from './operation.js';
import { collections, type RequestRecord } from '../host/records.js';
import { eiAvail } from './services/ei-avail.js';
import { eiEnroll } from './services/ei-enroll.js';
import { eiMarketContext } from './services/ei-market-context.js';
import { eiQuote } from './services/ei-quote.js';
import { eiRegisterParty } from './services/ei-register-party.js';
import { eiTender } from './services/ei-tender.js';
import { eiTransaction } from './services/ei-transaction.js';

export const eiServices: readonly EiService[] = [eiRegisterParty, eiEnroll, eiMarketContext, eiQuote, eiTender, eiTransaction, eiAvail];

/** Thrown into a request's engine work when the request turns out to have been answered already. */
class Answered {
  constructor(readonly record: RequestRecord) {}
}

/**
 * POST /ei/{Service}: the EI services. Each request is authenticated, checked for the operation's
 * scope, and handled; a state-changing operation commits its writes together with its response,
 * keyed by party and requestID, so a retry gets the first response and changes nothing.
 */
export function eiRoutes(app: FastifyInstance, services: EiServices, pipeline: XmlPipeline): void {
  const byName = new Map(eiServices.map((s) => [s.name, s]));
  const inFlight = new Map<string, Promise<RequestRecord>>();

  const perform = async (operation: Operation<PayloadName>, payload: Payload, principal: Principal, now: number, work: MarketWork)
    : Promise<{ record: RequestRecord; writes: readonly WriteOp[] }> => {
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

  app.post<{ Params: { service: string } }>('/ei/:service', async (request, reply) => {
    const service = byName.get(request.params.service);
    if (!service) throw new MicromarketError('MM_ERR_HTTP_NOT_FOUND', ['POST', request.url]);
    const payload = payloadOf(request);
    const operation = service.operations[payload.name] as Operation<PayloadName> | undefined;
    if (!operation) throw new MicromarketError('MM_ERR_EI_WRONG_SERVICE', [payload.name, service.name]);
    const now = services.clock();
    const principal = await request.authenticate(operation.scope);

    let record: RequestRecord;
    if (!operation.mutates) {
      record = await services.host.withWork(async (work) => (await perform(operation, payload, principal, now, work)).record);
    } else {
      const key = collections.requests.key(principal.partyID, requestIdOfPayload(payload));
      // A copy already running in this instance is awaited. Otherwise this one starts, registered with
      // no await in between, so two copies here can never both start.
      const earlier = inFlight.get(key);
      if (earlier) {
        record = await earlier;
      } else {
        const running = services.host.withWork(async (work) => {
          // The first answer, if there is one, is read while the operation reads what it needs (one
          // round trip to Redis, not two); engines run only once it is known there is none.
          const stored = collections.requests.get(services.store, key);
          work.waitFor(stored.then((first) => {
            if (first) throw new Answered(first);
          }));
          try {
            const { record: answered, writes } = await perform(operation, payload, principal, now, work);
            const first = await stored;
            if (first) return first;
            await work.commit([...writes, collections.requests.put(key, { status: answered.status, body: answered.body }, true)]);
            return answered;
          } catch (error) {
            if (error instanceof Answered) return error.record;
            // Another instance answered the same request first: its answer is the one (this attempt applied nothing).
            const recorded = isMicromarketError(error) && error.code === 'MM_ERR_STORE_CONFLICT'
              ? await collections.requests.get(services.store, key) : undefined;
            if (!recorded) throw error;
            return recorded;
          }
        });
        inFlight.set(key, running);
        try {
          record = await running;
        } finally {
          inFlight.delete(key);
        }
      }
    }
    return reply.code(record.status).type(XML_CONTENT_TYPE).send(record.body);
  });
}
