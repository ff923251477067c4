// The import tree for the Imports tab: parents by name and time, siblings largest first, repeated
// names, orphans and malformed parent chains, and the real helper fixture's imports.
import * as assert from 'node:assert/strict';
import { byPrivateDirtyTotal, bySeconds, flattenImportTree, importTree, type ImportNode } from '../../src/model/imports';
import type { ImportCost } from '../../src/protocol/snapshot';
import { fixtureText } from './helpers';

/** An import cost; `self` defaults to `total`. */
function cost(module: string, parent: string | null, start: number, seconds: number, total: number, extra: Partial<ImportCost> = {}): ImportCost {
  return {
    module, parent, file: `/lib/${module}.py`, start, seconds, tracedSelf: total, tracedTotal: total,
    privateDirtySelf: null, privateDirtyTotal: null, ...extra,
  };
}

/** The tree as nested `[module, children]` pairs, for deepEqual. */
function shape(nodes: ImportNode[]): unknown[] {
  return nodes.map((n) => (n.children.length ? [n.cost.module, shape(n.children)] : n.cost.module));
}

suite('import tree', () => {
  test('children under their parent, roots and siblings largest traced total first', () => {
    const costs = [
      cost('small', null, 0.0, 0.01, 1000),
      cost('big', null, 0.02, 0.5, 9_000_000),
      cost('big.a', 'big', 0.03, 0.1, 2_000_000),
      cost('big.b', 'big', 0.2, 0.2, 5_000_000),
      cost('big.b.deep', 'big.b', 0.21, 0.05, 4_000_000),
      cost('mid', null, 0.6, 0.1, 50_000),
    ];
    assert.deepEqual(shape(importTree(costs)), [['big', [['big.b', ['big.b.deep']], 'big.a']], 'mid', 'small']);
  });

  test('another key: private dirty (null as 0) or seconds', () => {
    const costs = [
      cost('a', null, 0, 0.3, 10, { privateDirtyTotal: null }),
      cost('b', null, 1, 0.1, 20, { privateDirtyTotal: 4096 }),
      cost('c', null, 2, 0.2, 30, { privateDirtyTotal: 8192 }),
    ];
    assert.deepEqual(shape(importTree(costs, byPrivateDirtyTotal)), ['c', 'b', 'a']);
    assert.deepEqual(shape(importTree(costs, bySeconds)), ['a', 'c', 'b']);
  });

  test('ties keep the order in which the imports began', () => {
    const costs = [cost('late', null, 2, 0, 5), cost('early', null, 1, 0, 5), cost('first', null, 0, 0, 5)];
    assert.deepEqual(shape(importTree(costs)), ['first', 'early', 'late']);
  });

  test('a name imported twice: each child goes under the import that was running', () => {
    const costs = [
      cost('plain', null, 1.0, 0.5, 100),
      cost('helper', 'plain', 1.1, 0.1, 10),
      cost('plain', null, 5.0, 0.5, 200), // reloaded
      cost('other', 'plain', 5.2, 0.1, 20),
    ];
    const tree = importTree(costs);
    assert.equal(tree.length, 2);
    assert.equal(tree[0].cost.start, 5.0);
    assert.deepEqual(tree[0].children.map((c) => c.cost.module), ['other']);
    assert.deepEqual(tree[1].children.map((c) => c.cost.module), ['helper']);
  });

  test('a parent that is not in the list (a failed import) leaves its children as roots', () => {
    const costs = [cost('child', 'broken', 0.1, 0.01, 100_000), cost('x', null, 0, 1, 5)];
    assert.deepEqual(shape(importTree(costs)), ['child', 'x']);
  });

  test('a parent chain that loops cannot hide its members', () => {
    const costs = [cost('a', 'b', 1, 1, 10), cost('b', 'a', 1, 1, 20), cost('c', null, 0, 0, 1)];
    const flat = flattenImportTree(importTree(costs)).map((e) => e.node.cost.module).sort();
    assert.deepEqual(flat, ['a', 'b', 'c']);
  });

  test('flattening gives depth-first rows with depths; empty in, empty out', () => {
    const costs = [cost('p', null, 0, 1, 10), cost('p.c', 'p', 0.1, 0.1, 5), cost('q', null, 2, 1, 1)];
    assert.deepEqual(
      flattenImportTree(importTree(costs)).map((e) => [e.node.cost.module, e.depth]),
      [['p', 0], ['p.c', 1], ['q', 0]],
    );
    assert.deepEqual(importTree([]), []);
  });

  test('the real helper fixture: every import in the tree once, nested as the helper recorded', () => {
    const doc = JSON.parse(fixtureText('helper-exit.json')) as { imports: ImportCost[] };
    const tree = importTree(doc.imports);
    const flat = flattenImportTree(tree);
    assert.equal(flat.length, doc.imports.length);
    for (const { node } of flat) {
      for (const child of node.children) {
        assert.equal(child.cost.parent, node.cost.module);
        assert.ok(child.cost.tracedTotal <= node.cost.tracedTotal);
      }
    }
    const minidom = flat.find((e) => e.node.cost.module === 'xml.dom.minidom')!;
    assert.equal(minidom.depth, 0);
    assert.ok(minidom.node.children.some((c) => c.cost.module === 'xml.dom.xmlbuilder'));
    // A parent's total is its own growth plus its children's totals.
    const n = minidom.node;
    assert.equal(n.cost.tracedTotal, n.cost.tracedSelf + n.children.reduce((s, c) => s + c.cost.tracedTotal, 0));
  });
});
