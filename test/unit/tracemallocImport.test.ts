// Imported tracemalloc dumps: a real imported document (test/fixtures/tracemalloc-import.json)
// loads and reads without a program, every reader says what it does not know instead of printing
// a made-up figure, and the importer process (src/run/tracemallocImport.ts) turns a real dump into
// that document, refuses a hostile pickle without running it, and can be cancelled.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderReport } from '../../src/cli/report';
import { compareCompatibility } from '../../src/model/compat';
import { diffSnapshots } from '../../src/model/diff';
import { findLeaks } from '../../src/model/leaks';
import { loadSnapshotFile, parseSnapshot, SnapshotError } from '../../src/model/load';
import { buildModel, hottestLines } from '../../src/model/model';
import { MISSING, panelData } from '../../src/panel/panelData';
import type { SnapshotDocument } from '../../src/protocol/snapshot';
import { importerArgs, importTracemallocDump } from '../../src/run/tracemallocImport';
import { fixturePath, fixtureText, makeDoc, markerLine, python, REPO_ROOT } from './helpers';

const MiB = 1024 * 1024;
const DUMP = '/tmp/memlens-tracemalloc-ws/prog.tracemalloc';
const SCRIPT = '/tmp/memlens-tracemalloc-ws/tracemalloc_dump.py';

function imported(): SnapshotDocument {
  return parseSnapshot(fixtureText('tracemalloc-import.json'), 'tracemalloc-import.json');
}

