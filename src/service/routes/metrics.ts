import type { FastifyInstance } from 'fastify';
import { requireScope } from '../../auth/tokens.js';
import type { EiServices } from '../../ei/operation.js';
import { authenticate } from '../../ei/plugin.js';
import type { ServiceMetrics } from '../metrics.js';

/** GET /metrics (operator scope: a scraper sends a bearer token), Prometheus text format. */
export function metricsRoutes(app: FastifyInstance, ei: EiServices, metrics: ServiceMetrics): void {
  app.get('/metrics', async (request, reply) => {
    requireScope(await authenticate(request, ei.tokens, ei.wallClock(), ei.store), 'operator');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
