// The panel's table logic (webview/tableModel.ts) and chart scales (webview/chartScale.ts), pure
// functions run here in plain Node: sorting numbers, text and unknowns, stability, the header
// click cycle, filtering by words, and the timeline's ticks.
import * as assert from 'node:assert/strict';
import { byteTicks, nearest, niceStep, ticks } from '../../webview/chartScale';
import { filterRows, nextSort, sortRows, viewRows, type SortableColumn } from '../../webview/tableModel';

interface Row { name: string; bytes: number | null; n: number }

const rows: Row[] = [
  { name: 'beta', bytes: 30, n: 1 },
  { name: 'Alpha', bytes: null, n: 2 },
  { name: 'gamma', bytes: 30, n: 3 },
  { name: 'delta <b>', bytes: 5, n: 4 },
];
const name: SortableColumn<Row> = { id: 'name', value: (r) => r.name, searchable: true };
const bytes: SortableColumn<Row> = { id: 'bytes', value: (r) => r.bytes };
const columns = [name, bytes];

suite('panel tables', () => {
  test('numbers sort as numbers, unknowns last either way, ties keep the host\'s order', () => {
    assert.deepEqual(sortRows(rows, bytes, 'desc').map((r) => r.n), [1, 3, 4, 2]);
    assert.deepEqual(sortRows(rows, bytes, 'asc').map((r) => r.n), [4, 1, 3, 2]);
  });

  test('text sorts case-insensitively', () => {
    assert.deepEqual(sortRows(rows, name, 'asc').map((r) => r.name), ['Alpha', 'beta', 'delta <b>', 'gamma']);
    assert.deepEqual(sortRows(rows, name, 'desc').map((r) => r.name), ['gamma', 'delta <b>', 'beta', 'Alpha']);
  });

  test('filter: every word, case-insensitive, searchable columns only; empty filter keeps all', () => {
    assert.deepEqual(filterRows(rows, 'ALP', columns).map((r) => r.n), [2]);
    assert.deepEqual(filterRows(rows, 'a  t', columns).map((r) => r.n), [1, 4]);
    assert.deepEqual(filterRows(rows, '<b>', columns).map((r) => r.n), [4]);
    assert.deepEqual(filterRows(rows, '30', columns).map((r) => r.n), [], 'bytes is not searchable');
    assert.equal(filterRows(rows, '  ', columns), rows);
  });

  test('header clicks: first direction, the other, then the host\'s order; another column starts over', () => {
    let s = nextSort(undefined, 'bytes', 'desc');
    assert.deepEqual(s, { column: 'bytes', dir: 'desc' });
    s = nextSort(s, 'bytes', 'desc');
    assert.deepEqual(s, { column: 'bytes', dir: 'asc' });
    assert.equal(nextSort(s, 'bytes', 'desc'), undefined);
    assert.deepEqual(nextSort(s, 'name', 'asc'), { column: 'name', dir: 'asc' });
  });

  test('view: filter then sort; an unknown sort column keeps the order', () => {
    assert.deepEqual(viewRows(rows, columns, { filter: 'a', sort: { column: 'bytes', dir: 'desc' } }).map((r) => r.n), [1, 3, 4, 2]);
    assert.deepEqual(viewRows(rows, columns, { filter: '', sort: { column: 'gone', dir: 'asc' } }).map((r) => r.n), [1, 2, 3, 4]);
  });

  test('100 000 rows sort and filter (times printed, not asserted)', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => ({ name: `module_${i % 997}.py:${i}`, bytes: (i * 104729) % 1_000_003, n: i }));
    let t0 = performance.now();
    const sorted = sortRows(big, bytes, 'desc');
    const sortMs = performance.now() - t0;
    t0 = performance.now();
    const found = filterRows(big, 'module_42.py', columns);
    const filterMs = performance.now() - t0;
    console.log(`      100,000 rows: sort ${sortMs.toFixed(0)} ms, filter ${filterMs.toFixed(0)} ms`);
    assert.equal(sorted.length, 100_000);
    assert.ok(found.length > 0 && found.every((r) => r.name.includes('module_42.py')));
  });

  test('chart ticks: nice steps, byte ticks on round binary units, nearest sample', () => {
    assert.equal(niceStep(10, 5), 2);
    assert.equal(niceStep(0.9, 4), 0.5);
    assert.deepEqual(ticks(1.5, 3), [0, 0.5, 1, 1.5]);
    assert.deepEqual(ticks(1.6, 3), [0, 1, 2]);
    const MiB = 1024 * 1024;
    assert.deepEqual(byteTicks(150_000_000, 5), [0, 50, 100, 150].map((v) => v * MiB));
    assert.deepEqual(byteTicks(3000, 3), [0, 1024, 2048, 3072]);
    assert.deepEqual(byteTicks(0, 3), [0, 1024]);
    assert.equal(nearest([0, 1, 2, 3], 1.4), 1);
    assert.equal(nearest([0, 1, 2, 3], 1.6), 2);
    assert.equal(nearest([0, 1, 2, 3], 9), 3);
    assert.equal(nearest([], 1), -1);
  });
});