suite('imported tracemalloc dumps: the document and its readers', () => {
  test('the fixture loads: no program, its origin, the buffer on its line, no peak view', () => {
    const doc = imported();
    assert.equal(doc.program, null);
    assert.deepEqual(doc.origin, { kind: 'tracemalloc-dump', path: DUMP });
    assert.equal(doc.kind, 'snapshot');
    assert.equal(doc.label, 'prog.tracemalloc');
    const model = buildModel(doc);
    const top = hottestLines(model, 'exit', 1)[0];
    assert.deepEqual([top.file, top.line], [SCRIPT, markerLine('programs/tracemalloc_dump.py', 'big')]);
    assert.ok(Math.abs(top.exit!.bytes - 10 * MiB) <= 0.05 * 10 * MiB);
    assert.equal(model.totalBytes.exit, doc.totals.tracedCurrent);
    assert.equal(model.totalBytes.peak, 0);
    assert.equal(doc.peak.method, 'none');
  });

  test('unknown figures must be null, not missing; known ones must be there', () => {
    const doc = imported() as unknown as Record<string, any>;
    const refusal = (edit: (d: Record<string, any>) => void): string => {
      const copy = structuredClone(doc);
      edit(copy);
      try {
        parseSnapshot(JSON.stringify(copy), 'x.json');
      } catch (err) {
        assert.ok(err instanceof SnapshotError);
        return err.message;
      }
      return '';
    };
    assert.match(refusal((d) => delete d.totals.maxRss), /totals\.maxRss is missing, where a whole number from 0 up is expected/);
    assert.match(refusal((d) => (d.totals.tracedCurrent = null)), /totals\.tracedCurrent is null/);
    assert.match(refusal((d) => (d.peak.stepBytes = -1)), /peak\.stepBytes is -1/);
    assert.match(refusal((d) => (d.origin.kind = 'heapy')), /origin\.kind is "heapy", where "tracemalloc-dump" is expected/);
    assert.match(refusal((d) => (d.origin = 'x')), /origin is "x", where an object is expected/);
    assert.match(refusal((d) => (d.program = { argv: [] })), /program\.cwd is missing/);
    assert.equal(refusal(() => undefined), '');
  });

  test('the panel: no python, pid or end; the origin instead; unknown headline figures are null', () => {
    const data = panelData(buildModel(imported()), { source: { snapshotPath: '/s/imports/x.json' } });
    assert.deepEqual(data.program, {
      name: 'prog.tracemalloc',
      argv: null,
      python: null,
      pid: null,
      kind: 'snapshot',
      label: 'prog.tracemalloc',
      ended: null,
      origin: `imported from the tracemalloc dump ${DUMP}`,
      frames: 8,
      mode: 'exact',
      sampleInterval: null,
      modeNote: null,
    });
    const h = data.summary.headline;
    assert.deepEqual(
      [h.tracedPeak, h.maxRss, h.rss, h.minorFaults, h.majorFaults, h.wallSeconds, h.cpuSeconds, h.writable],
      [null, null, null, null, null, null, null, null],
    );
    assert.equal(h.tracedCurrent, imported().totals.tracedCurrent);
    assert.equal(data.lines.hasPeak, false);
    assert.deepEqual(data.summary.topLinesPeak, []);
    // What a run's snapshot may lack for other reasons, a dump lacks because it holds traces alone.
    for (const part of [data.types, data.process, data.timeline, data.gc, data.imports, data.pymalloc]) {
      assert.ok(!part.ok);
      assert.match(part.missing, /^No .+ in this snapshot: it was imported from a tracemalloc dump, which holds the traces alone\.$/);
    }
    const run = panelData(buildModel(makeDoc([{ path: '/ws/a.py', lines: [[1, 10, 1]] }])), { source: { snapshotPath: 's.json' } });
    assert.deepEqual(run.types, { ok: false, missing: MISSING.types });
    assert.equal(run.program.origin, null);
  });

  test('the CLI report names the dump and prints no figure the dump lacks', () => {
    const text = renderReport(buildModel(imported()), { top: 3, cwd: '/tmp/memlens-tracemalloc-ws', sourceLine: () => undefined });
    const lines = text.split('\n');
    assert.equal(lines[0], `MemLens — prog.tracemalloc — imported from the tracemalloc dump ${DUMP}`);
    assert.match(text, /^Live at the snapshot \d+\.\d MiB in [\d,]+ blocks; the dump records nothing else of the program\.$/m);
    const at = lines.indexOf('Hottest lines at the snapshot');
    assert.match(lines[at + 2], new RegExp(`^ {2}1 +10\\.0 MiB +\\d+ +tracemalloc_dump\\.py:${markerLine('programs/tracemalloc_dump.py', 'big')}$`));
    assert.match(text, /Hottest lines at peak: a tracemalloc dump holds one moment only\./);
    assert.doesNotMatch(text, /peak RSS|traced peak|exit code|ran |unknown|CPython/);
  });

  test('comparisons warn that a dump says neither what nor when; leaks refuse it', () => {
    const dump = imported();
    const run = makeDoc([{ path: SCRIPT, lines: [[markerLine('programs/tracemalloc_dump.py', 'big'), 9 * MiB, 1]] }]);
    const compat = compareCompatibility(run, dump);
    assert.deepEqual(compat, {
      sameProgram: false,
      sameRun: false,
      warnings: [`The second snapshot was imported from the tracemalloc dump ${DUMP}, which does not say what program it is of or when it was taken.`],
    });
    const diff = diffSnapshots(run, dump);
    assert.equal(diff.seconds, null);
    assert.deepEqual([diff.after.time, diff.after.elapsed, diff.after.pid, diff.after.startTime], [null, null, null, null]);
    assert.equal(diff.totals.tracedPeak, null);
    assert.equal(diff.totals.maxRss, null);
    assert.equal(diff.before.pid, 1);
    const line = diff.lines.find((l) => l.file === SCRIPT && l.line === markerLine('programs/tracemalloc_dump.py', 'big'))!;
    assert.ok(line.bytes.delta > 0.9 * MiB && line.bytes.delta < 1.1 * MiB);
    assert.deepEqual(findLeaks([run, structuredClone(run), dump]), {
      ok: false,
      error:
        'Finding leaks needs to know when each snapshot was taken and of what; "prog.tracemalloc" was ' +
        `imported from the tracemalloc dump ${DUMP}, which says neither.`,
    });
  });
});

