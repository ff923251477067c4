// Comparing snapshots on real helper output: test/fixtures/leak/round1..4.json are the
// snapshots of test/fixtures/leak/leaky.py after 1, 2, 3 and 4 rounds (see test/fixtures/README.md).
// Each round leaks 2 MiB of bytes on the @blobs line and 10 000 Session objects on the @sessions
// line, and drops an 8 MiB temporary on the @temporary line. Also: compatibility warnings.
import * as assert from 'node:assert/strict';
import { compareCompatibility, programIdentity } from '../../src/model/compat';
import {
  diffSnapshots,
  indexLines,
  largestGrowth,
  largestShrink,
  type LineDelta,
  type SnapshotDiff,
} from '../../src/model/diff';
import { buildModel } from '../../src/model/model';
import { classifySmaps, parseSmaps } from '../../src/model/smaps';
import type { WithProgram } from '../../src/model/origin';
import type { ProgramInfo, SnapshotDocument } from '../../src/protocol/snapshot';
import { leakLine, leakRound, makeDoc, SESSION_BYTES_PER_ROUND, within } from './helpers';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The absolute path leaky.py had when the fixtures were made. */
function leakyPath(doc: SnapshotDocument): string {
  const f = doc.files.find((x) => x.path.endsWith('/leaky.py'));
  assert.ok(f, 'leaky.py is not in the snapshot');
  return f.path;
}

function lineRow(diff: SnapshotDiff, file: string, line: number): LineDelta | undefined {
  return diff.lines.find((l) => l.file === file && l.line === line);
}

/** A copy of `doc` with `edit` applied, leaving the fixture as read. */
function edited<T extends WithProgram>(doc: T, edit: (d: T) => void): T {
  const copy = structuredClone(doc);
  edit(copy);
  return copy;
}

