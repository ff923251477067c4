// Finding leaks on the real snapshots of test/fixtures/leak/leaky.py after 1, 2, 3 and 4
// rounds (see test/fixtures/README.md): the @blobs line leaks 2 MiB a round, the @sessions line
// 10 000 Session objects a round, and the @temporary line's 8 MiB is freed every round.
import * as assert from 'node:assert/strict';
import { findLeaks, type LeakFindings, type LeakReport } from '../../src/model/leaks';
import type { WithProgram } from '../../src/model/origin';
import { leakLine, leakRound, makeDoc, SESSION_BYTES_PER_ROUND, within, type LineSpec } from './helpers';

const MiB = 1024 * 1024;

function findings(report: LeakReport): LeakFindings {
  assert.ok(report.ok, report.ok ? '' : report.error);
  return report;
}

/** Snapshots of one run of /ws/app.py at times 10, 20, 30…, each holding `lines` of app.py. */
function series(...snapshots: LineSpec[][]): WithProgram[] {
  return snapshots.map((lines, i) => {
    const d = makeDoc([{ path: '/ws/app.py', lines }]);
    d.kind = 'snapshot';
    d.program.endTime = 10 * (i + 1);
    return d;
  });
}

suite('leaks', () => {
  test('the two leaking lines are found, ranked by rate, and nothing else is', () => {
    const docs = [leakRound(1), leakRound(2), leakRound(3), leakRound(4)];
    const report = findings(findLeaks(docs));
    assert.deepEqual(report.lines.map((l) => l.line), [leakLine('blobs'), leakLine('sessions')]);
    assert.ok(!report.lines.some((l) => l.line === leakLine('temporary')));
    const [blobs, sessions] = report.lines;
    const seconds = docs[3].program.endTime - docs[0].program.endTime;
    assert.equal(report.seconds, seconds);
    assert.equal(report.intervals, 3);
    assert.ok(blobs.bytesPerSecond > sessions.bytesPerSecond);
    for (const d of blobs.deltas) within(d, 2 * MiB, 0.05, 'blobs per interval');
    for (const d of sessions.deltas) within(d, SESSION_BYTES_PER_ROUND, 0.2, 'sessions per interval');
    assert.equal(blobs.growth, blobs.bytes[3] - blobs.bytes[0]);
    assert.equal(blobs.bytesPerSecond, blobs.growth / seconds);
    assert.equal(blobs.bytesPerInterval, blobs.growth / 3);
    within(blobs.bytesPerInterval, 2 * MiB, 0.05, 'blobs per interval on average');
    assert.deepEqual(blobs.blocks, [9, 17, 25, 33]);
    // The growth's call paths, from the last snapshot, matched to the first's.
    assert.equal(blobs.paths[0].frames[0].line, leakLine('blobs'));
    within(blobs.paths[0].delta, 6 * MiB, 0.05, 'the main path of the blobs line');
    assert.ok(blobs.paths[0].before !== null && blobs.paths[0].before > 0);
    assert.deepEqual([report.snapshots[0].label, report.snapshots[3].label], ['after round 1', 'after round 4']);
  });

  test('types that grew in every interval: bytes objects, Sessions, the dicts and int keys', () => {
    const report = findings(findLeaks([leakRound(1), leakRound(2), leakRound(3), leakRound(4)]));
    assert.equal(report.typesAvailable, true);
    assert.deepEqual(report.types.map((t) => t.type), ['bytes', '__main__.Session', 'dict', 'int']);
    const session = report.types[1];
    assert.deepEqual(session.count, [10000, 20000, 30000, 40000]);
    assert.deepEqual(session.deltas, [480000, 480000, 480000]);
    assert.equal(session.countPerSecond, 30000 / report.seconds);
  });

  test('the order the snapshots come in does not matter: they are put in time order', () => {
    const ordered = findings(findLeaks([leakRound(1), leakRound(2), leakRound(3), leakRound(4)]));
    const shuffled = findings(findLeaks([leakRound(3), leakRound(1), leakRound(4), leakRound(2)]));
    assert.deepEqual(shuffled, ordered);
    assert.deepEqual(shuffled.snapshots.map((s) => s.label), ['after round 1', 'after round 2', 'after round 3', 'after round 4']);
  });

  test('fewer than three snapshots: a sentence, no findings', () => {
    const two = findLeaks([leakRound(1), leakRound(2)]);
    assert.deepEqual(two, {
      ok: false,
      error: 'Finding leaks needs at least three snapshots of one run, so that growth can be seen in every interval; two were given.',
    });
    const one = findLeaks([leakRound(1)]);
    assert.ok(!one.ok && one.error.endsWith('one was given.'));
    const none = findLeaks([]);
    assert.ok(!none.ok && none.error.endsWith('none was given.'));
  });

  test('snapshots of separate runs are looked at with a warning; of one run, without', () => {
    const docs = [leakRound(1), leakRound(2), leakRound(3), leakRound(4)];
    const separate = findings(findLeaks(docs));
    assert.deepEqual(separate.warnings, [
      `These snapshots come from 4 different runs (processes ${docs.map((d) => d.program.pid).join(', ').replace(/, (\d+)$/, ' and $1')}), ` +
        'so growth between them may come from different input rather than a leak.',
    ]);
    for (const d of docs) {
      d.program.pid = docs[0].program.pid;
      d.program.startTime = docs[0].program.startTime;
    }
    assert.deepEqual(findings(findLeaks(docs)).warnings, []);
  });

  test('snapshots of different programs, or two taken at one moment, are refused', () => {
    const other = structuredClone(leakRound(3));
    other.program.argv = [other.program.argv[0], 'report.py'];
    const mixed = findLeaks([leakRound(1), leakRound(2), other]);
    assert.deepEqual(mixed, {
      ok: false,
      error: 'These snapshots are of different programs: leaky.py and report.py. Leaks are looked for among snapshots of one program.',
    });
    const twice = findLeaks([leakRound(1), leakRound(2), leakRound(2)]);
    assert.ok(!twice.ok);
    assert.equal(
      twice.error,
      'Two of these snapshots were taken at the same moment ("after round 2" and "after round 2"): is one of them there twice? ' +
        'Each interval needs time between its snapshots.',
    );
  });

  test('growth must reach 1 KiB in every interval: flat, jittering and shrinking lines are left out', () => {
    const docs = series(
      [[1, 10000, 1], [2, 5000, 1], [3, 100, 1], [4, 8000, 1], [6, 50000, 1]],
      [[1, 20000, 2], [2, 9000, 2], [3, 200, 2], [4, 8000, 1], [5, 4096, 1], [6, 60000, 1]],
      [[1, 30000, 3], [2, 9500, 2], [3, 300, 3], [4, 12000, 2], [5, 8192, 2], [6, 30000, 1]],
      [[1, 40000, 4], [2, 20000, 3], [3, 400, 4], [4, 16000, 3], [5, 12288, 3], [6, 70000, 1]],
    );
    // 1: steady; 2: a 500-byte interval is flat; 3: 100 B per interval is below 1 KiB; 4: flat at
    // first; 5: absent at first (0), then 4 KiB a time; 6: shrinks once.
    const report = findings(findLeaks(docs));
    assert.deepEqual(report.lines.map((l) => [l.line, l.growth, l.bytesPerSecond]), [
      [1, 30000, 1000],
      [5, 12288, 409.6],
    ]);
    assert.deepEqual(report.lines[1].bytes, [0, 4096, 8192, 12288]);
    // A lower threshold (here: any rise) lets the jittering and the slow lines in, ranked by rate.
    assert.deepEqual(findings(findLeaks(docs, { minGrowthBytes: 1 })).lines.map((l) => l.line), [1, 2, 5, 3]);
    assert.equal(findings(findLeaks(docs, { minGrowthBytes: 0 })).minGrowthBytes, 1);
  });

  test('types need a census in every snapshot; lines are found without', () => {
    const docs = [leakRound(1), leakRound(2), leakRound(3), leakRound(4)];
    delete docs[1].census;
    const report = findings(findLeaks(docs));
    assert.equal(report.typesAvailable, false);
    assert.deepEqual(report.types, []);
    assert.equal(report.typesReason, 'Types cannot be followed: 1 of the 4 snapshots ("after round 2") has no type census.');
    assert.equal(report.lines.length, 2);
    const none = findings(findLeaks(series([[1, 1, 1]], [[1, 2000, 1]], [[1, 4000, 1]])));
    assert.equal(none.typesReason, 'Types cannot be followed: none of these snapshots has a type census.');
  });
});
