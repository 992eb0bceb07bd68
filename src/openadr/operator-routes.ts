/**
 * The operator's requests to a VEN, delivered by its next poll:
 *
 *   POST /vens/{venID}/reregistration   queues oadrRequestReregistration: the VEN registers again
 *   POST /vens/{venID}/cancellation     queues oadrCancelPartyRegistration; the VEN's
 *                                       oadrCanceledPartyRegistration then cancels the registration
 *
 * Both answer 202 with what was queued; a VEN that is not registered is a 400.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MicromarketError } from '../errors.js';
import type { ServiceContext } from '../host/context.js';
import { collections, type PartyRecord } from '../host/records.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { enqueue } from './queue.js';

export function operatorRoutes(app: FastifyInstance, context: ServiceContext): void {
  const ven = async (request: FastifyRequest, venID: string): Promise<PartyRecord> => {
    await request.authenticate('operator');
    const party = await collections.parties.get(context.store, [venID]);
    if (!party?.oadr || party.cancelled) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`${venID} is not a registered VEN`]);
    return party;
  };

  app.post<{ Params: { venID: string } }>('/vens/:venID/reregistration', async (request, reply) => {
    const party = await ven(request, request.params.venID);
    const message: OadrMessage = { kind: 'oadrRequestReregistration', value: { venID: party.partyID } };
    await context.store.commit([enqueue(party.partyID, message, context.clock())]);
    return reply.code(202).send({ venID: party.partyID, queued: message.kind });
  });

  app.post<{ Params: { venID: string } }>('/vens/:venID/cancellation', async (request, reply) => {
    const party = await ven(request, request.params.venID);
    const now = context.clock();
    const message: OadrMessage = { kind: 'oadrCancelPartyRegistration', value: { requestID: `cancel-${now}`, registrationID: party.registrationID, venID: party.partyID } };
    await context.store.commit([enqueue(party.partyID, message, now), collections.parties.put([party.partyID], { ...party, oadr: { ...party.oadr!, cancelRequested: true } })]);
    return reply.code(202).send({ venID: party.partyID, queued: message.kind });
  });
}
