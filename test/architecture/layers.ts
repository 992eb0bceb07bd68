/**
 * The folders of the code and what each imports, derived from the import statements of src/ and
 * adapters/, checked against the layer table in docs/architecture.md: every folder is in the table,
 * imports only the folders its row allows, and no folders import each other in a cycle.
 *
 *   node dist/test/architecture/layers.js     prints the folder graph and any breach (exit 1 on one)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder a source file belongs to: `src` for the files at its root, else its first two path segments. */
export function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length <= 2 ? parts[0]! : `${parts[0]}/${parts[1]}`;
}

/** Every relative module a source text imports or re-exports (type-only imports too: they are dependencies). */
export function importsOf(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'|\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/gm)]
    .map((m) => (m[1] ?? m[2])!);
}

/** folder → the other folders it imports, from the .ts files under `dirs` (relative to `root`). */
export function folderGraph(root: string, dirs: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) {
        const from = folderOf(path);
        const targets = graph.get(from) ?? new Set<string>();
        graph.set(from, targets);
        for (const spec of importsOf(readFileSync(join(root, path), 'utf8'))) {
          const to = folderOf(normalize(join(dirname(path), spec)).split('\\').join('/'));
          if (to !== from) targets.add(to);
        }
      }
    }
  };
  for (const dir of dirs) visit(dir);
  return graph;
}

/** One row of the documented layer table. */
export interface Layer {
  readonly level: number;
  readonly folder: string;
  readonly mayImport: ReadonlySet<string>;
}

/**
 * The layer table of docs/architecture.md: rows `| level | \`folder\` | \`a\`, \`b\` |` (the
 * third cell lists the folders the row's folder may import; `—` for none).
 */
export function layersOf(markdown: string): Layer[] {
  return [...markdown.matchAll(/^\|\s*(\d+)\s*\|\s*`([^`]+)`[^|]*\|([^|\n]*)\|/gm)].map((m) => ({
    level: Number(m[1]),
    folder: m[2]!,
    mayImport: new Set([...m[3]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!)),
  }));
}

/** The breaches of the layering: each as a sentence naming the folders. */
export function breaches(graph: ReadonlyMap<string, ReadonlySet<string>>, layers: readonly Layer[]): string[] {
  const found: string[] = [];
  const byFolder = new Map(layers.map((l) => [l.folder, l]));
  for (const layer of layers) {
    for (const target of layer.mayImport) {
      const below = byFolder.get(target);
      if (!below) found.push(`the table lets ${layer.folder} import ${target}, which is not in the table`);
      else if (below.level >= layer.level) found.push(`the table lets ${layer.folder} (layer ${layer.level}) import ${target} (layer ${below.level}): imports go to lower layers only`);
    }
  }
  for (const [from, targets] of graph) {
    const layer = byFolder.get(from);
    if (!layer) {
      found.push(`${from} is not in the layer table`);
      continue;
    }
    for (const to of targets) if (!layer.mayImport.has(to)) found.push(`${from} imports ${to}, which its layer does not allow`);
  }
  for (const cycle of cycles(graph)) found.push(`folders import each other in a cycle: ${cycle.join(' → ')}`);
  return found;
}

/** The import cycles between folders, each as the folders on it with the first repeated at the end. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

/** The text of a markdown section, from its `## heading` to the next one. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "## ${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The repository's own graph and table (the section "Layers" of docs/architecture.md). */
export function checkRepository(root: string): { graph: Map<string, Set<string>>; layers: Layer[]; breaches: string[] } {
  const graph = folderGraph(root, ['src', 'adapters']);
  const layers = layersOf(section(readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'), 'Layers'));
  return { graph, layers, breaches: breaches(graph, layers) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  let root = dirname(fileURLToPath(import.meta.url));
  while (!readdirSync(root).includes('package.json')) root = dirname(root);
  const { graph, breaches: found } = checkRepository(root);
  for (const [from, targets] of [...graph].sort()) console.log(`${from} → ${[...targets].sort().join(', ') || '—'}`);
  for (const breach of found) console.error(`breach: ${breach}`);
  console.log(found.length === 0 ? `${graph.size} folders, layered as ${relative(process.cwd(), join(root, 'docs', 'architecture.md'))} says` : `${found.length} breaches`);
  process.exitCode = found.length === 0 ? 0 : 1;
}
