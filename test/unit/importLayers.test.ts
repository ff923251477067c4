// Imports in src/ go one way: down the layers written once below, so every layer can be read,
// tested and reused without those above it (the model and the run layer by the CLI, and by a
// language server or a debug adapter running outside VS Code). The test reads the imports of every
// `.ts` file under src/ and fails on an import of a layer above or beside the importer's, on
// `vscode` below the editor's layers, and on a cycle between folders.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers';

/**
 * The layers of src/, lowest first. A unit (a folder, or a file at the top of src/) imports only
 * from layers below its own; the units of one layer never import each other. The top holds the
 * two entry points, the CLI and the extension: nothing imports them.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['protocol'],
  ['model'],
  ['run'],
  ['config.ts', 'notify'],
  ['terminal'],
  ['ctx.ts'],
  ['editor'],
  ['panel'],
  ['process', 'snapshots'],
  ['session'],
  ['cli', 'extension.ts'],
];

/**
 * Plain Node: these never import `vscode` (nor `@vscode/…`), and import only each other, so what
 * they import cannot bring VS Code in either.
 */
const NODE_ONLY: ReadonlySet<string> = new Set(['protocol', 'model', 'run', 'cli']);

const SRC = path.join(REPO_ROOT, 'src');

/** An import of one file: the module as written, and the unit of src/ it names (none for a package). */
interface Import {
  file: string;
  spec: string;
  unit: string | undefined;
}

/**
 * The modules a source text imports or re-exports: `import … from '…'`, `export … from '…'`
 * (either spread over lines) and `import '…'`.
 */
function importedModules(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
    found.push(m[1] ?? m[2]);
  }
  return found;
}

/** Every `.ts` file under `dir`, as paths relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [path.relative(SRC, full)] : [];
  });
}

/** The unit of a path relative to src/: its folder, or the file itself at the top of src/. */
function unitOf(relative: string): string {
  const [first, ...rest] = relative.split(path.sep);
  if (rest.length > 0) return first;
  return first.endsWith('.ts') ? first : `${first}.ts`;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  return importedModules(text).map((spec) => {
    if (!spec.startsWith('.')) return { file, spec, unit: undefined };
    const target = path.relative(SRC, path.resolve(SRC, path.dirname(file), spec));
    return { file, spec, unit: target.startsWith('..') ? target : unitOf(target) };
  });
}

const rank = new Map(LAYERS.flatMap((layer, i) => layer.map((unit): [string, number] => [unit, i])));
const files = sourceFiles();
const imports = files.flatMap(importsOf);
const between = imports.filter((i): i is Import & { unit: string } => i.unit !== undefined && i.unit !== unitOf(i.file));
const show = (i: Import): string => `src/${i.file} imports '${i.spec}'`;

suite('import layers', () => {
  test('the reader finds imports and re-exports, over several lines, and nothing else', () => {
    const text = [
      "import * as fs from 'node:fs';",
      'import {',
      '  a,',
      "  type B,",
      "} from '../model/types';",
      "import type { C } from \"./c\";",
      "export { d } from './d';",
      "export * from './e';",
      "import './side-effect';",
      "const s = 'not an import from here';",
      " * import x from 'a comment'",
      "export const f = 'from';",
    ].join('\n');
    assert.deepEqual(importedModules(text), ['node:fs', '../model/types', './c', './d', './e', './side-effect']);
  });

  test('every unit of src/ has its layer', () => {
    const units = new Set(files.map(unitOf));
    assert.deepEqual([...units].filter((u) => !rank.has(u)).sort(), [], 'units missing from LAYERS');
    assert.deepEqual([...rank.keys()].filter((u) => !units.has(u)).sort(), [], 'units in LAYERS that src/ does not have');
    assert.ok(between.length > 100, `only ${between.length} imports between units were found: the reader misses some`);
  });

  test('imports go down the layers', () => {
    const wrong = between
      .filter((i) => !((rank.get(i.unit) ?? Infinity) < (rank.get(unitOf(i.file)) ?? -Infinity)))
      .map((i) => `${show(i)}: ${i.unit} is not below ${unitOf(i.file)}`);
    assert.deepEqual(wrong, []);
  });

  test('no vscode, and nothing that brings it, in protocol, model, run and the CLI', () => {
    const wrong = imports
      .filter((i) => NODE_ONLY.has(unitOf(i.file)))
      .filter((i) => (i.unit === undefined ? i.spec === 'vscode' || i.spec.startsWith('@vscode/') : !NODE_ONLY.has(i.unit)))
      .map(show);
    assert.deepEqual(wrong, []);
  });

  // The layers rule cycles out already; this names the cycle itself, which says more about what
  // to move than the one upward import the test above shows.
  test('no cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of between) {
      const from = unitOf(i.file);
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(i.unit);
    }
    /** A cycle from `start` back to it, as the units on it, or undefined. */
    const cycleThrough = (start: string): string[] | undefined => {
      const seen = new Set<string>();
      const walk = (unit: string, trail: string[]): string[] | undefined => {
        for (const next of edges.get(unit) ?? []) {
          if (next === start) return [...trail, unit];
          if (seen.has(next)) continue;
          seen.add(next);
          const found = walk(next, [...trail, unit]);
          if (found) return found;
        }
        return undefined;
      };
      return walk(start, []);
    };
    // Each cycle once, written from its first unit in alphabetical order.
    const cycles = new Set<string>();
    for (const unit of edges.keys()) {
      const cycle = cycleThrough(unit);
      if (!cycle) continue;
      const first = cycle.indexOf([...cycle].sort()[0]);
      const turned = [...cycle.slice(first), ...cycle.slice(0, first)];
      cycles.add([...turned, turned[0]].join(' → '));
    }
    assert.deepEqual([...cycles], []);
  });
});
