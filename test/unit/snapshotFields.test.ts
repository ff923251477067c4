import * as assert from 'node:assert/strict';
import { parseSnapshot, SnapshotError } from '../../src/model/load';
import { fixtureText } from './helpers';

/** Snapshot fields of unusual ends: a program that changed folder, stopped tracing and exec'd. */
suite('snapshot fields of unusual ends', () => {
  const exec = (): Record<string, any> => JSON.parse(fixtureText('helper-exec.json')) as Record<string, any>;

  test("loads the real helper's snapshot of a program that changed folder, stopped tracing and exec'd", () => {
    const doc = parseSnapshot(fixtureText('helper-exec.json'), 'helper-exec.json');
    assert.ok(doc.program);
    assert.deepEqual(doc.program.end, { kind: 'exec', argv: ['/usr/bin/true', '--from-the-fixture'] });
    assert.equal(doc.program.cwd, '/tmp/memlens-fixture-ws');
    assert.equal(doc.program.exitCwd, '/tmp/memlens-fixture-ws/later');
    assert.ok(doc.tracingStopped && doc.tracingStopped.at > 0 && doc.tracingStopped.at < doc.totals.wallSeconds!);
    // Stopping forgot the traces; the peak reached before it is kept.
    assert.equal(doc.totals.tracedCurrent, 0);
    assert.ok(doc.totals.tracedPeak! >= 6 * 1024 * 1024);
  });

  test('refuses malformed new fields with a sentence naming the field', () => {
    const cases: [(d: Record<string, any>) => void, RegExp][] = [
      [(d) => (d.program.end = { kind: 'exec' }), /program\.end\.argv/],
      [(d) => (d.program.end = { kind: 'exec', argv: [1] }), /program\.end\.argv/],
      [(d) => (d.program.exitCwd = 3), /program\.exitCwd/],
      [(d) => (d.tracingStopped = { at: -1 }), /tracingStopped\.at/],
      [(d) => (d.tracingStopped = 2), /tracingStopped/],
    ];
    for (const [spoil, pattern] of cases) {
      const d = exec();
      spoil(d);
      assert.throws(
        () => parseSnapshot(JSON.stringify(d), 'x.json'),
        (err: unknown) => err instanceof SnapshotError && pattern.test(err.message),
        String(pattern),
      );
    }
  });
});
