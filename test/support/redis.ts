import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

/** A Redis server of the tests' own: never the one that may run on 127.0.0.1:6379. */
export interface TestRedis {
  readonly url: string;
  /** Stops the server (SIGKILL when `hard`); `start` brings it back on the same port and data. */
  stop(hard?: boolean): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The server's process ID, when the tests started it. */
  pid(): number | undefined;
}

const hasBinary = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Why Redis tests cannot run here, or undefined when they can. CI sets MICROMARKET_REQUIRE_REDIS,
 * which turns the reason into a failure instead of a skip.
 */
export const redisUnavailable = hasBinary || process.env.MICROMARKET_TEST_REDIS_URL
  ? undefined
  : 'no redis-server binary (Debian package redis-server) and no MICROMARKET_TEST_REDIS_URL: Redis store tests SKIPPED';
/** Why the Redis Cluster tests cannot run: they start their own nodes, so they need the binary (an external URL is one server). */
export const clusterUnavailable = hasBinary ? undefined : 'no redis-server binary (Debian package redis-server): Redis Cluster tests SKIPPED';
for (const reason of new Set([redisUnavailable, clusterUnavailable])) {
  if (!reason) continue;
  if (process.env.MICROMARKET_REQUIRE_REDIS) throw new Error(reason.replace('SKIPPED', 'required by MICROMARKET_REQUIRE_REDIS'));
  console.warn(`\n*** ${reason} ***\n`);
}


async function untilReady(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis at ${url} did not come up`);
}

/**
 * Starts a private redis-server on a free port, persisting as the service needs it (AOF, fsync on
 * every write), in a temporary directory; or uses MICROMARKET_TEST_REDIS_URL when there is no binary.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const external = process.env.MICROMARKET_TEST_REDIS_URL;
  if (!hasBinary && external) {
    return { url: external, stop: async () => { throw new Error('cannot stop an external Redis'); }, start: async () => {}, close: async () => {}, pid: () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'mm-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
    await untilReady(url);
  };
  const stop = async (hard = false) => {
    const exited = new Promise((r) => server?.once('exit', r));
    server?.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
    server = undefined;
  };
  await start();
  return { url, start, stop, pid: () => server?.pid, async close() {
    if (server) await stop();
    await rm(dir, { recursive: true, force: true });
  } };
}

/** A Redis Cluster of the tests' own: `url` is the service's redis+cluster:// form. */
export interface TestCluster {
  readonly url: string;
  /** One client per master node, to see where keys went. */
  masters(): Promise<Redis[]>;
  close(): Promise<void>;
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10000 > 65535) continue;
    const bus = createServer();
    const free = await new Promise<boolean>((r) => bus.once('error', () => r(false)).listen(port + 10000, '127.0.0.1', () => r(true)));
    if (free) {
      await new Promise((r) => bus.close(r));
      return port;
    }
  }
}

/** Starts `size` redis-server nodes in cluster mode (AOF, fsync always) and joins them, each a master of a third of the slots. */
export async function startTestCluster(size = 3): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < size; i++) ports.push(await clusterPort());
  const servers = ports.map((port) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--appendonly', 'yes', '--appendfilename', `aof-${port}`,
    '--appenddirname', `aof-${port}`, '--appendfsync', 'always'], { stdio: 'ignore' }));
  await Promise.all(ports.map((port) => untilReady(`redis://127.0.0.1:${port}`)));
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  const clients = ports.map((port) => new Redis(`redis://127.0.0.1:${port}`));
  for (let i = 0; i < 200; i++) {
    const states = await Promise.all(clients.map(async (c) => /cluster_state:ok/.test(await c.cluster('INFO') as string)));
    if (states.every(Boolean)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    masters: async () => clients,
    async close() {
      clients.forEach((c) => c.disconnect());
      await Promise.all(servers.map((s) => {
        const exited = new Promise((r) => s.once('exit', r));
        s.kill('SIGTERM');
        return exited;
      }));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