suite('diff', () => {
  test('per round, the blobs line grows by 2 MiB (±5 %), the sessions line by their measured size (±20 %), the temporary not at all', () => {
    const docs = [leakRound(1), leakRound(2), leakRound(3), leakRound(4)];
    const file = leakyPath(docs[0]);
    const pairs: [number, number][] = [[0, 1], [1, 2], [2, 3], [0, 3]];
    for (const [i, j] of pairs) {
      const diff = diffSnapshots(docs[i], docs[j]);
      const rounds = j - i;
      const blobs = lineRow(diff, file, leakLine('blobs'))!;
      const sessions = lineRow(diff, file, leakLine('sessions'))!;
      within(blobs.bytes.delta, 2 * MiB * rounds, 0.05, `blobs, rounds ${i + 1}→${j + 1}`);
      within(sessions.bytes.delta, SESSION_BYTES_PER_ROUND * rounds, 0.2, `sessions, rounds ${i + 1}→${j + 1}`);
      // 8 blocks of 256 KiB per round; 10 000 Session objects and about as many int keys.
      assert.equal(blobs.blocks.delta, 8 * rounds);
      within(sessions.blocks.delta, 20000 * rounds, 0.05, 'sessions blocks');
      assert.equal(blobs.growth, blobs.bytes.delta);
      // The temporary is freed every round: no line of it holds memory in either snapshot.
      assert.equal(lineRow(diff, file, leakLine('temporary'))?.growth ?? 0, 0);
      // Nothing else grew by as much as 1 KiB: the two leaking lines are the only growth.
      assert.deepEqual(
        diff.lines.filter((l) => l.growth >= KiB).map((l) => l.line),
        [leakLine('blobs'), leakLine('sessions')],
      );
    }
  });

  test('lines are sorted by growth, and the largest shrink is the growth reversed', () => {
    const diff = diffSnapshots(leakRound(1), leakRound(4));
    assert.ok(diff.lines.length > 5);
    for (let i = 1; i < diff.lines.length; i++) {
      assert.ok(diff.lines[i - 1].growth >= diff.lines[i].growth, `lines ${i - 1} and ${i} out of order`);
    }
    assert.deepEqual(largestGrowth(diff.lines).map((l) => l.line), [leakLine('blobs'), leakLine('sessions')]);
    assert.deepEqual(largestGrowth(diff.lines, 1).map((l) => l.line), [leakLine('blobs')]);
    assert.deepEqual(largestShrink(diff.lines), []);

    const back = diffSnapshots(leakRound(4), leakRound(1));
    assert.deepEqual(largestGrowth(back.lines), []);
    assert.deepEqual(largestShrink(back.lines).map((l) => [l.line, l.growth]), [
      [leakLine('blobs'), -lineRow(diff, leakyPath(leakRound(1)), leakLine('blobs'))!.growth],
      [leakLine('sessions'), -lineRow(diff, leakyPath(leakRound(1)), leakLine('sessions'))!.growth],
    ]);
    // The growth order puts shrinking lines last.
    assert.equal(back.lines[back.lines.length - 1].line, leakLine('blobs'));
  });

  test('ties in growth are ordered by file and line; lines on one side only count as 0 on the other', () => {
    const before = makeDoc([{ path: '/ws/b.py', lines: [[3, 500, 1], [9, 100, 1]] }, { path: '/ws/a.py', lines: [[7, 100, 1]] }]);
    const after = makeDoc([{ path: '/ws/a.py', lines: [[7, 300, 2], [2, 200, 1]] }, { path: '/ws/b.py', lines: [[9, 300, 3]] }]);
    const diff = diffSnapshots(before, after);
    assert.deepEqual(
      diff.lines.map((l) => `${l.file}:${l.line} ${l.bytes.before}→${l.bytes.after} (${l.growth})`),
      ['/ws/a.py:2 0→200 (200)', '/ws/a.py:7 100→300 (200)', '/ws/b.py:9 100→300 (200)', '/ws/b.py:3 500→0 (-500)'],
    );
    assert.deepEqual(largestShrink(diff.lines).map((l) => l.line), [3]);
    assert.equal(indexLines(diff).get('/ws/b.py')!.get(9)!.blocks.delta, 2);
    assert.deepEqual(
      diff.files.map((f) => `${f.file} ${f.bytes.delta} ${f.lines}`),
      ['/ws/a.py 400 2', '/ws/b.py -300 2'],
    );
  });

  test('totals: traced memory, blocks, RSS, writable memory and the census, before and after', () => {
    const [b, a] = [leakRound(1), leakRound(4)];
    const diff = diffSnapshots(b, a);
    assert.deepEqual(diff.totals.traced, {
      before: b.totals.tracedCurrent, after: a.totals.tracedCurrent, delta: a.totals.tracedCurrent - b.totals.tracedCurrent,
    });
    // Three rounds of leaks: 3 × (2 MiB + the sessions), all the traced growth there is.
    within(diff.totals.traced.delta, 3 * (2 * MiB + SESSION_BYTES_PER_ROUND), 0.05, 'traced growth');
    assert.equal(diff.totals.blocks.delta, a.totals.blocks - b.totals.blocks);
    assert.equal(diff.totals.lineBytes.delta, diff.lines.reduce((s, l) => s + l.bytes.delta, 0));
    assert.equal(diff.totals.lineBytes.after, buildModel(a).totalBytes.exit);
    assert.deepEqual(diff.totals.rss, { before: b.totals.rss, after: a.totals.rss, delta: a.totals.rss! - b.totals.rss! });
    assert.equal(diff.totals.maxRss!.delta, a.totals.maxRss! - b.totals.maxRss!);
    const wb = classifySmaps(parseSmaps(b.process!.smaps!)).writable;
    const wa = classifySmaps(parseSmaps(a.process!.smaps!)).writable;
    assert.deepEqual(diff.totals.writable, { before: wb, after: wa, delta: wa - wb });
    // Writable memory grew at least by what the program leaked.
    assert.ok(diff.totals.writable!.delta >= diff.totals.traced.delta);
    assert.deepEqual(diff.totals.censusObjects, {
      before: b.census!.objects, after: a.census!.objects, delta: a.census!.objects - b.census!.objects,
    });
    assert.equal(diff.totals.censusBytes!.delta, a.census!.bytes - b.census!.bytes);
    assert.equal(diff.seconds, a.program.endTime - b.program.endTime);
    assert.deepEqual([diff.before.label, diff.after.label], ['after round 1', 'after round 4']);

    const noRss = diffSnapshots(edited(b, (d) => (d.totals.rss = null)), a);
    assert.equal(noRss.totals.rss, null);
  });

  test('a grown line lists the later snapshot\'s call paths, matched to the earlier ones by their frames', () => {
    const [b, a] = [leakRound(1), leakRound(4)];
    const diff = diffSnapshots(b, a);
    const file = leakyPath(a);
    const blobs = lineRow(diff, file, leakLine('blobs'))!;
    const raw = (doc: SnapshotDocument) => {
      const fi = doc.files.findIndex((f) => f.path === file);
      return doc.files[fi].lines.find((l) => l.line === leakLine('blobs'))!.paths;
    };
    const [beforePaths, afterPaths] = [raw(b), raw(a)];
    assert.equal(blobs.paths.length, afterPaths.length);
    assert.equal(blobs.paths[0].after, afterPaths[0].bytes);
    // The same frames in the first snapshot: its bytes there, and the difference.
    assert.equal(blobs.paths[0].before, beforePaths[0].bytes);
    assert.equal(blobs.paths[0].delta, afterPaths[0].bytes - beforePaths[0].bytes);
    within(blobs.paths[0].delta, 6 * MiB, 0.05, 'the main path of the blobs line');
    // Innermost first: the blobs line itself, then leak_round's caller in main.
    assert.equal(blobs.paths[0].frames[0].file, file);
    assert.equal(blobs.paths[0].frames[0].line, leakLine('blobs'));

    // A path not among the earlier ones gives its later bytes; a line gone gives its freed paths.
    const p = (file: number, line: number) => ({ bytes: 0, blocks: 1, frames: [[file, line]] as [number, number][] });
    const before = makeDoc([{ path: '/ws/app.py', lines: [[5, 100, 1], [8, 40, 1]] }]);
    const after = makeDoc([{ path: '/ws/app.py', lines: [[5, 900, 3]] }]);
    after.files[0].lines[0].paths = [
      { ...p(0, 5), bytes: 700, frames: [[0, 5], [0, 20]] },
      { ...p(0, 5), bytes: 200 },
    ];
    const synthetic = diffSnapshots(before, after);
    assert.deepEqual(
      synthetic.lines.find((l) => l.line === 5)!.paths.map((x) => [x.frames.map((f) => f.line), x.before, x.after, x.delta]),
      [[[5, 20], null, 700, 700], [[5], 100, 200, 100]],
    );
    assert.deepEqual(
      synthetic.lines.find((l) => l.line === 8)!.paths.map((x) => [x.before, x.after, x.delta]),
      [[40, 0, -40]],
    );
  });

  test('scopes sum the growth of their lines, with the later snapshot\'s ranges', () => {
    const diff = diffSnapshots(leakRound(1), leakRound(4));
    const file = leakyPath(leakRound(4));
    const scope = (name: string) => diff.scopes.find((s) => s.file === file && s.name === name)!;
    const blobs = lineRow(diff, file, leakLine('blobs'))!;
    const sessions = lineRow(diff, file, leakLine('sessions'))!;
    assert.equal(scope('leak_round').bytes.delta, blobs.bytes.delta + sessions.bytes.delta);
    assert.equal(scope('leak_round').blocks.delta, blobs.blocks.delta + sessions.blocks.delta);
    assert.equal(scope('leak_round').grewMostLine, leakLine('blobs'));
    assert.equal(scope('churn').bytes.delta, 0);
    assert.equal(scope('churn').grewMostLine, null);
    const module = scope('leaky.py');
    assert.equal(module.kind, 'module');
    assert.equal(
      module.bytes.delta,
      diff.lines.filter((l) => l.file === file).reduce((s, l) => s + l.bytes.delta, 0),
    );
    // leaky.py's module and leak_round share the top growth; the module sorts first (line 1).
    assert.deepEqual(diff.scopes.slice(0, 2).map((s) => s.name), ['leaky.py', 'leak_round']);

    // The ranges come from the later snapshot: a function that moved counts the lines now inside it.
    // The module scope holds every line, even one of the earlier snapshot past the later's last.
    const before = makeDoc([{ path: '/ws/m.py', lines: [[4, 100, 1], [12, 100, 1], [30, 70, 1]], scopes: [{ name: 'old', kind: 'function', line: 3, endLine: 5 }] }]);
    const after = makeDoc([{ path: '/ws/m.py', lines: [[4, 150, 1], [12, 400, 2]], scopes: [{ name: 'f', kind: 'function', line: 10, endLine: 14 }] }]);
    const moved = diffSnapshots(before, after);
    assert.deepEqual(
      moved.scopes.map((s) => `${s.kind} ${s.name} ${s.line}-${s.endLine}: ${s.bytes.before}→${s.bytes.after} @${s.grewMostLine}`),
      ['function f 10-14: 100→400 @12', 'module m.py 1-30: 270→550 @12'],
    );
  });

  test('types: count and bytes added per type, from the census', () => {
    const diff = diffSnapshots(leakRound(1), leakRound(4));
    assert.equal(diff.typesAvailable, true);
    assert.equal(diff.typesReason, null);
    assert.equal(diff.typesNote, null);
    const session = diff.types.find((t) => t.type === '__main__.Session')!;
    assert.deepEqual(session.count, { before: 10000, after: 40000, delta: 30000 });
    // A Session with two slots is 48 bytes on 64-bit CPython 3.11 (GC header included).
    assert.equal(session.bytes.delta, 30000 * 48);
    const bytes = diff.types.find((t) => t.type === 'bytes')!;
    within(bytes.bytes.delta, 6 * MiB, 0.05, 'bytes objects');
    assert.equal(bytes.count.delta, 24);
    assert.deepEqual(largestGrowth(diff.types, 2).map((t) => t.type), ['bytes', '__main__.Session']);
    for (let i = 1; i < diff.types.length; i++) assert.ok(diff.types[i - 1].growth >= diff.types[i].growth);
  });

  test('without a census on either side, types are unavailable and a sentence says which side', () => {
    const [b, a] = [leakRound(1), leakRound(4)];
    const noCensus = (d: SnapshotDocument) => delete d.census;
    const later = diffSnapshots(b, edited(a, noCensus));
    assert.equal(later.typesAvailable, false);
    assert.deepEqual(later.types, []);
    assert.equal(later.typesReason, 'Types cannot be compared: the second snapshot ("after round 4") has no type census.');
    assert.equal(later.totals.censusObjects, null);
    const earlier = diffSnapshots(edited(b, (d) => { delete d.census; delete d.label; }), a);
    assert.equal(earlier.typesReason, 'Types cannot be compared: the first snapshot has no type census.');
    const neither = diffSnapshots(edited(b, noCensus), edited(a, noCensus));
    assert.equal(neither.typesReason, 'Types cannot be compared: neither snapshot has a type census.');
    const partial = diffSnapshots(b, edited(a, (d) => (d.census!.complete = false)));
    assert.equal(partial.typesAvailable, true);
    assert.equal(
      partial.typesNote,
      'The type census of the second snapshot ("after round 4") stopped at its time bound, so its figures are a lower bound.',
    );
  });

  test('memory maps: grouped by pathname and permissions, ranked by private dirty growth', () => {
    const [b, a] = [leakRound(1), leakRound(4)];
    const diff = diffSnapshots(b, a);
    assert.equal(diff.mappingsAvailable, true);
    assert.equal(diff.mappingsReason, null);
    // The leaked pages land in the heap: the top row, holding at least the traced growth.
    const top = diff.mappings[0];
    assert.deepEqual([top.name, top.perms, top.group], ['[heap]', 'rw-p', 'anonymous']);
    assert.ok(top.privateDirty.delta >= diff.totals.traced.delta, `${top.privateDirty.delta}`);
    // Rows partition the mappings: their private dirty sums to writable memory on each side.
    const sum = (side: 'before' | 'after') => diff.mappings.reduce((s, m) => s + m.privateDirty[side], 0);
    assert.equal(sum('before'), diff.totals.writable!.before);
    assert.equal(sum('after'), diff.totals.writable!.after);
    assert.equal(
      diff.mappings.reduce((s, m) => s + m.mappings.before, 0),
      parseSmaps(b.process!.smaps!).length,
    );
    for (let i = 1; i < diff.mappings.length; i++) {
      assert.ok(diff.mappings[i - 1].growth >= diff.mappings[i].growth);
    }
    const keys = diff.mappings.map((m) => `${m.pathname} ${m.perms}`);
    assert.equal(new Set(keys).size, keys.length, 'one row per pathname and permissions');
    assert.ok(diff.mappings.some((m) => m.name === '[anonymous]' && m.pathname === ''));
  });

  test('without memory maps on either side, mappings are unavailable with the reason', () => {
    // Rounds 2 and 3 were kept without their smaps text (test/fixtures/README.md).
    assert.equal(diffSnapshots(leakRound(2), leakRound(3)).mappingsReason, 'Memory maps cannot be compared: neither snapshot has memory maps.');
    const one = diffSnapshots(leakRound(1), leakRound(2));
    assert.equal(one.mappingsAvailable, false);
    assert.deepEqual(one.mappings, []);
    assert.equal(one.totals.writable, null);
    assert.equal(one.mappingsReason, 'Memory maps cannot be compared: the second snapshot ("after round 2") has no memory maps.');
    const mac = edited(leakRound(2), (d) => {
      d.process = { smapsError: 'Memory maps (/proc/PID/smaps) exist only on Linux; this program ran on darwin.' };
    });
    assert.equal(
      diffSnapshots(mac, leakRound(4)).mappingsReason,
      'Memory maps cannot be compared: the first snapshot ("after round 2") has no memory maps ' +
        '(Memory maps (/proc/PID/smaps) exist only on Linux; this program ran on darwin).',
    );
  });

  test('the diff is plain data: JSON keeps all of it', () => {
    const diff = diffSnapshots(leakRound(1), leakRound(4));
    assert.deepEqual(JSON.parse(JSON.stringify(diff)), diff);
  });
});

