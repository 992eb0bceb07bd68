import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { breaches, checkRepository, cycles, importsOf, layersOf, section } from './layers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the layering', () => {
  it('holds: every folder imports only what its layer in docs/architecture.md allows, and no folders form a cycle', () => {
    const { graph, layers, breaches: found } = checkRepository(root);
    expect(found).toEqual([]);
    // The table names every folder there is, and no folder that is gone.
    expect(layers.map((l) => l.folder).sort()).toEqual([...graph.keys()].sort());
  });

  it('keeps the protocols peers and the SDK and adapters off the server', () => {
    const { graph } = checkRepository(root);
    const peers = ['src/ei', 'src/openadr', 'src/intertie', 'src/dashboard'];
    for (const peer of peers) expect([...graph.get(peer)!].filter((f) => peers.includes(f)), peer).toEqual([]);
    for (const sdk of ['src/client', 'adapters/cta2045', 'adapters/powermatcher']) {
      expect([...graph.get(sdk)!].filter((f) => ['src/host', 'src/ei', 'src/openadr', 'src/store', 'src/market', 'src/http', 'src/auth'].includes(f)), sdk).toEqual([]);
    }
  });

  it('finds imports written every way a module can be imported', () => {
    const text = "import { a } from '../x/a.js';\nimport type {\n  B,\n} from '../y/b.js';\nexport * from './c.js';\nconst d = await import('../z/d.js');\nimport fs from 'node:fs';\n";
    expect(importsOf(text)).toEqual(['../x/a.js', '../y/b.js', './c.js', '../z/d.js']);
  });

  it('reads the table of the Layers section only, not the numbered tables of other sections', () => {
    const doc = '# A\n| 1 | `src/x` | `src/y` |\n\n## Layers\n\n| 0 | `low` | — |\n| 1 | `high` | `low` |\n\n## Paths\n\n| 1 | `src/http` | parses |\n';
    expect(layersOf(section(doc, 'Layers')).map((l) => l.folder)).toEqual(['low', 'high']);
    expect(() => section(doc, 'Nowhere')).toThrow('no section "## Nowhere"');
  });

  it('reports a cycle, an import the table does not allow, a folder it lacks, and a table that points upward', () => {
    const layers = layersOf('| 0 | `low` | — |\n| 1 | `high` | `low` |\n| 2 | `bad` | `top` |\n| 3 | `top` | `low` |\n');
    expect(layers.map((l) => [l.level, l.folder, [...l.mayImport]])).toEqual([[0, 'low', []], [1, 'high', ['low']], [2, 'bad', ['top']], [3, 'top', ['low']]]);
    const graph = new Map([['low', new Set(['high'])], ['high', new Set(['low'])], ['stray', new Set<string>()]]);
    expect(cycles(graph)).toEqual([['high', 'low', 'high']]);
    expect(breaches(graph, layers)).toEqual([
      'the table lets bad (layer 2) import top (layer 3): imports go to lower layers only',
      'low imports high, which its layer does not allow',
      'stray is not in the layer table',
      'folders import each other in a cycle: high → low → high',
    ]);
  });
});
