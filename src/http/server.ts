import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Market } from '../market/market.js';
import type { Store } from '../store/store.js';
import type { XmlPipeline } from '../xml/pipeline.js';
import { registerErrorHandling } from './error-handler.js';
import { healthRoutes } from './routes/health.js';
import { validateRoutes } from './routes/validate.js';
import { registerXmlBody } from './xml-body.js';

export interface ServerOptions {
  readonly store: Store;
  readonly pipeline: XmlPipeline;
  /** The markets the service runs, built from the rule files. */
  readonly markets: readonly Market[];
  /**
   * pino logger options, or false for none.
   * @default false
   */
  readonly logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP service. The caller owns the store and closes it after the server. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.pipeline.limits.maxBytes,
    // Clients and load balancers should see a slow client time out, not hold a socket forever.
    requestTimeout: 30_000,
  });
  registerXmlBody(app, options.pipeline);
  registerErrorHandling(app, options.pipeline);
  healthRoutes(app, options);
  validateRoutes(app, options);
  await app.ready();
  return app;
}
