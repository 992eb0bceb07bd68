import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { TokenService } from '../auth/tokens.js';
import { MarketHost } from '../host/markets.js';
import type { EiServices } from '../ei/operation.js';
import { QuoteDistributor } from '../ei/quote-distribution.js';
import { GateJobs } from '../host/jobs.js';
import { GateScheduler } from '../host/scheduler.js';
import { IntertieAgent } from '../intertie/agent.js';
import { intertiesOf } from '../intertie/links.js';
import { buildServer } from './server.js';
import { ServiceMetrics } from './metrics.js';
import { eventWrites } from '../openadr/event-issuer.js';
import { Pusher } from '../openadr/push.js';
import { loadMarketRules } from '../rules/load.js';
import { EmbeddedStore } from '../store/embedded-store.js';
import { localLeases, type Leases } from '../store/leases.js';
import { RedisLeases } from '../store/redis-leases.js';
import { RedisStore, type RedisStoreOptions } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import { XmlPipeline } from '../xml/pipeline.js';
import { inlineReader, XmlReadPool } from '../xml/read-pool.js';
import { SchemaSet } from '../xml/schema-set.js';

export interface ServiceOptions {
  /** Data directory: the embedded store's files and the token signing key. */
  readonly dataDir: string;
  /**
   * Keep all state in Redis instead of the embedded store; several instances may share it (they
   * need the same token signing key: the same `jwt-signing.key` in their data directories).
   */
  readonly redis?: RedisStoreOptions & {
    /** How long a gate job's lock lasts unrenewed: how soon the job of an instance that died runs on another. @default 30000 */
    readonly jobLockMs?: number;
  };
  readonly rulesDir: string;
  /** @default false */
  readonly logger?: FastifyServerOptions['logger'];
  /** The service's clock in ms. @default Date.now */
  readonly clock?: () => number;
  /**
   * How often gates are closed: by a timer, or on Redis by BullMQ jobs shared by the instances.
   * @default 250 ms; 0 disables it (tests drive `scheduler.tick`).
   */
  readonly gateTickMs?: number;
  /**
   * Worker threads that read XML bodies; 0 reads on the service's thread.
   * @default one per CPU but one, at least one
   */
  readonly xmlWorkers?: number;
  /** Where remote interties' client secrets are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** HTTPS, optionally with client certificates issued by `ca`. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };
}

export interface Service {
  readonly app: FastifyInstance;
  readonly services: EiServices;
  readonly scheduler: GateScheduler;
  /** The nested markets' agent, when a market has an intertie. */
  readonly interties: IntertieAgent | undefined;
  /** Stops the scheduler and the server, then closes the store. */
  close(): Promise<void>;
}

/**
 * Assembles the service: schemas, market rules (throws RulesError when invalid), the store, the
 * token signer, the markets (their command logs replayed), HTTP, and the gate scheduler.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const schemas = SchemaSet.load();
  const pipeline = new XmlPipeline(schemas);
  const rules = await loadMarketRules(options.rulesDir, pipeline);
  const store: Store = options.redis ? await RedisStore.open(options.redis) : await EmbeddedStore.open({ dir: options.dataDir });
  let leases: Leases = localLeases;
  try {
    if (options.redis) leases = await RedisLeases.open(options.redis);
    const tokens = await TokenService.forDataDir(options.dataDir);
    const host = await MarketHost.open(rules, store, leases);
    const clock = options.clock ?? Date.now;
    const reader = options.xmlWorkers === 0 ? inlineReader(pipeline) : new XmlReadPool(pipeline.limits, options.xmlWorkers);
    let services: EiServices | undefined;
    let interties: IntertieAgent | undefined;
    // Local parents are reached through the app's own routes, once it is built.
    const links = intertiesOf(host, () => app, tokens, Date.now, options.env);
    const metrics = new ServiceMetrics();
    const app: FastifyInstance = await buildServer({ store, pipeline, reader, metrics, logger: options.logger ?? false, ...(options.tls ? { tls: options.tls } : {}),
      ei: (log) => (services = { store, host, tokens, clock, wallClock: Date.now, log, quotes: new QuoteDistributor(store, pipeline, log) }),
      interties: () => interties?.readings() ?? [] });
    interties = links.length > 0 ? new IntertieAgent(links, host, store, services!.log) : undefined;
    const pusher = new Pusher(host, store, pipeline, services!.log);
    const push = (now: number) => pusher.push(now);
    const scheduler = new GateScheduler(services!, [(market, now) => eventWrites(store, market, now)], [push], interties,
      (market, seconds) => metrics.gateSeconds.observe({ market }, seconds));
    const everyMs = options.gateTickMs ?? 250;
    const jobs = everyMs > 0 && options.redis
      ? await GateJobs.start({ ...options.redis, everyMs, lockMs: options.redis.jobLockMs }, scheduler, services!, push, leases, interties) : undefined;
    if (everyMs > 0 && !jobs) scheduler.start(everyMs);
    return {
      app, services: services!, scheduler, interties,
      async close() {
        await jobs?.close();
        await scheduler.stop();
        interties?.close();
        await app.close();
        await reader.close();
        await host.close();
        await store.close();
        schemas.dispose();
      },
    };
  } catch (error) {
    await leases.close();
    await store.close();
    throw error;
  }
}

/**
 * A clock that reads `start` at real time `origin` (default: now) and runs `speed` times as fast as
 * real time (demos and tests). Instances given the same three values agree.
 */
export function acceleratedClock(start: number, speed: number, real: () => number = Date.now, origin = real()): () => number {
  return () => start + Math.floor((real() - origin) * speed);
}
