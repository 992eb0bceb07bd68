import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenService } from '../../src/auth/tokens.js';
import { MicromarketClient } from '../../src/client/index.js';
import { enrollApproved } from './enrollment.js';
import { freePort } from './ports.js';
import type { TestRedis } from './redis.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/src/cli/micromarket.js');

/** One `micromarket serve` process. */
export interface Instance {
  readonly base: string;
  readonly process: ChildProcess;
  /** Its log lines (JSON), as written so far. */
  readonly logs: string[];
}

/** Several service processes on one Redis namespace, sharing a data directory (so one token key) and one market clock. */
export interface Cluster {
  readonly instances: Instance[];
  /** Their shared data directory (the token signing key). */
  readonly dataDir: string;
  /** Their Redis namespace. */
  readonly namespace: string;
  readonly operatorToken: string;
  /** Market time now, as every instance reads it. */
  now(): number;
  /** Moves every instance's market clock to `at` (it stands still otherwise). */
  setTime(at: number): Promise<void>;
  /** Starts (or restarts) instance `i` on its port. */
  start(i: number): Promise<Instance>;
  /** SIGKILLs instance `i` and waits for it to be gone. */
  kill(i: number): Promise<void>;
  /** A registered party with client credentials (created through instance `via`), as an SDK client of instance `via`. */
  party(via: number, partyID: string, scopes?: string[], transportAddress?: string): Promise<MicromarketClient>;
  /** The same party's client on another instance. */
  clientOf(client: MicromarketClient, via: number): MicromarketClient;
  enrollApproved(via: number, client: MicromarketClient, marketContext: string): Promise<void>;
  close(): Promise<void>;
}


export interface ClusterOptions {
  /** Market time when the cluster starts; it stands still until the test moves it (Cluster.setTime). */
  readonly clockStart: number;
  /** @default 2000 */
  readonly jobLockMs?: number;
  /** @default the example markets */
  readonly rulesDir?: string;
}

let clusters = 0;

/**
 * A market clock that processes share through a file (serve --clock-file): it stands still until
 * the test moves it, so what a test does before a gate closes never races the wall clock.
 */
export class FileClock {
  private constructor(readonly file: string, private at: number) {}

  static async create(dir: string, at: number): Promise<FileClock> {
    const clock = new FileClock(join(dir, 'market-clock'), at);
    await clock.set(at);
    return clock;
  }

  get args(): string[] {
    return ['--clock-file', this.file];
  }

  now(): number {
    return this.at;
  }

  /** Moves the clock; every process reads the new time from its next reading on (the file is replaced whole). */
  async set(at: number): Promise<void> {
    await writeFile(`${this.file}.next`, new Date(at).toISOString());
    await rename(`${this.file}.next`, this.file);
    this.at = at;
  }
}

/** The options that give service processes one shared, accelerated market clock. */
export const clockArgs = (start: number, speed: number, origin: number): string[] =>
  ['--clock-start', new Date(start).toISOString(), '--clock-speed', String(speed), '--clock-origin', new Date(origin).toISOString()];

/** Starts `micromarket serve --port PORT ...args` (logging at info) and waits until it answers /healthz. */
export async function spawnServe(port: number, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Instance> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const logs: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    logs.push(...lines);
  });
  child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`serve on ${port} exited: ${logs.join('\n')}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (tries > 200) throw new Error(`serve on ${port} did not come up: ${logs.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { base, process: child, logs };
}

/** SIGKILLs (or with `signal`, stops) a service process and waits for it to be gone. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await gone;
}

export async function startCluster(redis: TestRedis, count: number, options: ClusterOptions): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-cluster-'));
  const tokens = await TokenService.forDataDir(dir);
  const operatorToken = await tokens.issue('operator', ['operator'], Date.now(), 24 * 3600);
  const namespace = `cluster-${process.pid}-${++clusters}`;
  const clock = await FileClock.create(dir, options.clockStart);
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const instances: Instance[] = [];
  const credentials = new Map<string, { clientId: string; clientSecret: string }>();

  const start = async (i: number): Promise<Instance> => (instances[i] = await spawnServe(ports[i]!, ['--redis', redis.url, '--namespace', namespace,
    '--data', dir, '--job-lock-ms', String(options.jobLockMs ?? 2000), '--xml-workers', '0', ...clock.args,
    ...(options.rulesDir ? ['--rules', options.rulesDir] : [])]));

  for (let i = 0; i < count; i++) await start(i);
  // One client per party and instance, so each fetches its token once.
  const clients = new Map<string, MicromarketClient>();
  const clientOn = (via: number, partyID: string) => {
    const key = `${via}/${partyID}`;
    if (!clients.has(key)) clients.set(key, new MicromarketClient({ baseUrl: instances[via]!.base, partyID, credentials: credentials.get(partyID)! }));
    return clients.get(key)!;
  };
  return {
    instances, operatorToken, start, dataDir: dir, namespace,
    now: () => clock.now(),
    setTime: (at) => clock.set(at),
    kill: (i) => stopProcess(instances[i]!.process),
    async party(via, partyID, scopes = ['register', 'enroll', 'tender', 'quote', 'avail'], transportAddress) {
      const res = await fetch(`${instances[via]!.base}/oauth/clients`, { method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` }, body: JSON.stringify({ partyID, scopes }) });
      const { client_id: clientId, client_secret: clientSecret } = await res.json() as { client_id: string; client_secret: string };
      credentials.set(partyID, { clientId, clientSecret });
      const client = clientOn(via, partyID);
      await client.register({ partyName: partyID, partyRoles: ['consumer'], ...(transportAddress ? { transportAddress } : {}) });
      return client;
    },
    clientOf: (client, via) => clientOn(via, client.partyID),
    enrollApproved: (via, client, marketContext) =>
      enrollApproved(client, new MicromarketClient({ baseUrl: instances[via]!.base, partyID: 'operator', token: operatorToken }), marketContext, clock.now()),
    async close() {
      await Promise.all(instances.map((instance) => stopProcess(instance.process, 'SIGTERM')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
