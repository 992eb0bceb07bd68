import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { oauthRoutes } from '../auth/routes.js';
import type { EiServices } from '../ei/operation.js';
import { marketRoutes } from '../ei/market-routes.js';
import { eiRoutes } from '../ei/plugin.js';
import { openadrRoutes } from '../openadr/plugin.js';
import { jsonRoutes } from '../openadr/json-routes.js';
import { operatorRoutes } from '../openadr/operator-routes.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { intertieRoutes } from '../intertie/routes.js';
import type { IntertieReading } from '../intertie/records.js';
import type { Store } from '../store/store.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import { inlineReader, type XmlReader } from '../xml/read-pool.js';
import { registerErrorHandling } from '../http/error-handler.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { ServiceMetrics } from './metrics.js';
import { collections } from '../host/records.js';
import { validateRoutes } from './routes/validate.js';
import { registerXmlBody } from '../http/xml-body.js';

export interface ServerOptions {
  readonly store: Store;
  readonly pipeline: XmlPipeline;
  /** Builds the EI services with the server's logger. */
  readonly ei: (log: FastifyBaseLogger) => EiServices;
  /**
   * pino logger options, or false for none.
   * @default false
   */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * Reads request bodies; a worker pool keeps XML off the service's thread.
   * @default reading on the service's thread
   */
  readonly reader?: XmlReader;
  /** The interties' status and readings (nested markets), for /healthz, GET /interties and /metrics. */
  readonly interties?: () => IntertieReading[];
  /** What the service measures, served at GET /metrics. @default a registry of the server's own */
  readonly metrics?: ServiceMetrics;
  /** Serve HTTPS; with `ca`, clients may authenticate with a certificate that CA issued. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };
}

/** Builds the HTTP service. The caller owns the store and closes it after the server. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.tls ? { https: {
      cert: options.tls.cert, key: options.tls.key,
      // Ask for a certificate but let clients without one in: they authenticate with a bearer token.
      ...(options.tls.ca ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
    } } : {}),
    logger: options.logger ?? false,
    bodyLimit: options.pipeline.limits.maxBytes,
    // Clients and load balancers should see a slow client time out, not hold a socket forever.
    requestTimeout: 30_000,
  });
  const ei = options.ei(app.log);
  const metrics = options.metrics ?? new ServiceMetrics();
  metrics.instrument(app);
  registerXmlBody(app, options.pipeline, options.reader ?? inlineReader(options.pipeline), metrics.xmlReadSeconds);
  registerErrorHandling(app, options.pipeline);
  const interties = options.interties ?? (() => []);
  healthRoutes(app, { store: options.store, pipeline: options.pipeline, markets: ei.host.markets, interties });
  validateRoutes(app, options);
  eiRoutes(app, ei, options.pipeline);
  openadrRoutes(app, ei, options.pipeline);
  jsonRoutes(app, ei);
  marketRoutes(app, ei);
  intertieRoutes(app, ei, interties);
  metrics.readFrom({
    markets: () => ei.host.markets, interties, storeOk: () => options.store.health().ok,
    backlog: async () => ({ distributes: (await options.store.list(collections.pendingDistributes, '')).length, queued: (await options.store.list(collections.oadrQueue, '')).length }),
  });
  metricsRoutes(app, ei, metrics);
  operatorRoutes(app, ei);
  dashboardRoutes(app, ei, interties);
  await oauthRoutes(app, ei);
  await app.ready();
  return app;
}
