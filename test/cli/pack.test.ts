import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testService } from '../support/service.js';

/**
 * The package as npm publishes it: packed, installed elsewhere from the tarball and the npm cache
 * only (no registry), its CLI run, and its SDK imported and compiled against by a strict
 * TypeScript app through the declarations it ships. What `files` leaves out fails here.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const sh = (command: string, args: string[], cwd: string) => spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000 });

interface Lock { packages: Record<string, { dev?: boolean }> }
interface Manifest { version: string; license: string; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string> }

/**
 * An app that depends on the tarball, locked to the versions of this checkout's lockfile (its
 * non-dev entries), so that `npm ci --offline` takes every dependency from the cache `npm ci` filled.
 */
async function appOf(dir: string, tarball: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as Lock;
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest;
  const spec = `file:../${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { micromarket: spec } },
    'node_modules/micromarket': { version: manifest.version, resolved: spec, license: manifest.license, dependencies: manifest.dependencies,
      bin: manifest.bin, engines: manifest.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && !entry.dev) packages[path] = entry;
  const app = join(dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { micromarket: spec } }));
  await writeFile(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }));
  return app;
}

describe('the packed package', () => {
  let dir: string;
  let bin: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-pack-'));
    // --ignore-scripts: no prepare build here; the test run built dist/ already (pretest).
    const packed = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], root);
    expect(packed.status, packed.stderr).toBe(0);
    const app = await appOf(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    const installed = sh('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    expect(installed.status, installed.stderr).toBe(0);
    bin = join(app, 'node_modules', '.bin', 'micromarket');
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs its CLI: help, and validate on the rules and schemas it ships', async () => {
    const help = sh(bin, ['--help'], join(dir, 'app'));
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: micromarket COMMAND/);
    for (const command of ['serve', 'powermatcher', 'cta2045', 'demo']) expect(sh(bin, [command, '--help'], join(dir, 'app')).status).toBe(0);
    const rules = join(dir, 'app', 'node_modules', 'micromarket', 'market-rules');
    expect(await readdir(rules)).toContain('home.xml');
    const validated = sh(bin, ['validate', rules], join(dir, 'app'));
    expect(validated).toMatchObject({ status: 0, stdout: `${rules}: valid\n` });
  });

  it('serves its SDK as micromarket/client', async () => {
    const app = join(dir, 'app');
    await writeFile(join(app, 'sdk.mjs'), "import { MicromarketClient, curveProducts } from 'micromarket/client';\n"
      + "console.log(typeof MicromarketClient, typeof curveProducts);\n");
    expect(sh(process.execPath, ['sdk.mjs'], app)).toMatchObject({ status: 0, stdout: 'function function\n' });
  });

  it('types its SDK: a strict TypeScript app compiles against micromarket/client and runs against a service', async () => {
    const app = join(dir, 'app');
    // Its own compiler settings, strict and checking the declarations it is given (no skipLibCheck); the
    // Node types come from this checkout (the app's own would be a devDependency from the registry).
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false,
      lib: ['ES2023'], types: ['node'], typeRoots: [join(root, 'node_modules', '@types')], outDir: 'out' }, files: ['app.ts'] }));
    await writeFile(join(app, 'app.ts'), [
      "import { curveProducts, MicromarketClient, rulesOf, type MarketRules, type PublicRules } from 'micromarket/client';",
      'const [baseUrl, token] = process.argv.slice(2);',
      "if (!baseUrl || !token) throw new Error('usage: app BASE TOKEN');",
      "const client = new MicromarketClient({ baseUrl, partyID: 'typed-app', token });",
      "const registered = await client.register({ partyRoles: ['consumer'] });",
      'const markets: PublicRules[] = await client.marketRules();',
      "const curve: MarketRules | undefined = markets.map(rulesOf).find((r) => r.clearing.kind === 'call' && r.clearing.bids === 'curve');",
      // A flat curve is a price-taker: one step tender with no price (docs/interties.md).
      "const steps = curve && curve.clearing.kind === 'call' ? curveProducts(curve, new Float64Array(curve.clearing.priceSteps ?? 0).fill(2), 0).map((p) => p.side) : [];",
      "console.log(JSON.stringify({ registration: registered.registrationID !== undefined, markets: markets.map((m) => m.id).sort(), steps }));",
    ].join('\n'));
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const compiled = sh(tsc, ['-p', 'tsconfig.json'], app);
    expect(compiled.status, compiled.stdout + compiled.stderr).toBe(0);

    // The declarations are the SDK's real types: a wrong use does not compile.
    await writeFile(join(app, 'wrong.ts'), "import { MicromarketClient } from 'micromarket/client';\nconst n: number = new MicromarketClient({ baseUrl: 'x', partyID: 'p', token: 't' }).partyID;\nconsole.log(n);\n");
    await writeFile(join(app, 'tsconfig.wrong.json'), JSON.stringify({ extends: './tsconfig.json', files: ['wrong.ts'] }));
    const wrong = sh(tsc, ['-p', 'tsconfig.wrong.json', '--noEmit'], app);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts\(2,7\): error TS2322: Type 'string' is not assignable to type 'number'/);

    const ts = await testService();
    try {
      const token = await ts.service.context.tokens.issue('typed-app', ['register', 'tender'], Date.now(), 600);
      // Run asynchronously: the service answering it lives in this process.
      const ran = await promisify(execFile)(process.execPath, [join('out', 'app.js'), ts.base, token], { cwd: app, encoding: 'utf8', timeout: 60_000 });
      expect(JSON.parse(ran.stdout)).toEqual({ registration: true, markets: ['district-heat', 'feeder-7', 'home'], steps: ['buy'] });
    } finally {
      await ts.close();
    }
  });
});
