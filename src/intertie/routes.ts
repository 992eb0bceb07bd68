import type { FastifyInstance } from 'fastify';
import { requireScope } from '../auth/tokens.js';
import type { EiServices } from '../ei/operation.js';
import { authenticate } from '../ei/plugin.js';
import { collections, fromJson } from '../host/records.js';
import { intervalOfKey, type IntertieRecord, type IntertieStatus } from './records.js';

/**
 * GET /interties (operator): each intertie's status, and per interval what its market bid in the
 * parent (ladder revision), what the parent cleared and what flowed, or that it cleared islanded.
 */
export function intertieRoutes(app: FastifyInstance, ei: EiServices, status: () => IntertieStatus[]): void {
  app.get('/interties', async (request) => {
    requireScope(await authenticate(request, ei.tokens, ei.wallClock(), ei.store), 'operator');
    return {
      interties: await Promise.all(status().map(async (s) => ({
        ...s,
        intervals: (await ei.store.list(collections.interties, `${s.market}/`)).map(([key, value]) => ({
          interval: new Date(intervalOfKey(key)).toISOString(), ...fromJson<IntertieRecord>(value)! })),
      }))),
    };
  });
}