suite('compat', () => {
  const withProgram = (argv: string[], cwd = '/ws', python?: Partial<ProgramInfo['python']>) =>
    edited(makeDoc([]), (d) => {
      d.program.argv = argv;
      d.program.cwd = cwd;
      Object.assign(d.program.python, python ?? {});
    });

  test('two snapshots of the leaky program (two runs) pass without warnings', () => {
    const c = compareCompatibility(leakRound(1), leakRound(4));
    assert.deepEqual(c, { sameProgram: true, sameRun: false, warnings: [] });
    const sameRun = edited(leakRound(4), (d) => {
      d.program.pid = leakRound(1).program.pid;
      d.program.startTime = leakRound(1).program.startTime;
    });
    assert.deepEqual(compareCompatibility(leakRound(1), sameRun), { sameProgram: true, sameRun: true, warnings: [] });
    assert.deepEqual(compareCompatibility(sameRun, leakRound(1)).warnings, [
      'The first snapshot was taken after the second, so growth shows as shrinkage.',
    ]);
  });

  test('a different script warns, naming both', () => {
    const c = compareCompatibility(withProgram(['python3', 'inventory.py']), withProgram(['python3', 'report.py', '--all']));
    assert.equal(c.sameProgram, false);
    assert.deepEqual(c.warnings, ['These snapshots are of different programs: inventory.py and report.py.']);
    // Same file name in two folders: the sentence gives the paths.
    const two = compareCompatibility(withProgram(['python3', 'a/app.py']), withProgram(['python3', 'b/app.py']));
    assert.deepEqual(two.warnings, ['These snapshots are of different programs: /ws/a/app.py and /ws/b/app.py.']);
    const mod = compareCompatibility(withProgram(['python3', 'tool.py']), withProgram(['python3', '-m', 'tool']));
    assert.deepEqual(mod.warnings, ['These snapshots are of different programs: tool.py and -m tool.']);
  });

  test('the same script named differently, and different arguments, are the same program', () => {
    const rel = withProgram(['/usr/bin/python3', '-X', 'dev', 'app.py', 'in.csv'], '/ws');
    const abs = withProgram(['/usr/bin/python3', '-u', '/ws/sub/../app.py'], '/ws');
    assert.deepEqual(compareCompatibility(rel, abs).warnings, []);
    const elsewhere = withProgram(['/usr/bin/python3', '../ws/app.py'], '/tmp');
    const c = compareCompatibility(rel, elsewhere);
    assert.equal(c.sameProgram, true);
    assert.deepEqual(c.warnings, ['These snapshots ran in different working folders: /ws and /tmp.']);
  });

  test('a different Python warns, naming executables and versions', () => {
    const a = withProgram(['python3', 'app.py']);
    const b = withProgram(['python3', 'app.py'], '/ws', { executable: '/opt/py312/bin/python3', version: '3.12.1' });
    assert.deepEqual(compareCompatibility(a, b).warnings, [
      'These snapshots were taken with different Pythons: /usr/bin/python3 (CPython 3.11.2) and /opt/py312/bin/python3 (CPython 3.12.1).',
    ]);
    const upgraded = withProgram(['python3', 'app.py'], '/ws', { version: '3.11.9' });
    assert.equal(compareCompatibility(a, upgraded).warnings.length, 1);
    const deeper = edited(a, (d) => (d.settings.frames = 16));
    assert.deepEqual(compareCompatibility(a, deeper).warnings, [
      'These snapshots were taken with different frame depths (8 and 16), so the same memory may be attributed to different lines.',
    ]);
  });

  test('command lines: options with values, -m, -c, stdin, Windows paths', () => {
    const id = (argv: string[], cwd = '/ws') => programIdentity({ argv, cwd });
    assert.deepEqual(id(['python3', '-W', 'error', '-Xdev', '-m', 'pkg.tool', '-v']), {
      kind: 'module', target: 'pkg.tool', key: 'module:pkg.tool', name: '-m pkg.tool',
    });
    assert.equal(id(['python3', '-Bum', 'pkg']).name, '-m pkg');
    assert.equal(id(['python3', '-mpkg']).target, 'pkg');
    assert.equal(id(['python3', '--check-hash-based-pycs', 'never', 'x.py']).target, '/ws/x.py');
    assert.equal(id(['python3', '-c', 'print(1)', 'arg']).kind, 'command');
    assert.equal(id(['python3', '-']).kind, 'stdin');
    assert.equal(id(['python3']).kind, 'unknown');
    const win = id(['C:\\Python312\\python.exe', 'Tools\\App.py'], 'C:\\Work');
    assert.deepEqual([win.target, win.name], ['C:\\Work\\Tools\\App.py', 'App.py']);
    // Windows paths compare without case.
    assert.equal(win.key, id(['python.exe', 'c:\\work\\tools\\app.py'], 'D:\\').key);
  });
});
