// The memory panel's data, computed on the host from a model (src/panel/panelData.ts), over the
// hand-made fixtures of test/fixtures/panel/ (see the README there): headline figures from the
// memory maps, lines in order with call paths, type shares and cumulative shares, the import
// tree, the GC report, the timeline, pymalloc's text, and what a snapshot lacks said in a sentence.
import * as assert from 'node:assert/strict';
import { parseSnapshot } from '../../src/model/load';
import { importTree } from '../../src/model/imports';
import { buildModel } from '../../src/model/model';
import { classifySmaps, parseSmaps } from '../../src/model/smaps';
import { importRows, MISSING, panelData, typeRows } from '../../src/panel/panelData';
import type { PanelData } from '../../src/protocol/panel';
import type { ImportCost, ProgramInfo, SnapshotDocument } from '../../src/protocol/snapshot';
import { fixtureText, makeDoc } from './helpers';

const MiB = 1024 * 1024;

function load(name: string): SnapshotDocument {
  return parseSnapshot(fixtureText(`panel/${name}`), name);
}

function dataOf(doc: SnapshotDocument, displayPath?: (f: string) => string): PanelData {
  return panelData(buildModel(doc), { source: { snapshotPath: '/runs/x/snapshot.json', script: '/ws/sample.py' }, displayPath });
}

function ok<T>(s: { ok: true; data: T } | { ok: false; missing: string }): T {
  assert.ok(s.ok, s.ok ? '' : s.missing);
  return s.data;
}

const cost = (module: string, parent: string | null, tracedTotal: number, start = 0): ImportCost => ({
  module, parent, file: null, start, seconds: 0.001, tracedSelf: tracedTotal, tracedTotal,
  privateDirtySelf: null, privateDirtyTotal: null,
});