suite('imported tracemalloc dumps: the importer process', function () {
  this.timeout(60_000);
  const py = python();
  const helperDir = path.join(REPO_ROOT, 'python-helper');
  let dir: string;

  setup(async function () {
    if (py === undefined) this.skip();
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-import-')));
  });
  teardown(async () => {
    if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
  });

  test('the command line: -E -S and the module, then the dump, the output and each root', () => {
    assert.deepEqual(importerArgs({ dump: '/d/x.pickle', out: '/o/x.json', roots: ['/ws', '/lib'] }), [
      '-E', '-S', '-X', 'utf8', '-m', 'memlens_helper.tracemalloc_import', '/d/x.pickle', '/o/x.json', '--root', '/ws', '--root', '/lib',
    ]);
  });

  test('a real dump becomes a snapshot the model reads, with the 10 MiB line; MEMLENS_* stay out', async () => {
    await fs.copyFile(fixturePath('programs/tracemalloc_dump.py'), path.join(dir, 'prog.py'));
    const dump = path.join(dir, 'prog.tracemalloc');
    execFileSync(py!, ['prog.py', dump], { cwd: dir, env: { PATH: process.env.PATH } });
    const out = path.join(dir, 'out.json');
    const stray = path.join(dir, 'stray.json');
    const result = await importTracemallocDump({ python: py!, helperDir, dump, out, roots: [dir], env: { ...process.env, MEMLENS_OUT: stray } });
    assert.deepEqual(result, { ok: true });
    assert.ok(!existsSync(stray), 'the helper did not profile the importer');
    const model = buildModel(await loadSnapshotFile(out));
    const line = model.files.get(path.join(dir, 'prog.py'))!.lines.get(markerLine('programs/tracemalloc_dump.py', 'big'))!;
    assert.ok(Math.abs(line.exit!.bytes - 10 * MiB) <= 0.05 * 10 * MiB);
    assert.equal(model.program, null);
  });

  test("a hostile pickle is refused in the importer's sentence and its command never runs", async () => {
    const marker = path.join(dir, 'MARKER');
    const hostile = path.join(dir, 'evil.pickle');
    execFileSync(py!, ['-c', `import os, pickle, sys
class Run:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
pickle.dump(Run(), open(sys.argv[1], "wb"))`, hostile, marker]);
    const out = path.join(dir, 'out.json');
    const result = await importTracemallocDump({ python: py!, helperDir, dump: hostile, out, roots: [dir], env: process.env });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && !result.cancelled);
    assert.match(result.message, new RegExp(`^${hostile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} asks to load posix\\.system, .*may be a hostile file`));
    assert.ok(!existsSync(marker), 'the pickle ran a command');
    assert.ok(!existsSync(out));
  });

  test('cancelling stops the importer; a missing interpreter is said in a sentence', async () => {
    const dump = path.join(dir, 'x.pickle');
    await fs.writeFile(dump, '');
    const abort = new AbortController();
    abort.abort();
    const cancelled = await importTracemallocDump({ python: py!, helperDir, dump, out: path.join(dir, 'o.json'), roots: [], env: process.env, signal: abort.signal });
    assert.deepEqual(cancelled, { ok: false, cancelled: true, message: `Opening ${dump} was cancelled.` });
    const missing = await importTracemallocDump({ python: path.join(dir, 'no-python'), helperDir, dump, out: path.join(dir, 'o.json'), roots: [], env: process.env });
    assert.deepEqual(missing, { ok: false, cancelled: false, message: `The Python interpreter ${path.join(dir, 'no-python')} was not found.` });
    const empty = await importTracemallocDump({ python: py!, helperDir, dump, out: path.join(dir, 'o.json'), roots: [], env: process.env });
    assert.deepEqual(empty, { ok: false, cancelled: false, message: `${dump} is empty, not a tracemalloc snapshot.` });
  });
});
