import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuthentication } from '../auth/hook.js';
import { oauthRoutes } from '../auth/routes.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { marketRoutes } from '../ei/market-routes.js';
import type { QuoteDistributor } from '../ei/quote-distribution.js';
import { EI_ROUTE, eiRoute } from '../ei/plugin.js';
import type { ServiceContext } from '../host/context.js';
import type { IntertieReading } from '../host/views.js';
import { registerErrorHandling } from '../http/error-handler.js';
import { registerXmlBody } from '../http/xml-body.js';
import { xmlRoute } from '../http/xml-route.js';
import { intertieRoutes } from '../intertie/routes.js';
import { jsonRoutes } from '../openadr/json-routes.js';
import { operatorRoutes } from '../openadr/operator-routes.js';
import { OPENADR_ROUTE, oadrErrorForm, oadrRoute } from '../openadr/plugin.js';
import { oadrReadings } from '../openadr/readings.js';
import { oadrCollections } from '../openadr/records.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import type { XmlReader } from '../xml/read-pool.js';
import type { ServiceMetrics } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { validateRoutes } from './routes/validate.js';

export interface TlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Clients may authenticate with a certificate this CA issued. */
  readonly ca?: Buffer;
}

/** The HTTP(S) server, before any route: logging through `log` (none when undefined), bodies bounded by the XML limits. */
export function createApp(pipeline: XmlPipeline, log: FastifyBaseLogger | undefined, tls: TlsOptions | undefined): FastifyInstance {
  return Fastify({
    ...(tls ? { https: {
      cert: tls.cert, key: tls.key,
      // Ask for a certificate but let clients without one in: they authenticate with a bearer token.
      ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
    } } : {}),
    ...(log ? { loggerInstance: log } : { logger: false }),
    bodyLimit: pipeline.limits.maxBytes,
    // Clients and load balancers should see a slow client time out, not hold a socket forever.
    requestTimeout: 30_000,
  });
}

export interface RouteOptions {
  readonly context: ServiceContext;
  readonly quotes: QuoteDistributor;
  readonly pipeline: XmlPipeline;
  /** Reads request bodies (a worker pool keeps XML off the service's thread). */
  readonly reader: XmlReader;
  readonly metrics: ServiceMetrics;
  /** The interties' status and readings (nested markets), for /healthz, GET /interties, /metrics and the dashboard. */
  readonly interties: () => IntertieReading[];
}

/** Every route of the service, each protocol beside the others, behind one body parser, one authentication hook and one error handler. */
export async function registerRoutes(app: FastifyInstance, { context, quotes, pipeline, reader, metrics, interties }: RouteOptions): Promise<void> {
  const { store, host } = context;
  metrics.instrument(app);
  registerXmlBody(app, pipeline, reader, metrics.xmlReadSeconds);
  registerErrorHandling(app, pipeline, [oadrErrorForm(pipeline)]);
  registerAuthentication(app, context);
  healthRoutes(app, { store, pipeline, markets: host.markets, interties });
  validateRoutes(app, pipeline);
  xmlRoute(app, pipeline, EI_ROUTE, eiRoute({ ...context, quotes }, pipeline));
  xmlRoute(app, pipeline, OPENADR_ROUTE, oadrRoute(context));
  jsonRoutes(app, context);
  marketRoutes(app, context);
  intertieRoutes(app, context, interties);
  metrics.readFrom({
    markets: () => host.markets, interties, storeOk: () => store.health().ok,
    backlog: async () => ({ distributes: (await oadrCollections.pendingDistributes.list(store)).length, queued: (await oadrCollections.oadrQueue.list(store)).length }),
  });
  metricsRoutes(app, metrics);
  operatorRoutes(app, context);
  dashboardRoutes(app, context, { interties, readings: (now, recent) => oadrReadings(store, now, recent) });
  await oauthRoutes(app, context);
  await app.ready();
}
