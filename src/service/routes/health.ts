import type { FastifyInstance } from 'fastify';
import type { Market } from '../../market/market.js';
import type { Store } from '../../store/store.js';
import type { XmlPipeline } from '../../xml/pipeline.js';
import type { IntertieStatus } from '../../host/views.js';

/**
 * GET /healthz: 200 when the store accepts writes, 503 when it does not. A market whose intertie is
 * islanded still serves its parties: the status is then `degraded`, still 200.
 */
export function healthRoutes(app: FastifyInstance, deps: { store: Store; pipeline: XmlPipeline; markets: readonly Market[]; interties: () => IntertieStatus[] }): void {
  app.get('/healthz', async (_request, reply) => {
    const store = deps.store.health();
    // State only: what flowed is for the operator (GET /interties, /metrics).
    const interties = deps.interties().map(({ market, parent, state, since, reason }) => ({ market, parent, state, since, ...(reason !== undefined ? { reason } : {}) }));
    return reply.code(store.ok ? 200 : 503).send({
      status: !store.ok ? 'unavailable' : interties.some((i) => i.state !== 'linked') ? 'degraded' : 'ok',
      interties,
      store,
      schemas: { files: deps.pipeline.schemas.files.size },
      markets: deps.markets.map(({ rules }) => ({ id: rules.id, marketContext: rules.marketContext, clearing: rules.clearing.kind })),
    });
  });
}