suite('panel data', () => {
  test('rich fixture: headline figures; writable memory is the maps\' private dirty', () => {
    const doc = load('rich.json');
    const d = dataOf(doc);
    const report = classifySmaps(parseSmaps(doc.process!.smaps!));
    const h = d.summary.headline;
    assert.ok(h.writable! > 64 * MiB, 'the 64 MiB buffer of the capture is private dirty');
    assert.equal(h.writable, report.total.privateDirty);
    assert.equal(h.uss, report.total.privateClean + report.total.privateDirty);
    assert.equal(h.pss, report.total.pss);
    assert.equal(h.swap, 0);
    assert.equal(h.tracedPeak, 110_000_000);
    assert.equal(h.maxRss, 150_000_000);
    assert.equal(h.cpuSeconds, 1.4);
    assert.deepEqual(d.program, {
      name: 'sample.py', argv: ['/usr/bin/python3', '/ws/sample.py'], python: 'CPython 3.11.7', pid: 4242, kind: 'exit',
      label: undefined, ended: 'exited normally', origin: null, frames: 8, mode: 'exact', sampleInterval: null, modeNote: null,
    });
    assert.deepEqual(d.source, { snapshotPath: '/runs/x/snapshot.json', script: '/ws/sample.py' });
  });

  test("a program that exec'd says what it became, and the new program's failing status", () => {
    const doc = parseSnapshot(fixtureText('helper-exec.json'), 'helper-exec.json');
    assert.equal(dataOf(doc).program.ended, 'replaced itself (os.exec*) with /usr/bin/true --from-the-fixture');
    doc.program!.end = { kind: 'exec', argv: ['/bin/sh', '-c', 'echo hi there'] };
    doc.program!.exitCode = 2;
    assert.equal(dataOf(doc).program.ended, "replaced itself (os.exec*) with /bin/sh -c 'echo hi there', which exited with status 2");
  });

  test('lines: every line of every file, most at exit first, then at peak; call paths innermost first', () => {
    const d = dataOf(load('rich.json'), (f) => f.replace('/ws/', ''));
    const rows = d.lines.rows.map((r) => [d.lines.files[r.file].display, r.line, r.exitBytes, r.peakBytes]);
    assert.deepEqual(rows, [
      ['sample.py', 8, 40 * MiB, 40 * MiB],
      ['sample.py', 18, 3 * MiB, 0],
      ['sample.py', 10, 3_000_000, 3_000_000],
      ['sample.py', 12, 2_500_000, 64 * MiB],
      ['/usr/lib/python3.11/json/decoder.py', 353, 262_144, 0],
      ['sample.py', 5, 500, 0],
    ]);
    const line12 = d.lines.rows.find((r) => r.line === 12)!;
    assert.equal(line12.topPath, 'decoder.py:353 ← decoder.py:337 ← sample.py:12 ← sample.py:23 ← sample.py:28');
    assert.equal(line12.otherPaths, 'exit 488.3 KiB: sample.py:12 ← sample.py:23 ← sample.py:28',
      'the second path at exit; the one at peak is the top path again');
    assert.equal(d.lines.rows[0].otherPaths, '', 'line 8 has one path, the same at exit and at peak');
    const lib = d.lines.rows.find((r) => r.line === 353)!;
    assert.equal(d.lines.files[lib.file].user, false);
    assert.equal(lib.noUserFrame, true);
    assert.deepEqual(d.lines.files, [
      { path: '/ws/sample.py', display: 'sample.py', user: true },
      { path: '/usr/lib/python3.11/json/decoder.py', display: '/usr/lib/python3.11/json/decoder.py', user: false },
    ]);
    assert.equal(d.lines.hasPeak, true);
    assert.deepEqual(d.summary.topLinesExit.map((r) => r.line), [8, 18, 10, 12, 353]);
    assert.deepEqual(d.summary.topLinesPeak.map((r) => r.line), [12, 8, 10]);
  });

  test('types: largest first with shares of the census and cumulative shares down that order', () => {
    const d = dataOf(load('rich.json'));
    const t = ok(d.types);
    assert.equal(t.rows[0].type, 'bytes');
    assert.deepEqual(t.rows.map((r) => r.type).slice(0, 4), ['bytes', 'str', 'dict', 'int']);
    // 'function' (433,728 B) sorts above 'type' (433,152 B) and 'list' (412,264 B).
    assert.deepEqual(t.rows.map((r) => r.type).slice(4, 7), ['function', 'type', 'list']);
    assert.equal(t.rows[0].share, 45_210_871 / 55_800_552);
    let sum = 0;
    for (const r of t.rows) {
      sum += r.bytes;
      assert.ok(Math.abs(r.cumulative - sum / 55_800_552) < 1e-12, `${r.type}: cumulative ${r.cumulative}`);
    }
    assert.ok(t.rows[t.rows.length - 1].cumulative <= 1);
    assert.equal(t.complete, true);
    assert.deepEqual(d.summary.topTypes.map((r) => r.type), ['bytes', 'str', 'dict', 'int', 'function']);
  });

  test('typeRows: ties by objects then name; total 0 gives shares of 0; a larger census total lowers shares', () => {
    const rows = typeRows([
      { type: 'b', count: 1, bytes: 10 },
      { type: 'a', count: 1, bytes: 10 },
      { type: 'c', count: 5, bytes: 10 },
      { type: 'd', count: 1, bytes: 70 },
    ]);
    assert.deepEqual(rows.map((r) => [r.type, r.share, r.cumulative]), [
      ['d', 0.7, 0.7], ['c', 0.1, 0.8], ['a', 0.1, 0.9], ['b', 0.1, 1],
    ]);
    assert.deepEqual(typeRows([{ type: 'x', count: 0, bytes: 0 }]).map((r) => [r.share, r.cumulative]), [[0, 0]]);
    assert.deepEqual(typeRows([{ type: 'x', count: 1, bytes: 25 }], 100).map((r) => [r.share, r.cumulative]), [[0.25, 0.25]]);
  });

  test('process: the classic table, files and mappings ranked by private dirty', () => {
    const doc = load('rich.json');
    const p = ok(dataOf(doc).process);
    const report = classifySmaps(parseSmaps(doc.process!.smaps!));
    assert.deepEqual(p.groups.map((g) => g.group), ['mapped', 'anonymous', 'kernel']);
    assert.deepEqual(p.total, report.total);
    assert.equal(p.pageSize, 4096);
    assert.equal(p.mappings.length, report.total.mappings);
    assert.equal(p.mappings[0].address, '7fa26e9dc000-7fa272b10000', 'the 64 MiB buffer leads');
    assert.equal(p.mappings[0].group, 'anonymous');
    for (let i = 1; i < p.mappings.length; i++) assert.ok(p.mappings[i - 1].privateDirty >= p.mappings[i].privateDirty);
    assert.deepEqual(p.files.map((f) => f.path), report.files.map((f) => f.path));
    const d = dataOf(doc);
    assert.deepEqual(d.summary.topLibrary, { path: report.files[0].path, privateDirty: report.files[0].privateDirty, pss: report.files[0].pss });
  });

  test('imports: a tree, each level largest traced total first; the heaviest import', () => {
    const d = dataOf(load('rich.json'));
    const i = ok(d.imports);
    assert.deepEqual(i.rows.map((r) => `${'  '.repeat(r.depth)}${r.module}`), [
      'json', '  json.decoder', '    json.scanner', '      _json', '  json.encoder',
    ]);
    assert.equal(i.tracedTotal, 412_672);
    assert.equal(i.privateDirtyTotal, 528_384);
    assert.equal(d.summary.heaviestImport?.module, 'json');
  });

  test('importRows: the tree of model/imports.ts flattened with depths; unknown parents are roots', () => {
    const rows = importRows(importTree([
      cost('b', null, 10, 2),
      cost('a', null, 10, 1),
      cost('c', 'gone', 50),
      cost('a.x', 'a', 5, 1.5),
    ]));
    assert.deepEqual(rows.map((r) => [r.module, r.depth]), [['c', 0], ['a', 0], ['a.x', 1], ['b', 0]]);
  });

  test('GC: totals per run, garbage census with shares, a warning for uncollectable objects', () => {
    const d = dataOf(load('rich.json'));
    const g = ok(d.gc);
    assert.deepEqual(g.totals, { collections: 155, collected: 2_445, uncollectable: 2, seconds: 0.0121 + 0.0034 + 0.0031 });
    assert.deepEqual(g.cyclicGarbage.map((r) => [r.type, r.count]), [['dict', 2], ['__main__.Node', 2]]);
    assert.deepEqual(g.uncollectable.map((r) => [r.type, r.share]), [['__main__.Resource', 1]]);
    assert.deepEqual(d.summary.warnings, ['2 uncollectable objects in gc.garbage: memory the garbage collector can never free (see GC).']);
  });

  test('timeline and pymalloc: samples in time order, the chart\'s end and scale; the text as printed', () => {
    const doc = load('rich.json');
    const t = ok(dataOf(doc).timeline);
    assert.equal(t.samples.length, 31);
    assert.equal(t.end, 1.5);
    assert.equal(t.maxBytes, Math.max(...doc.timeline!.samples.map((s) => s.rss!)));
    assert.deepEqual(t.markers.map((m) => m.kind), ['import', 'gc', 'snapshot', 'gc', 'snapshot']);
    const p = ok(dataOf(doc).pymalloc);
    assert.match(p.text, /^Small block threshold = 512/);
    assert.equal(p.text, doc.pymallocStats);
    // The capture's own figures (CPython 3.11: 1 MiB arenas of 16 KiB pools).
    assert.equal(p.figures?.arenasCurrent, 13);
    assert.equal(p.figures?.arenaSize, 1024 * 1024);
    assert.equal(p.figures?.bytesInAllocatedBlocks, 12_866_448);
    assert.equal(p.figures?.total, 13_631_488);
    assert.equal(p.figures?.sizeClasses.length, 32);
    const noPymalloc = { ...doc, pymallocStats: 'Small block threshold = 512, in 32 size classes.\n' };
    assert.deepEqual(ok(dataOf(noPymalloc).pymalloc).figures, null, 'text without pymalloc figures');
  });

  test('bare fixture: each missing part says what and why; figures that need maps are null', () => {
    const d = dataOf(load('bare.json'));
    assert.deepEqual(d.types, { ok: false, missing: MISSING.types });
    assert.deepEqual(d.timeline, { ok: false, missing: MISSING.timeline });
    assert.deepEqual(d.gc, { ok: false, missing: MISSING.gc });
    assert.deepEqual(d.imports, { ok: false, missing: MISSING.imports });
    assert.deepEqual(d.pymalloc, { ok: false, missing: MISSING.pymalloc });
    assert.deepEqual(d.process, {
      ok: false,
      missing: 'No memory maps in this snapshot: this system has no /proc/self/smaps (macOS): memory maps are read on Linux only.',
    });
    const h = d.summary.headline;
    assert.deepEqual([h.writable, h.uss, h.pss, h.swap], [null, null, null, null]);
    assert.equal(d.summary.topLibrary, null);
    assert.equal(d.summary.heaviestImport, null);
    assert.deepEqual(d.summary.topTypes, []);
    assert.deepEqual(dataOf(makeDoc([{ path: '/ws/a.py', lines: [[1, 10, 1]] }])).process, { ok: false, missing: MISSING.process });
  });

  test('memory maps whose text holds no mapping become a sentence, not an exception; other parts still show', () => {
    const doc = load('rich.json');
    // The loader checks only that the smaps text is a string: this one passes it.
    doc.process = { ...doc.process, smaps: 'no mapping here\nRss: 4 kB\n' };
    doc.timeline = { interval: 1, samples: [], markers: [] };
    const d = dataOf(parseSnapshot(JSON.stringify(doc), 'odd.json'));
    assert.deepEqual(d.process, { ok: false, missing: 'The memory maps in this snapshot cannot be read (its smaps text holds no mapping).' });
    assert.deepEqual(d.timeline, { ok: false, missing: MISSING.timelineEmpty });
    assert.ok(d.gc.ok && d.imports.ok && d.types.ok && d.pymalloc.ok);
    assert.deepEqual([d.summary.headline.writable, d.summary.headline.uss], [null, null]);
  });

  test('the parts the panel reads without checking their shape are refused malformed by the loader', () => {
    const spoiled: [string, unknown, RegExp][] = [
      ['census', { ...load('rich.json').census, types: 'nope' }, /census\.types is "nope", where a list of types is expected/],
      ['timeline', { interval: 1, samples: {}, markers: [] }, /timeline\.samples is an object, where a list of samples is expected/],
      ['gc', { ...load('rich.json').gc, generations: 3 }, /gc\.generations is 3, where a list of generations is expected/],
      ['imports', 'json', /imports is "json", where a list of import costs is expected/],
      ['pymallocStats', ['text'], /pymallocStats is an array, where a string is expected/],
    ];
    for (const [key, value, sentence] of spoiled) {
      const text = JSON.stringify({ ...load('rich.json'), [key]: value });
      assert.throws(() => parseSnapshot(text, 'spoiled.json'), sentence, key);
    }
  });

  test('hostile fixture: strings pass through as data, unchanged', () => {
    const d = dataOf(load('hostile.json'));
    // The path's last `/` is the one in `</script>`: the file is `script> "dq" 'sq'.py`.
    assert.equal(panelData(buildModel(load('hostile.json')), { source: { snapshotPath: 'h.json' } }).program.name, `script> "dq" 'sq'.py`);
    assert.equal(d.lines.files[0].path, `/ws/<script>alert(1)</script> "dq" 'sq'.py`);
    assert.equal(ok(d.types).rows[0].type, '<script>alert(1)</script>');
    assert.equal(d.program.label, '<b>label</b> <script>alert(1)</script>');
    assert.equal(d.program.ended, 'still running (snapshot during the run)');
    assert.ok(ok(d.process).files.some((f) => f.path === '/tmp/<script>alert(8)</script> "lib".so'));
  });

  test('ended: exception, signal, exit status and host-observed signal in words', () => {
    const doc = makeDoc([{ path: '/ws/a.py', lines: [[1, 10, 1]] }]);
    const ended = (patch: Partial<ProgramInfo>): string | null =>
      dataOf({ ...doc, program: { ...doc.program, ...patch } }).program.ended;
    assert.equal(ended({ end: { kind: 'exception', type: 'ZeroDivisionError', message: 'division by zero' } }), 'ended with ZeroDivisionError: division by zero');
    assert.equal(ended({ end: { kind: 'signal', signal: 'SIGTERM' } }), 'stopped by SIGTERM');
    assert.equal(ended({ exitCode: 3 }), 'exited with status 3');
    assert.equal(ended({ exitSignal: 'SIGKILL', exitCode: null }), 'ended by SIGKILL');
    const named = (argv: string[]): string =>
      panelData(buildModel({ ...doc, program: { ...doc.program, argv } }), { source: { snapshotPath: 's.json' } }).program.name;
    assert.equal(named(['/usr/bin/python3', '-m', 'pkg.tool', 'x']), '-m pkg.tool');
    assert.equal(named(['/usr/bin/python3', '-X', 'importtime', '-u', '/ws/app.py', '-v']), 'app.py');
    assert.equal(named(['/usr/bin/python3', '-c', 'print(1)']), '-c');
    assert.equal(named(['/usr/bin/python3']), 'python3');
    assert.equal(dataOf(doc).program.name, 'sample.py', 'the host\'s script wins');
  });

  test('100 000 lines: computed once per model (time printed, not asserted)', () => {
    const files = Array.from({ length: 100 }, (_, f) => ({
      path: `/ws/pkg/module_${f}.py`,
      lines: Array.from({ length: 1000 }, (_, l) => [l + 1, ((f * 7919 + l * 104729) % 1_000_003) + 1, (l % 50) + 1] as [number, number, number]),
    }));
    const model = buildModel(makeDoc(files));
    const t0 = process.hrtime.bigint();
    const d = panelData(model, { source: { snapshotPath: 'big.json' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`      panelData for ${d.lines.rows.length} lines: ${ms.toFixed(0)} ms, ${(JSON.stringify(d).length / MiB).toFixed(1)} MiB as JSON`);
    assert.equal(d.lines.rows.length, 100_000);
    for (let i = 1; i < d.lines.rows.length; i++) assert.ok(d.lines.rows[i - 1].exitBytes >= d.lines.rows[i].exitBytes);
  });
});
