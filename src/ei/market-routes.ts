import type { FastifyInstance } from 'fastify';
import type { EiServices } from './operation.js';
import { authenticate } from './plugin.js';
import { publicRules } from '../terms/public-rules.js';

/** GET /markets: every market's rules as JSON, for any authenticated party (see public-rules.ts). */
export function marketRoutes(app: FastifyInstance, ei: EiServices): void {
  app.get('/markets', async (request) => {
    await authenticate(request, ei.tokens, ei.wallClock(), ei.store);
    return { markets: ei.host.markets.map((m) => publicRules(m.rules)) };
  });
}
