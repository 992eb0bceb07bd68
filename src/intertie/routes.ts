import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../host/context.js';
import { intervalOfKey, intertieCollections } from './records.js';
import type { IntertieStatus } from '../host/views.js';

/**
 * GET /interties (operator): each intertie's status, and per interval what its market bid in the
 * parent (ladder revision), what the parent cleared and what flowed, or that it cleared islanded.
 */
export function intertieRoutes(app: FastifyInstance, context: ServiceContext, status: () => IntertieStatus[]): void {
  app.get('/interties', async (request) => {
    await request.authenticate('operator');
    return {
      interties: await Promise.all(status().map(async (s) => ({
        ...s,
        intervals: (await intertieCollections.interties.list(context.store, [s.market])).map(([key, value]) => ({
          interval: new Date(intervalOfKey(key)).toISOString(), ...value })),
      }))),
    };
  });
}
