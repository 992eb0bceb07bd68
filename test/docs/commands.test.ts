import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { missing } from '../support/system.js';

/**
 * The commands of the README's quick start and of docs/getting-started.md, run as written (the port
 * and data directory set through the environment they document), and getting started's SDK snippet.
 * Left out: `npm install` (done), `npm test` (this run) and `npm run demo` (test/demo/demo.test.ts runs
 * `micromarket demo` as a process).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const noCurl = missing('curl', 'curl', 'the README and getting-started commands');

async function commandsOf(doc: string): Promise<string[]> {
  const text = await readFile(join(root, doc), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

describe.skipIf(noCurl)('the commands the README and getting started give', () => {
  let work: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let service: ChildProcess | undefined;
  const outputs = new Map<string, string>();

  const run = (line: string) => {
    const result = spawnSync('sh', ['-c', line.replaceAll('8080', String(port)).replaceAll('@test/', `@${root}test/`)],
      { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    expect({ line, status: result.status, stderr: result.stderr }).toMatchObject({ line, status: 0 });
    outputs.set(line, result.stdout);
  };

  /** `npm start` is its package.json script: its prestart build is what `npm install` already did. */
  async function start(): Promise<void> {
    const script = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
    service = spawn('sh', ['-c', script], { cwd: root, env, stdio: 'ignore' });
    for (let tries = 0; ; tries++) {
      if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return;
      if (tries > 300 || service.exitCode !== null) throw new Error('npm start did not serve');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    await mkdir(join(root, 'test-artifacts'), { recursive: true });
    work = await mkdtemp(join(root, 'test-artifacts', 'doc-commands-'));
    port = await freePort();
    env = { ...process.env, MICROMARKET_PORT: String(port), MICROMARKET_DATA: join(work, 'data') };
  });
  afterAll(async () => {
    if (service && service.exitCode === null) {
      const gone = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await gone;
    }
    await rm(work, { recursive: true, force: true });
  });

  it('runs every command of the README quick start and of getting started', async () => {
    const lines = [...await commandsOf('README.md'), ...await commandsOf('docs/getting-started.md')];
    expect(lines).toContain('npm install && npm start');
    for (const line of lines) {
      if (line === 'npm install && npm start') {
        if (!service) await start();
      } else if (line !== 'npm install && npm test' && line !== 'npm run demo') {
        run(line);
      }
    }
    expect(JSON.parse(outputs.get('curl -s http://127.0.0.1:8080/healthz')!)).toMatchObject({ status: 'ok' });
    expect([...outputs].find(([line]) => line.includes('/xml/validate'))?.[1]).toMatch(/valid/);
    expect((await readFile(join(work, 'building-b.token'), 'utf8')).split('.')).toHaveLength(3);
  });

  it('runs getting started\'s SDK example: the home auction\'s indicative price, to the market\'s precision', async () => {
    const doc = await readFile(join(root, 'docs/getting-started.md'), 'utf8');
    const snippet = /```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    await writeFile(join(work, 'getting-started.mjs'), snippet.replaceAll('8080', String(port)));
    const result = spawnSync(process.execPath, ['getting-started.mjs'], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    // Alone, a buy of 2 kW up to 0.30 leaves the curve at zero from 0.31 to 1.00: PowerMatcher's midpoint, 0.65.
    expect(result.stdout).toBe('0.65\n');
  });
});
