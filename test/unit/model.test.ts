import * as assert from 'node:assert/strict';
import { parseSnapshot } from '../../src/model/load';
import { buildModel, hottestLines, scopesContaining } from '../../src/model/model';
import type { ScopeModel } from '../../src/model/types';
import { fixtureText, makeDoc } from './helpers';

const MiB = 1024 * 1024;

/** The scopes of a file as `name: exitBytes/peakBytes @hottestLine` for compact comparison. */
function scopeSummary(scopes: ScopeModel[]): string[] {
  return scopes.map(
    (s) => `${s.kind} ${s.name} ${s.line}-${s.endLine}: ${s.exitBytes}/${s.exitBlocks} ${s.peakBytes}/${s.peakBlocks} @${s.hottestLine ?? '-'}`,
  );
}

suite('model', () => {
  test('the mini fixture: lines, frames, totals and the module and function scopes', () => {
    const model = buildModel(parseSnapshot(fixtureText('mini.json'), 'mini.json'));
    // decoder.py appears only as a frame, so it has no FileModel.
    assert.deepEqual([...model.files.keys()], ['/ws/sample.py']);
    const file = model.files.get('/ws/sample.py')!;
    assert.deepEqual([...file.lines.keys()].sort((a, b) => a - b), [4, 6, 8]);
    assert.equal(file.lines.get(4)!.exit!.bytes, 40 * MiB);
    assert.equal(file.lines.get(6)!.exit, undefined, 'line 6 is live only at peak');
    assert.equal(file.lines.get(6)!.peak!.bytes, 64 * MiB);
    assert.deepEqual(file.lines.get(8)!.exit!.paths[0].frames, [
      { file: '/usr/lib/python3.11/json/decoder.py', line: 353 },
      { file: '/ws/sample.py', line: 8 },
      { file: '/ws/sample.py', line: 12 },
    ]);
    assert.deepEqual(model.totalBytes, { exit: 40 * MiB + 56960, peak: 104 * MiB });
    assert.deepEqual(model.maxLineBytes, { exit: 40 * MiB, peak: 64 * MiB });
    assert.deepEqual(file.maxLineBytes, { exit: 40 * MiB, peak: 64 * MiB });
    assert.deepEqual(scopeSummary(file.scopes), [
      `module sample.py 1-9: ${40 * MiB + 56960}/1001 ${104 * MiB}/2 @4`,
      `function build 3-9: ${40 * MiB + 56960}/1001 ${104 * MiB}/2 @4`,
    ]);
  });

  test('scopes sum every line inside them, nested scopes included', () => {
    const model = buildModel(
      makeDoc([
        {
          path: '/ws/app.py',
          lines: [[2, 100, 1], [11, 1000, 2], [13, 5000, 3], [14, 5000, 4], [16, 200, 5], [25, 7, 1]],
          peakLines: [[13, 9000, 1], [30, 50, 1]],
          scopes: [
            { name: 'C.m.inner', kind: 'function', line: 13, endLine: 14 },
            { name: 'C', kind: 'class', line: 10, endLine: 20 },
            { name: 'C.m', kind: 'function', line: 12, endLine: 15 },
            { name: 'empty', kind: 'function', line: 21, endLine: 23 },
          ],
        },
      ]),
    );
    const file = model.files.get('/ws/app.py')!;
    assert.deepEqual(scopeSummary(file.scopes), [
      // The module runs to the last annotated line (30, live only at peak).
      'module app.py 1-30: 11307/16 9050/2 @13',
      'class C 10-20: 11200/14 9000/1 @13',
      'function C.m 12-15: 10000/7 9000/1 @13',
      'function C.m.inner 13-14: 10000/7 9000/1 @13',
      'function empty 21-23: 0/0 0/0 @-',
    ]);
    assert.deepEqual(
      scopesContaining(file, 14).map((s) => s.name),
      ['app.py', 'C', 'C.m', 'C.m.inner'],
    );
    assert.deepEqual(scopesContaining(file, 2).map((s) => s.name), ['app.py']);
  });

  test('the module scope reaches the last scope even past the last annotated line', () => {
    const model = buildModel(
      makeDoc([{ path: 'C:\\ws\\win.py', lines: [[3, 1, 1]], scopes: [{ name: 'f', kind: 'function', line: 5, endLine: 40 }] }]),
    );
    const mod = model.files.get('C:\\ws\\win.py')!.scopes[0];
    // Named by the last path segment whatever the separator, so Windows snapshots read on Linux too.
    assert.equal(mod.name, 'win.py');
    assert.equal(mod.endLine, 40);
  });

  test('a scope with lines only at peak gets its hottest line from the peak', () => {
    const model = buildModel(
      makeDoc([{ path: '/ws/a.py', peakLines: [[4, 10, 1], [5, 30, 1]], scopes: [{ name: 'f', kind: 'function', line: 3, endLine: 6 }] }]),
    );
    const f = model.files.get('/ws/a.py')!.scopes[1];
    assert.equal(f.hottestLine, 5);
    assert.equal(f.exitBytes, 0);
    assert.equal(f.peakBytes, 40);
  });

  test('library lines are kept, with user false, so totals add up', () => {
    const model = buildModel(
      makeDoc([
        { path: '/ws/a.py', lines: [[1, 100, 1]] },
        { path: '/usr/lib/python3/json/decoder.py', user: false, lines: [[353, 50, 2, true]] },
      ]),
    );
    const lib = model.files.get('/usr/lib/python3/json/decoder.py')!;
    assert.equal(lib.user, false);
    assert.equal(lib.lines.get(353)!.exit!.noUserFrame, true);
    assert.equal(model.files.get('/ws/a.py')!.lines.get(1)!.exit!.noUserFrame, false);
    assert.equal(model.totalBytes.exit, 150);
  });

  test('hottest lines: descending by bytes, ties by file then line, limited', () => {
    const model = buildModel(
      makeDoc([
        { path: '/ws/b.py', lines: [[9, 500, 1], [3, 500, 1], [1, 10, 1]], peakLines: [[1, 999, 1]] },
        { path: '/ws/a.py', lines: [[7, 500, 1], [2, 800, 1]] },
      ]),
    );
    const rows = (view: 'exit' | 'peak', limit: number): string[] =>
      hottestLines(model, view, limit).map((l) => `${l.file}:${l.line}`);
    assert.deepEqual(rows('exit', 10), ['/ws/a.py:2', '/ws/a.py:7', '/ws/b.py:3', '/ws/b.py:9', '/ws/b.py:1']);
    assert.deepEqual(rows('exit', 2), ['/ws/a.py:2', '/ws/a.py:7']);
    // Only lines with peak figures take part in the peak view.
    assert.deepEqual(rows('peak', 10), ['/ws/b.py:1']);
    assert.deepEqual(rows('exit', 0), []);
  });

  test('the real helper fixture: line sums equal traced memory at exit', () => {
    const doc = parseSnapshot(fixtureText('helper-exit.json'), 'helper-exit.json');
    const model = buildModel(doc);
    assert.equal(model.totalBytes.exit, doc.totals.tracedCurrent);
    const user = [...model.files.values()].find((f) => f.user)!;
    const spike = user.scopes.find((s) => s.name === 'spike')!;
    // The 32 MiB scratch buffer of spike() is live only at peak.
    assert.ok(spike.peakBytes >= 32 * MiB && spike.exitBytes < MiB);
    assert.equal(hottestLines(model, 'exit', 1)[0].line, 7);
    assert.equal(hottestLines(model, 'peak', 1)[0].line, 19);
  });
});
