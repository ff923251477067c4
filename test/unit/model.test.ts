import * as assert from 'node:assert/strict';
import { flattenImportTree } from '../../src/model/imports';
import { parseSnapshot } from '../../src/model/load';
import { buildModel, hottestLines, scopesContaining } from '../../src/model/model';
import type { ScopeModel } from '../../src/model/types';
import type { SnapshotDocument } from '../../src/protocol/snapshot';
import { fixtureText, makeDoc } from './helpers';

const MiB = 1024 * 1024;

function fixture(name: string): SnapshotDocument {
  return parseSnapshot(fixtureText(name), name);
}

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

suite('model: the document\'s other parts, read once', () => {
  test('peak presence, kind, label and frame depth: an exit snapshot with a peak view, a mid-run one without', () => {
    const exit = buildModel(fixture('helper-exit.json'));
    assert.deepEqual([exit.kind, exit.hasPeak, exit.peak.method, exit.frames, exit.label], ['exit', true, 'fork', 8, undefined]);
    const midrun = buildModel(fixture('helper-snapshot.json'));
    assert.deepEqual([midrun.kind, midrun.hasPeak, midrun.peak.method, midrun.frames, midrun.label], ['snapshot', false, 'none', 8, 'after the report']);
    // Memory highest at the end: the peak view is the exit's, and it is there.
    const atExit = fixture('mini.json');
    atExit.peak = { ...atExit.peak, method: 'exit' };
    assert.equal(buildModel(atExit).hasPeak, true);
  });

  test('a dump without its program: no program, its origin, no peak view, no process part', () => {
    const m = buildModel(fixture('tracemalloc-import.json'));
    assert.equal(m.program, null);
    assert.deepEqual(m.origin, { kind: 'tracemalloc-dump', path: '/tmp/memlens-tracemalloc-ws/prog.tracemalloc' });
    assert.equal(m.hasPeak, false);
    assert.deepEqual([m.process, m.census, m.gc, m.imports, m.timeline, m.pymalloc], [undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  test('memory maps: parsed and classified once, the text not kept; absent with the helper\'s reason, or no process part at all', () => {
    const doc = fixture('helper-exit.json');
    const p = buildModel(doc).process!;
    assert.ok(!('smaps' in p), 'the text is read into maps, not passed on');
    assert.equal(p.pageSize, 4096);
    assert.equal(p.maps!.mappings.length, 154);
    assert.equal(p.maps!.mappings[0].start, doc.process!.smaps!.slice(0, doc.process!.smaps!.indexOf('-')));
    assert.equal(p.maps!.report.writable, 42_663_936);
    assert.equal(p.maps!.report.uss, 42_954_752);
    assert.equal(p.maps!.report.files[0].path, '/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0');

    // A mid-run snapshot keeps what the helper folded back, beside its maps.
    const midrun = buildModel(fixture('helper-snapshot.json')).process!;
    assert.equal(midrun.sharedDirtyFolded, 17_838_080);
    assert.equal(midrun.maps!.report.writable, 42_717_184);

    const bare = buildModel(fixture('panel/bare.json')).process!;
    assert.equal(bare.maps, undefined);
    assert.equal(bare.smapsError, 'this system has no /proc/self/smaps (macOS): memory maps are read on Linux only.');
    assert.equal(buildModel(fixture('mini.json')).process, undefined);
  });

  test('imports: a tree, largest traced total first, every import in it once', () => {
    const doc = fixture('helper-exit.json');
    const tree = buildModel(doc).imports!;
    assert.deepEqual(tree.map((n) => [n.cost.module, n.cost.tracedTotal, n.children.length]), [
      ['xml.dom.minidom', 386_271, 2],
      ['xml.dom.expatbuilder', 155_011, 2],
      ['xml.dom', 47_712, 1],
      ['xml', 1339, 0],
    ]);
    assert.equal(flattenImportTree(tree).length, doc.imports!.length);
    assert.deepEqual(buildModel(fixture('helper-exec.json')).imports, [], 'recorded, and none made');
  });

  test('timeline: samples and markers in time order, the document left as it was', () => {
    const doc = fixture('helper-exit.json');
    const inOrder = buildModel(doc).timeline!;
    assert.deepEqual(inOrder.samples.map((s) => s.t), [0.0104, 0.1127, 0.4049, 0.5066, 0.6098, 0.6416]);
    assert.equal(inOrder.markers.at(-1)!.label, 'exit snapshot');
    const shuffled = { ...doc, timeline: { ...doc.timeline!, samples: [...doc.timeline!.samples].reverse(), markers: [...doc.timeline!.markers].reverse() } };
    const t = buildModel(shuffled).timeline!;
    assert.deepEqual(t.samples, inOrder.samples);
    assert.deepEqual(t.markers, inOrder.markers);
    assert.equal(t.interval, doc.timeline!.interval);
    assert.equal(shuffled.timeline.samples[0].t, 0.6416, 'the document is not sorted in place');
  });

  test('pymalloc: the text and its figures; blank text is absent; text without a pymalloc section has no figures', () => {
    const doc = fixture('helper-exit.json');
    const p = buildModel(doc).pymalloc!;
    assert.equal(p.text, doc.pymallocStats);
    assert.equal(p.figures!.sizeClasses.length, 32);
    assert.deepEqual(
      [p.figures!.arenasCurrent, p.figures!.arenaSize, p.figures!.bytesInAllocatedBlocks, p.figures!.total],
      [12, 1_048_576, 10_948_720, 12_582_912],
    );
    assert.equal(buildModel({ ...doc, pymallocStats: ' \n' }).pymalloc, undefined);
    const malloc = buildModel({ ...doc, pymallocStats: 'Small block threshold = 512, in 32 size classes.\n' }).pymalloc!;
    assert.equal(malloc.figures, undefined);
  });

  test('totals, census and the garbage collector\'s report are the document\'s', () => {
    const doc = fixture('helper-exit.json');
    const m = buildModel(doc);
    assert.equal(m.totals, doc.totals);
    assert.deepEqual([m.census!.objects, m.census!.bytes], [92_836, 24_231_954]);
    assert.equal(m.gc, doc.gc);
    assert.equal(m.program, doc.program);
  });
});
