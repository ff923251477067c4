// The Compare and Leaks tabs' data (src/panel/compareData.ts, leaksData.ts) on the real leak
// fixtures (test/fixtures/leak/: leaky.py after rounds 1 to 4; the @blobs line leaks 2 MiB a
// round, @sessions about 1 MiB): the top row is the leaking line, lists keep the model's order,
// totals name what they lack, paths are text, and the snapshots are named by label and time.
import * as assert from 'node:assert/strict';
import { compareCompatibility } from '../../src/model/compat';
import { diffSnapshots } from '../../src/model/diff';
import { findLeaks } from '../../src/model/leaks';
import { compareData } from '../../src/panel/compareData';
import { leaksData } from '../../src/panel/leaksData';
import { leakLine, leakRound } from './helpers';

const MiB = 1024 * 1024;

suite('compare and leaks panel data', () => {
  test('compare round 1 with round 4: the @blobs line on top, grown by 6 MiB; names and totals', () => {
    const [b, a] = [leakRound(1), leakRound(4)];
    const d = compareData(diffSnapshots(b, a), compareCompatibility(b, a), { displayPath: (f) => f.replace('/tmp/memlens-leak-ws/', '') });
    const top = d.lines[0];
    assert.equal(d.files[top.file].display, 'leaky.py');
    assert.equal(d.files[top.file].path, '/tmp/memlens-leak-ws/leaky.py');
    assert.equal(top.line, leakLine('blobs'));
    assert.ok(Math.abs(top.bytes.delta - 6 * MiB) < 0.05 * 6 * MiB, `growth ${top.bytes.delta}`);
    assert.equal(top.bytes.delta, top.bytes.after - top.bytes.before);
    assert.match(top.topPath, /^leaky\.py:\d+/);
    assert.match(top.paths, /^\+[\d.]+ MiB/);
    // Most growth first, as the diff orders it.
    for (let i = 1; i < d.lines.length; i++) assert.ok(d.lines[i - 1].bytes.delta >= d.lines[i].bytes.delta);
    assert.equal(d.before.title, 'after round 1');
    assert.equal(d.after.label, 'after round 4');
    assert.ok(d.seconds !== null && d.seconds > 0);
    const traced = d.totals.find((t) => t.id === 'traced')!;
    assert.ok(traced.figure !== null && traced.figure.delta > 8 * MiB, JSON.stringify(traced));
    const writable = d.totals.find((t) => t.id === 'writable')!;
    assert.ok(writable.figure !== null, 'rounds 1 and 4 both carry memory maps');
    assert.ok(d.mappings.ok && d.mappings.data.length > 0);
    assert.ok(d.types.ok && d.types.data.rows.some((r) => r.type.endsWith('Session') && r.count.delta === 30000));
    // The function holding the leak, with the line that grew most as its target.
    const fn = d.functions.find((f) => f.name === 'leak_round')!;
    assert.equal(fn.target, leakLine('blobs'));
    assert.ok(d.functions.every((f) => f.bytes.before !== 0 || f.bytes.after !== 0));
  });

  test('compare: a part one snapshot lacks is a sentence; warnings are the compatibility\'s', () => {
    const [b, a] = [leakRound(2), leakRound(3)];
    const compat = compareCompatibility(b, a);
    const d = compareData(diffSnapshots(b, a), compat);
    assert.equal(d.mappings.ok, false);
    assert.match(d.mappings.ok ? '' : d.mappings.missing, /Memory maps cannot be compared/);
    const writable = d.totals.find((t) => t.id === 'writable')!;
    assert.equal(writable.figure, null);
    assert.match(writable.note, /Memory maps cannot be compared/);
    assert.deepEqual(d.warnings, compat.warnings);
  });

  test('leaks over rounds 1 to 4: @blobs first, 2 MiB an interval, its bytes at each snapshot', () => {
    const d = leaksData(findLeaks([leakRound(3), leakRound(1), leakRound(4), leakRound(2)]));
    assert.ok(d.ok);
    const top = d.lines[0];
    assert.equal(d.files[top.file].path, '/tmp/memlens-leak-ws/leaky.py');
    assert.equal(top.line, leakLine('blobs'));
    assert.equal(top.bytes.length, 4);
    assert.ok(Math.abs(top.bytesPerInterval - 2 * MiB) < 0.05 * 2 * MiB, `per interval ${top.bytesPerInterval}`);
    assert.deepEqual(d.snapshots.map((s) => s.title), ['after round 1', 'after round 2', 'after round 3', 'after round 4']);
    assert.equal(d.intervals, 3);
    assert.ok(d.warnings.some((w) => /different runs/.test(w)));
    assert.ok(d.types.ok && d.types.data.some((t) => t.type.endsWith('Session')));
  });

  test('leaks: a refused search is its sentence', () => {
    const d = leaksData(findLeaks([leakRound(1), leakRound(2)]));
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.error, /at least three snapshots/);
  });
});
