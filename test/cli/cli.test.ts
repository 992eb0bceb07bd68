import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TokenService } from '../../src/auth/tokens.js';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['dist/src/cli/micromarket.js', ...args], { cwd: root, encoding: 'utf8' });

describe('micromarket CLI', () => {
  it.each([[], ['serve'], ['validate']])('answers --help for %j with usage and exit 0', (...command) => {
    const result = cli(...command, '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: micromarket/);
  });

  it('prints FILE: valid for each valid file and exits 0', () => {
    const result = cli('validate', 'test/fixtures/valid/eiCreateTender.xml', 'test/fixtures/valid/eiCreateAvail.xml');
    expect(result.stdout).toBe('test/fixtures/valid/eiCreateTender.xml: valid\ntest/fixtures/valid/eiCreateAvail.xml: valid\n');
    expect(result.status).toBe(0);
  });

  it('prints FILE:LINE: reason for invalid files and exits 1', () => {
    const result = cli('validate', 'test/fixtures/valid/eiCreateTender.xml', 'test/fixtures/invalid/side-not-enumerated.xml', 'missing.xml');
    expect(result.stdout.split('\n')).toEqual([
      'test/fixtures/valid/eiCreateTender.xml: valid',
      "test/fixtures/invalid/side-not-enumerated.xml:24: not valid: Element 'emix:side': [facet 'enumeration'] The value 'both' is not an element of the set {'buy', 'sell'}.",
      'missing.xml: no such file',
      '',
    ]);
    expect(result.status).toBe(1);
  });

  it('checks market rule files too, one line per problem', () => {
    const result = cli('validate', 'market-rules/home.xml', 'test/fixtures/valid/eiCreateAvail.xml');
    expect(result.stdout).toBe('market-rules/home.xml: valid\ntest/fixtures/valid/eiCreateAvail.xml: valid\n');
    expect(result.status).toBe(0);
  });

  it('checks a rule directory as the service loads it, and a rule file among its siblings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-validate-'));
    try {
      for (const name of await readdir(join(root, 'market-rules/nested'))) {
        if (name.endsWith('.xml')) await copyFile(join(root, 'market-rules/nested', name), join(dir, name));
      }
      expect(cli('validate', dir)).toMatchObject({ status: 0, stdout: `${dir}: valid\n` });
      // home-1's gate closing before its parent's (a longer gateClosure than feeder-north's), and campus's parent gone.
      const home1 = join(dir, 'home-1.xml');
      const xml = await readFile(home1, 'utf8');
      await writeFile(home1, xml.replace(/(<rules:gateClosure><xcal:duration>)[^<]+/, '$1PT1H'));
      await rm(join(dir, 'substation.xml'));
      const line = (file: string) => async () => (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes('<rules:intertie>')) + 1;
      const byDir = cli('validate', dir);
      expect(byDir.status).toBe(1);
      expect(byDir.stdout).toContain(`${home1}:${await line(home1)()}: intertie the gate of feeder-north must close before this market's`);
      expect(byDir.stdout).toContain(`${join(dir, 'feeder-north.xml')}:${await line(join(dir, 'feeder-north.xml'))()}: intertie no market substation in the rules`);
      // The same messages for the file alone, and from serve.
      const byFile = cli('validate', home1);
      expect(byFile.status).toBe(1);
      expect(byFile.stdout).toBe(`${home1}:${await line(home1)()}: intertie the gate of feeder-north must close before this market's (a longer gateClosure)\n`);
      expect(cli('serve', '--rules', dir, '--port', '0', '--data', dir).stderr).toContain(byFile.stdout.trim());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to serve invalid market rules, naming the file and line', () => {
    const result = cli('serve', '--rules', 'test/fixtures/valid', '--port', '0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('eiCreateAvail.xml:1: not a market rule file');
  });

  it('issues operator tokens the service accepts, signed with the key in the data directory', async () => {
    const data = await mkdtemp(join(tmpdir(), 'mm-token-'));
    const result = cli('token', '--party', 'ven-7', '--scope', 'tender,quote', '--data', data, '--lifetime', '120');
    expect(result.status).toBe(0);
    const principal = await (await TokenService.forDataDir(data)).verify(result.stdout.trim(), Date.now());
    expect({ party: principal.partyID, scopes: [...principal.scopes] }).toEqual({ party: 'ven-7', scopes: ['tender', 'quote'] });
    expect(cli('token', '--party', 'x', '--scope', 'root', '--data', data).stderr).toContain('unknown scope root');
    // A name outside the party-ID grammar is refused, as at every other door.
    const slash = cli('token', '--party', 'pb/x', '--scope', 'tender', '--data', data);
    expect(slash.status).toBe(2);
    expect(slash.stderr).toContain('--party: a party ID is 1 to 128 letters, digits or . : @ _ -, not "pb/x"');
    await rm(data, { recursive: true, force: true });
  });

  it('exits 2 with a hint on usage errors', () => {
    expect(cli('validate').status).toBe(2);
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(cli('serve', '--bogus').status).toBe(2);
  });

  it('exits 1 with the reason, not a stack trace, when a command cannot go on', async () => {
    const port = await freePort(); // nothing listens there
    const result = spawnSync(process.execPath, ['dist/src/cli/micromarket.js', 'cta2045', 'bridge', '--ven', 'v', '--device', `wh=tcp://127.0.0.1:${port}`,
      '--service', `http://127.0.0.1:${port}`], { cwd: root, encoding: 'utf8', env: { ...process.env, MICROMARKET_TOKEN: 'any' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('micromarket cta2045: service unreachable: fetch failed\n');
  });
});

describe('micromarket serve', () => {
  // Each start-up failure ends the process (spawnSync returns) with status 1 or 2 and one line; nothing hangs.
  const failing = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['dist/src/cli/micromarket.js', 'serve', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stderr: result.stderr.trim() };
  };

  it('exits at once with one clear line on every start-up failure', async () => {
    const data = await mkdtemp(join(tmpdir(), 'mm-serve-fail-'));
    const empty = await mkdtemp(join(tmpdir(), 'mm-rules-empty-'));
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const busy = (taken.address() as { port: number }).port;
    const closed = await freePort(); // nothing listens there
    try {
      expect(failing('--port', '99999', '--data', data)).toEqual({ status: 2, stderr: expect.stringMatching(/^micromarket: --port must be 0-65535, not 99999\n/) });
      expect(failing('--port', 'http', '--data', data).status).toBe(2);
      expect(failing('--port', String(busy), '--data', data)).toEqual({ status: 1, stderr: `micromarket serve: listen EADDRINUSE: address already in use 127.0.0.1:${busy}` });
      expect(failing('--port', '0', '--data', data, '--redis', `redis://127.0.0.1:${closed}`))
        .toEqual({ status: 1, stderr: `micromarket serve: Redis at redis://127.0.0.1:${closed} is unreachable: connect ECONNREFUSED 127.0.0.1:${closed}` });
      expect(failing('--port', '0', '--data', data, '--rules', empty)).toEqual({ status: 1, stderr: `micromarket: invalid market rules:\n${empty}: no market rule files (*.xml) in this directory` });
      expect(failing('--port', '0', '--data', data, '--rules', join(empty, 'nowhere'))).toEqual({ status: 1, stderr: `micromarket: invalid market rules:\n${join(empty, 'nowhere')}: no such directory` });
      expect(failing('--port', '0', '--data', data, '--log-level', 'loud').status).toBe(2);
    } finally {
      taken.close();
      await rm(data, { recursive: true, force: true });
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('serves /healthz on the embedded store and stops cleanly on SIGTERM', async () => {
    const data = await mkdtemp(join(tmpdir(), 'mm-serve-'));
    const child = spawn(process.execPath, ['dist/src/cli/micromarket.js', 'serve', '--port', '0', '--data', data], { cwd: root });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          if (entry.msg === 'micromarket serving') resolve(entry.address!);
        });
        child.on('exit', () => reject(new Error('serve exited early')));
      });
      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', store: { detail: { dir: data } }, markets: [
        { id: 'district-heat', clearing: 'call' }, { id: 'feeder-7', clearing: 'continuous' }, { id: 'home', clearing: 'call' }] });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await readdir(data)).not.toContain('LOCK');
    } finally {
      child.kill('SIGKILL');
      await rm(data, { recursive: true, force: true });
    }
  });
});
