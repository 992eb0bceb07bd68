/**
 * Gate work as BullMQ jobs, for several instances on one Redis. Each market has a job scheduler
 * ('gates', every tick) and push delivery has one ('push'); BullMQ runs each occurrence on one
 * instance's worker. A gates job closes the market's gates (GateScheduler.closeGates) and queues a
 * 'quotes' job per quote outbox entry, with the entry as job ID so it is queued once. A worker that
 * dies mid-job holds its lock for at most `lockMs`: the job is then stalled and run again by another
 * instance, and every step is idempotent, so its effect happens once.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { keyBase, redisClient, type RedisClient } from '../store/redis-connection.js';
import type { Leases } from '../store/leases.js';
import type { ServiceContext } from './context.js';
import type { GateScheduler, GateWork } from './scheduler.js';

export interface GateJobOptions {
  readonly url: string;
  /** As the Redis store's namespace. @default 'mm' */
  readonly namespace?: string;
  readonly everyMs: number;
  /** How long a job's lock lasts unrenewed: how soon a dead worker's job runs elsewhere. @default 30000 */
  readonly lockMs?: number;
}

type GateJob = Job<{ marketID?: string; key?: string }>;

const QUEUE = 'gates';
/** BullMQ refuses ':' in job IDs. */
const jobID = (key: string) => `quotes-${key.replaceAll(':', '_')}`;

export class GateJobs {
  private constructor(private readonly queue: Queue, private readonly worker: Worker, private readonly connections: readonly RedisClient[]) {}

  static async start(options: GateJobOptions, scheduler: GateScheduler, services: ServiceContext, work: GateWork, leases: Leases): Promise<GateJobs> {
    // BullMQ's blocking worker connection must wait rather than fail a call.
    const [queueConnection, workerConnection] = [redisClient(options.url, 'blocking'), redisClient(options.url, 'blocking')];
    const prefix = `${keyBase(options.namespace ?? 'mm')}:jobs`;
    // No job is kept once done: a quotes job that failed (Redis away) is queued again by the market's next gates job.
    const queue = new Queue(QUEUE, { connection: queueConnection, prefix, defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
    queue.on('error', (error) => services.log.warn({ err: error.message }, 'job queue'));
    const { host, clock, log } = services;
    const { publisher, tree } = work;

    /** One instance at a time runs `step`; a tick that finds it busy skips. */
    const alone = async (name: string, step: () => Promise<unknown>): Promise<number> => {
      if (!await leases.tryAcquire(name, { wanted: () => {}, lost: () => {} })) return 0;
      try {
        await step();
      } finally {
        await leases.release(name);
      }
      return 1;
    };
    const run = async (job: GateJob): Promise<number> => {
      // Push alone, so a slow VEN is not sent the same message twice; interties alone, so a ladder is replaced once.
      if (job.name === 'push') return alone('push', () => scheduler.afterTick(clock()));
      if (job.name === 'interties') return alone('interties', () => tree!.up(clock()));
      const market = host.byId(job.data.marketID ?? '');
      if (!market) return 0; // a market no longer in the rules
      if (job.name === 'quotes') return publisher.deliver(market, job.data.key!);
      const now = clock();
      await tree?.down(market, now);
      const keys = await scheduler.closeGates(market, now);
      for (const key of keys) await queue.add('quotes', { marketID: market.rules.id, key }, { jobId: jobID(key) });
      return keys.length;
    };
    const lockDuration = options.lockMs ?? 30_000;
    const worker = new Worker(QUEUE, run, { connection: workerConnection, prefix, concurrency: 4,
      lockDuration, stalledInterval: Math.max(500, Math.floor(lockDuration / 2)) });
    worker.on('error', (error) => log.warn({ err: error.message }, 'job worker'));
    worker.on('failed', (job, error) => log.warn({ job: job?.name, market: job?.data.marketID, err: error.message }, 'job failed'));
    worker.on('stalled', (id) => log.warn({ job: id }, 'job stalled: its worker stopped; running it again'));

    for (const market of host.markets) {
      await queue.upsertJobScheduler(`gates-${market.rules.id}`, { every: options.everyMs }, { name: 'gates', data: { marketID: market.rules.id } });
    }
    await queue.upsertJobScheduler('push', { every: options.everyMs }, { name: 'push', data: {} });
    if (tree) await queue.upsertJobScheduler('interties', { every: options.everyMs }, { name: 'interties', data: {} });
    return new GateJobs(queue, worker, [queueConnection, workerConnection]);
  }

  /** Stops taking jobs (waiting for those running), then disconnects. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    await Promise.allSettled(this.connections.map((c) => c.quit()));
  }
}
