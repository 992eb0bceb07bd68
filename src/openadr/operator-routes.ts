/**
 * The operator's requests to a VEN, delivered by its next poll:
 *
 *   POST /vens/{venID}/reregistration   queues oadrRequestReregistration: the VEN registers again
 *   POST /vens/{venID}/cancellation     queues oadrCancelPartyRegistration; the VEN's
 *                                       oadrCanceledPartyRegistration then cancels the registration
 *
 * Both answer 202 with what was queued; a VEN that is not registered is a 400.
 */
import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth/tokens.js';
import { MicromarketError } from '../errors.js';
import type { EiServices } from '../ei/operation.js';
import { authenticate } from '../ei/plugin.js';
import { asJson, collections, fromJson, type PartyRecord } from '../host/records.js';
import { put } from '../store/store.js';
import type { OadrMessage } from '../xml/payloads/oadr.js';
import { enqueue } from './queue.js';

export function operatorRoutes(app: FastifyInstance, ei: EiServices): void {
  const ven = async (request: Parameters<typeof authenticate>[0], venID: string): Promise<PartyRecord> => {
    requireScope(await authenticate(request, ei.tokens, ei.wallClock(), ei.store), 'operator');
    const party = fromJson<PartyRecord>(await ei.store.get(collections.parties, venID));
    if (!party?.oadr || party.cancelled) throw new MicromarketError('MM_ERR_HTTP_BAD_REQUEST', [`${venID} is not a registered VEN`]);
    return party;
  };

  app.post<{ Params: { venID: string } }>('/vens/:venID/reregistration', async (request, reply) => {
    const party = await ven(request, request.params.venID);
    const message: OadrMessage = { kind: 'oadrRequestReregistration', value: { venID: party.partyID } };
    await ei.store.commit([enqueue(party.partyID, message, ei.clock())]);
    return reply.code(202).send({ venID: party.partyID, queued: message.kind });
  });

  app.post<{ Params: { venID: string } }>('/vens/:venID/cancellation', async (request, reply) => {
    const party = await ven(request, request.params.venID);
    const now = ei.clock();
    const message: OadrMessage = { kind: 'oadrCancelPartyRegistration', value: { requestID: `cancel-${now}`, registrationID: party.registrationID, venID: party.partyID } };
    await ei.store.commit([enqueue(party.partyID, message, now), put(collections.parties, party.partyID, asJson({ ...party, oadr: { ...party.oadr!, cancelRequested: true } }))]);
    return reply.code(202).send({ venID: party.partyID, queued: message.kind });
  });
}
