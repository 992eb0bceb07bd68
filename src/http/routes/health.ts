import type { FastifyInstance } from 'fastify';
import type { Market } from '../../market/market.js';
import type { Store } from '../../store/store.js';
import type { XmlPipeline } from '../../xml/pipeline.js';

/** GET /healthz: 200 when the store accepts writes, 503 when it does not. */
export function healthRoutes(app: FastifyInstance, deps: { store: Store; pipeline: XmlPipeline; markets: readonly Market[] }): void {
  app.get('/healthz', async (_request, reply) => {
    const store = deps.store.health();
    return reply.code(store.ok ? 200 : 503).send({
      status: store.ok ? 'ok' : 'unavailable',
      store,
      schemas: { files: deps.pipeline.schemas.files.size },
      markets: deps.markets.map(({ rules }) => ({ id: rules.id, marketContext: rules.marketContext, clearing: rules.clearing.kind })),
    });
  });
}
