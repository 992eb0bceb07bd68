import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../metrics.js';

/** GET /metrics (operator scope: a scraper sends a bearer token), Prometheus text format. */
export function metricsRoutes(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.get('/metrics', async (request, reply) => {
    await request.authenticate('operator');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
