import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { requireScope } from '../../auth/tokens.js';
import type { EiServices } from '../../ei/operation.js';
import { authenticate } from '../../ei/plugin.js';
import type { IntertieReading } from '../../intertie/records.js';

/**
 * GET /metrics (operator scope: a scraper sends a bearer token), Prometheus text format. Read at
 * each scrape from the parts that know: for now the interties.
 */
export function metricsRoutes(app: FastifyInstance, ei: EiServices, interties: () => IntertieReading[]): void {
  const registry = new Registry();
  const labelNames = ['market', 'parent'] as const;
  const gauge = (name: string, help: string, read: (r: IntertieReading) => number | undefined) => new Gauge({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const r of interties()) {
        const value = read(r);
        if (value !== undefined) this.set({ market: r.market, parent: r.parent }, value);
      }
    },
  });
  gauge('micromarket_intertie_linked', '1 when the intertie\'s parent answers, 0 while it is joining or islanded', (r) => (r.state === 'linked' ? 1 : 0));
  gauge('micromarket_intertie_flow', 'The last flow placed through the intertie, in the child market\'s units per interval (negative: exported)', (r) => r.flow);
  gauge('micromarket_intertie_parent_price', 'The parent market\'s clearing price behind the last flow', (r) => r.parentPrice);
  gauge('micromarket_intertie_islanded_intervals', 'Intervals the child cleared islanded since the service started', (r) => r.islandedIntervals);

  app.get('/metrics', async (request, reply) => {
    requireScope(await authenticate(request, ei.tokens, ei.wallClock(), ei.store), 'operator');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
