/** `micromarket powermatcher` as its own process, in front of a `micromarket serve` process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/auth/tokens.js';
import { clockArgs, spawnServe, stopProcess, type Instance } from '../support/instances.js';
import { freePort } from '../support/ports.js';
import { Agent, basis101 } from '../support/powermatcher.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/micromarket.js', import.meta.url));

/** The adapter says where it listens once it has read the market's rules and checked its token. */
const listening = (adapter: ChildProcess) => new Promise<string>((resolve, reject) => {
  let said = '';
  adapter.stderr!.on('data', (chunk: Buffer) => {
    said += chunk.toString();
    const match = /(ws:\/\/\S+)\/powermatcher\/websocket/.exec(said);
    if (match) resolve(match[1]!);
  });
  adapter.once('exit', () => reject(new Error(`the adapter exited: ${said}`)));
});

describe('micromarket powermatcher', () => {
  let dir: string;
  let service: Instance;
  let adapter: ChildProcess;
  let tokens: TokenService;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-pm-cli-'));
    tokens = await TokenService.forDataDir(dir);
    const clock = clockArgs(Date.UTC(2026, 10, 23, 12, 0), 1, Date.now());
    service = await spawnServe(await freePort(), ['--data', dir, ...clock]);
    await writeFile(join(dir, 'adapter.token'), await tokens.issue('powermatcher', ['quote'], Date.now(), 3600));
    // An unmodified PowerMatcher client sends agentId and connectionId only: the operator configures its token.
    await writeFile(join(dir, 'agents.json'), JSON.stringify({ fridge: await tokens.issue('fridge', ['register', 'enroll', 'tender', 'quote'], Date.now(), 3600) }));
    const port = await freePort();
    adapter = spawn(process.execPath, [cli, 'powermatcher', '--service', service.base, '--market', 'urn:micromarket:home', '--token-file', join(dir, 'adapter.token'), '--agent-tokens', join(dir, 'agents.json'),
      '--port', String(port), '--min-price-update-ms', '50', '--log-level', 'warn', ...clock], { stdio: ['ignore', 'ignore', 'pipe'] });
    url = await listening(adapter);
  });
  afterAll(async () => {
    if (adapter) await stopProcess(adapter, 'SIGTERM');
    if (service) await stopProcess(service.process, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves PowerMatcher agents from its own process: CLUSTERINFO, then the auction\'s price for their bids', async () => {
    const token = await tokens.issue('boiler', ['register', 'enroll', 'tender', 'quote'], Date.now(), 3600);
    const agent = await Agent.connect(url, `agentId=boiler&connectionId=1&token=${token}`);
    expect((await agent.next((f) => f.payloadType === 'CLUSTERINFO', true)).payload.marketBasis).toEqual(basis101);
    // 3 kW up to 0.20 and nothing above: alone it is flat at zero from 0.21 to 1.00, priced at the midpoint.
    agent.bid(1, { demand: Array.from({ length: 101 }, (_, i) => (i <= 20 ? 3 : 0)) });
    expect(await agent.price(1)).toBeCloseTo((0.21 + 1) / 2, 6);
    await agent.close();
  });

  it('knows an agent that sends only agentId and connectionId by the token configured for it', async () => {
    const agent = await Agent.connect(url, 'agentId=fridge&connectionId=7');
    agent.bid(1, { demand: Array.from({ length: 101 }, (_, i) => (i <= 40 ? 1 : 0)) });
    expect(await agent.price(1)).toBeCloseTo((0.41 + 1) / 2, 6);
    await agent.close();
  });

  it('checks its own token at start: any party with the quote scope serves, others exit 1 with the reason', async () => {
    const start = async (token: string) => {
      await writeFile(join(dir, 'other.token'), token);
      return spawnSync(process.execPath, [cli, 'powermatcher', '--service', service.base, '--market', 'urn:micromarket:home', '--token-file', join(dir, 'other.token'),
        '--port', String(await freePort())], { encoding: 'utf8', timeout: 30_000 });
    };
    const noQuote = await start(await tokens.issue('aggregator-x', ['tender'], Date.now(), 3600));
    expect(noQuote.status).toBe(1);
    expect(noQuote.stderr).toBe('micromarket powermatcher: the adapter\'s token (party aggregator-x) has scopes tender; it needs quote, to read the market\'s prices\n');
    const foreign = await TokenService.forDataDir(await mkdtemp(join(tmpdir(), 'mm-other-key-')));
    const unsigned = await start(await foreign.issue('aggregator-x', ['quote'], Date.now(), 3600));
    expect(unsigned.status).toBe(1);
    expect(unsigned.stderr).toMatch(/^micromarket powermatcher: the service refused the adapter's token \(party aggregator-x\): .*MM_ERR_AUTH/);
    // Another party than "powermatcher", with the quote scope: the adapter acts as that party and serves.
    await writeFile(join(dir, 'agg.token'), await tokens.issue('aggregator-x', ['quote'], Date.now(), 3600));
    const other = spawn(process.execPath, [cli, 'powermatcher', '--service', service.base, '--market', 'urn:micromarket:home', '--token-file', join(dir, 'agg.token'),
      '--agent-tokens', join(dir, 'agents.json'), '--port', String(await freePort()), '--min-price-update-ms', '50', ...clockArgs(Date.UTC(2026, 10, 23, 12, 0), 1, Date.now())],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const otherUrl = await listening(other);
      const agent = await Agent.connect(otherUrl, 'agentId=fridge&connectionId=8');
      agent.bid(1, { demand: Array.from({ length: 101 }, (_, i) => (i <= 40 ? 1 : 0)) });
      expect(await agent.price(1)).toBeCloseTo((0.41 + 1) / 2, 6);
      await agent.close();
    } finally {
      await stopProcess(other, 'SIGTERM');
    }
  });

  it('refuses a connection without an agentId or a token', async () => {
    const closed = async (query: string) => {
      const agent = await Agent.connect(url, query);
      return new Promise<[number, string]>((resolve) => agent.socket.once('close', (code, reason) => resolve([code, reason.toString()])));
    };
    expect(await closed('connectionId=1')).toEqual([1008, 'agentId is required']);
    expect((await closed('agentId=boiler'))[0]).toBe(1008);
  });
});
