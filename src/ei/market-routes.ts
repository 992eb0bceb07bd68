import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../host/context.js';
import { publicRules } from '../terms/public-rules.js';

/** GET /markets: every market's rules as JSON, for any authenticated party (see public-rules.ts). */
export function marketRoutes(app: FastifyInstance, context: ServiceContext): void {
  app.get('/markets', async (request) => {
    await request.authenticate();
    return { markets: context.host.markets.map((m) => publicRules(context.host.setup(m))) };
  });
}
