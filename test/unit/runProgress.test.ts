// What the CLI learns from the helper's channel: the exit snapshot's real error, and which
// snapshots taken during the run are still being written (started, not yet answered).
import * as assert from 'node:assert/strict';
import { RunProgress } from '../../src/run/runProgress';

suite('RunProgress', () => {
  test('settled only once finished and every started snapshot is answered', () => {
    const p = new RunProgress();
    assert.equal(p.settled, false);
    p.handle({ type: 'started', pid: 1, python: '3.11', executable: '/usr/bin/python3', frames: 8, mode: 'exact' });
    p.handle({ type: 'snapshotStarted', seq: 1, t: 0.1 });
    p.handle({ type: 'snapshotStarted', seq: 2, t: 0.2 });
    p.handle({ type: 'snapshotWritten', seq: 1, path: '/t/snapshot-1.json', kind: 'snapshot', seconds: 0.3 });
    p.handle({ type: 'finishing' });
    p.handle({ type: 'finished', path: null, error: 'OSError: [Errno 28] No space left on device' });
    assert.equal(p.unanswered, 1);
    assert.equal(p.settled, false, 'snapshot 2 is still being written');
    p.handle({ type: 'snapshotFailed', seq: 2, error: 'stopped' });
    assert.equal(p.settled, true);
    assert.deepEqual(p.report, { started: true, finished: { path: null, error: 'OSError: [Errno 28] No space left on device' } });
  });

  test('exitSnapshotTaken waits only while the exit snapshot is being written', async () => {
    const p = new RunProgress();
    assert.equal(await p.exitSnapshotTaken(5000), false, 'nothing to wait for');
    p.handle({ type: 'finishing' });
    const t0 = Date.now();
    setTimeout(() => p.handle({ type: 'finished', path: '/t/snapshot.json' }), 100);
    assert.equal(await p.exitSnapshotTaken(5000), true);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(await p.until(() => false, 50), false, 'until gives up after its time');
  });
});
