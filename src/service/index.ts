import { defaultQuotas, type Quotas } from '../host/quotas.js';
import { forgetOldAnswers } from '../host/requests.js';
import type { FastifyInstance } from 'fastify';
import { pino, type LoggerOptions } from 'pino';
import { TokenService } from '../auth/tokens.js';
import { QuoteDistributor } from '../ei/quote-distribution.js';
import type { ServiceContext } from '../host/context.js';
import { GateJobs } from '../host/jobs.js';
import { MarketHost } from '../host/markets.js';
import { GateScheduler, type GateWork } from '../host/scheduler.js';
import { IntertieAgent } from '../intertie/agent.js';
import { intertiesOf } from '../intertie/links.js';
import { injectFetch } from '../intertie/local-fetch.js';
import { cancelEvents, eventWrites } from '../openadr/event-issuer.js';
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
import { ServiceMetrics } from './metrics.js';
import { createApp, registerRoutes, type TlsOptions } from './server.js';

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
  /** pino options (true: level info), or false for no log. @default false */
  readonly logger?: boolean | LoggerOptions;
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
  readonly tls?: TlsOptions;
  /** What one party may hold and ask (src/host/quotas.ts); each one left out takes its default. */
  readonly quotas?: Partial<Quotas>;
  /**
   * How long a request's first answer is kept for its retries, in service time; a retry after it is a
   * new request. @default 86400000 (24 hours)
   */
  readonly retryWindowMs?: number;
  /** Real time (ms): token lifetimes and request rates. @default Date.now */
  readonly wallClock?: () => number;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly context: ServiceContext;
  readonly scheduler: GateScheduler;
  /** The nested markets' agent, when a market has an intertie. */
  readonly interties: IntertieAgent | undefined;
  /** Stops the scheduler and the server, then closes the store. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Assembles the service: schemas, market rules (throws RulesError when invalid), the store, the
 * token signer, the markets (their command logs replayed), HTTP, and the gate scheduler.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const schemas = SchemaSet.load();
  const pipeline = new XmlPipeline(schemas);
  const setups = await loadMarketRules(options.rulesDir, pipeline);
  const store: Store = options.redis ? await RedisStore.open(options.redis) : await EmbeddedStore.open({ dir: options.dataDir });
  let leases: Leases = localLeases;
  try {
    if (options.redis) leases = await RedisLeases.open(options.redis);
    const tokens = await TokenService.forDataDir(options.dataDir);
    const host = await MarketHost.open(setups, store, leases);
    const log = options.logger ? pino({ level: 'info', ...(options.logger === true ? {} : options.logger) }) : undefined;
    const context: ServiceContext = {
      store, host, tokens, clock: options.clock ?? Date.now, wallClock: options.wallClock ?? Date.now, log: log ?? pino({ enabled: false }),
      quotas: { ...defaultQuotas, ...options.quotas },
      // A party leaving markets (EiEnroll) has its coming OpenADR events there cancelled in the same commit.
      hooks: { partyLeft: [(partyID, markets, now) => cancelEvents(store, partyID, markets.map((m) => m.rules.id), now)] },
    };
    const app = createApp(pipeline, log, options.tls);
    // A local parent is reached through this service's own routes, in process.
    const links = intertiesOf(host, injectFetch(app), tokens, Date.now, options.env);
    const interties = links.length > 0 ? new IntertieAgent(links, host, store, context.log) : undefined;
    const readings = () => interties?.readings() ?? [];
    const quotes = new QuoteDistributor(store, pipeline, context.log);
    const metrics = new ServiceMetrics();
    const reader = options.xmlWorkers === 0 ? inlineReader(pipeline) : new XmlReadPool(pipeline.limits, options.xmlWorkers);
    await registerRoutes(app, { context, quotes, pipeline, reader, metrics, interties: readings });
    const pusher = new Pusher(context, pipeline, context.log);
    const work: GateWork = {
      publisher: quotes,
      followUps: [(market, now) => eventWrites(store, market, host.setup(market).simpleLevels, now)],
      after: [(now) => pusher.push(now), async (now) => {
        await forgetOldAnswers(store, now, options.retryWindowMs ?? DAY_MS);
      }],
      ...(interties ? { tree: interties } : {}),
      timed: (market, seconds) => metrics.gateSeconds.observe({ market }, seconds),
    };
    const scheduler = new GateScheduler(context, work);
    const everyMs = options.gateTickMs ?? 250;
    const jobs = everyMs > 0 && options.redis
      ? await GateJobs.start({ ...options.redis, everyMs, lockMs: options.redis.jobLockMs }, scheduler, context, work, leases) : undefined;
    if (everyMs > 0 && !jobs) scheduler.start(everyMs);
    return {
      app, context, scheduler, interties,
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
