// The editor's view of a comparison, on the real leak fixtures: the growth text on a line, the
// scopes' lens titles, and how snapshots are named.
import * as assert from 'node:assert/strict';
import { Comparison, growthLensTitle, growthText, refName } from '../../src/model/comparison';
import { diffSnapshots } from '../../src/model/diff';
import { leakLine, leakRound } from './helpers';

const MiB = 1024 * 1024;

suite('comparison in the editor', () => {
  const diff = diffSnapshots(leakRound(1), leakRound(3));
  const comparison = new Comparison(diff, '/runs/a/snapshot-1.json', '/runs/a/snapshot-3.json');

  test('indexes the leaking line with its growth, and scales heat to the largest growth', () => {
    const blobs = [...comparison.lines.values()].flatMap((m) => [...m.values()]).find((l) => l.line === leakLine('blobs'));
    assert.ok(blobs, 'the @blobs line is compared');
    assert.ok(Math.abs(blobs.bytes.delta - 4 * MiB) <= 0.05 * 4 * MiB, `grew ${blobs.bytes.delta}`);
    assert.equal(comparison.maxGrowth, Math.max(...diff.lines.map((l) => l.growth)));
    assert.match(growthText(blobs, comparison.beforeName), /^\+4\.0 MiB · \+\d+ blocks since "after round 1"$/);
  });

  test('says a shrink with a minus sign and names unlabelled snapshots by kind and time', () => {
    const reversed = diffSnapshots(leakRound(3), leakRound(1));
    const line = reversed.lines.find((l) => l.line === leakLine('blobs'))!;
    assert.match(growthText(line, 'x'), /^\u22124\.0 MiB · \u2212\d+ blocks since x$/);
    assert.equal(refName({ ...diff.before, label: null, kind: 'exit', elapsed: 2.25 }), 'the exit snapshot (2.3 s)');
    assert.equal(refName({ ...diff.before, label: null, kind: 'snapshot', elapsed: 1 }), 'the snapshot at 1.0 s');
  });

  test('titles a scope\'s lens with its growth and its size now', () => {
    const grown = diff.scopes.find((s) => s.bytes.delta > 0)!;
    assert.match(growthLensTitle(grown, '"after round 1"'), /^MemLens: \+[\d.]+ [KM]iB since "after round 1" \(now [\d.]+ [KM]iB\)$/);
    assert.ok([...comparison.lineKeys()].length === diff.lines.length);
  });
});
