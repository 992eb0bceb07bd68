import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
export const schemaDir = join(packageRoot, 'xsd');
export const exampleRulesDir = join(packageRoot, 'market-rules');
