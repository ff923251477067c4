// A running process in the panel (src/panel/liveProcess.ts): the Process tab's figures from smaps
// text read now (the real test/fixtures/smaps/python-64mib.smaps: writable memory over 64 MiB),
// and the sentence of a failed read in place of the figures.
import * as assert from 'node:assert/strict';
import { liveProcessData } from '../../src/panel/liveProcess';
import { fixtureText } from './helpers';

const MiB = 1024 * 1024;
const base = { pid: 4242, name: 'python3', commandLine: 'python3 -c x', readAt: 1_700_000_000_000 };

suite('live process panel data', () => {
  test('smaps of a python3 holding 64 MiB: writable memory, files ranked by private dirty', () => {
    const d = liveProcessData({ ...base, smaps: { ok: true, text: fixtureText('smaps/python-64mib.smaps'), pageSize: null } });
    assert.equal(d.pid, 4242);
    assert.ok(d.process.ok);
    assert.ok(d.process.data.writable >= 64 * MiB, `writable ${d.process.data.writable}`);
    const files = d.process.data.files;
    for (let i = 1; i < files.length; i++) assert.ok(files[i - 1].privateDirty >= files[i].privateDirty);
  });

  test('a read that failed shows its sentence; text with no mapping says it cannot be read', () => {
    const gone = liveProcessData({ ...base, smaps: { ok: false, error: 'There is no process 4242.' } });
    assert.deepEqual(gone.process, { ok: false, missing: 'There is no process 4242.' });
    const empty = liveProcessData({ ...base, smaps: { ok: true, text: 'garbage\n', pageSize: null } });
    assert.equal(empty.process.ok, false);
    assert.match(empty.process.ok ? '' : empty.process.missing, /memory maps of process 4242 cannot be read/);
  });
});
