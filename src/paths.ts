import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest ancestor holding `xsd/micromarket.xsd` (works from `src/` and `dist/src/`). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'xsd', 'micromarket.xsd'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('micromarket: cannot locate the package root (xsd/micromarket.xsd)');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();

/**
 * The compiled file of a module beside `fromUrl` (a worker's entry point). Compiled code finds it
 * beside itself; code run from the TypeScript sources (tests) uses the compiled copy in dist/,
 * which `npm test` builds first.
 */
export function compiledSibling(fromUrl: string, name: string): string {
  const here = fileURLToPath(fromUrl);
  const dir = here.endsWith('.ts') ? join(packageRoot, 'dist', relative(packageRoot, dirname(here))) : dirname(here);
  return join(dir, name);
}
export const schemaDir = join(packageRoot, 'xsd');
export const exampleRulesDir = join(packageRoot, 'market-rules');
/** The dashboard's page, script and styles (served by src/dashboard/routes.ts). */
export const dashboardDir = join(packageRoot, 'dashboard');
