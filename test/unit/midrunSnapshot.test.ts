// A snapshot taken while the program ran, as the real helper writes it:
// test/fixtures/helper-snapshot.json (see test/fixtures/README.md). It loads like any snapshot and
// carries the fields only such a snapshot has: its sequence, its label, and memory maps in which the
// pages shared with the helper's own children were folded back into private dirty.
import * as assert from 'node:assert/strict';
import { parseSnapshot } from '../../src/model/load';
import { buildModel } from '../../src/model/model';
import { panelData } from '../../src/panel/panelData';
import { classifySmaps, parseSmaps } from '../../src/model/smaps';
import { fixtureText } from './helpers';

const MiB = 1024 * 1024;

suite('snapshot during the run', () => {
  const doc = parseSnapshot(fixtureText('helper-snapshot.json'), 'helper-snapshot.json');

  test('is a snapshot with a sequence and a label, and no view at the peak', () => {
    assert.equal(doc.kind, 'snapshot');
    assert.equal(doc.sequence, 1);
    assert.equal(doc.label, 'after the report');
    assert.deepEqual(doc.program?.end, { kind: 'snapshot' });
    assert.equal(doc.peak.method, 'none');
    assert.ok(doc.files.every((f) => f.peakLines.length === 0));
    const markers = doc.timeline?.markers.filter((m) => m.kind === 'snapshot').map((m) => m.label);
    assert.deepEqual(markers, ['after the report']);
  });

  test('its memory maps were folded: no shared dirty left in private mappings, the buffer is writable memory', () => {
    const process = doc.process;
    assert.ok(process?.smaps !== undefined);
    // The watcher's held peak capture shared at least the 12 MiB buffer when the maps were read.
    assert.ok((process.sharedDirtyFolded ?? 0) >= 12 * MiB, String(process.sharedDirtyFolded));
    assert.match(process.sharedDirtyNote ?? '', /counted those pages of private mappings as private dirty/);
    const maps = parseSmaps(process.smaps);
    assert.equal(maps.filter((m) => m.perms.endsWith('p')).reduce((n, m) => n + m.sharedDirty, 0), 0);
    assert.ok(classifySmaps(maps).writable >= 12 * MiB);
  });

  test('cyclic garbage is not counted during the run, and the panel says why instead of "none"', () => {
    assert.deepEqual(doc.gc?.cyclicGarbage, []);
    assert.match(doc.gc?.cyclicGarbageNote ?? '', /counted at the end of the run only/);
    const data = panelData(buildModel(doc), { source: { snapshotPath: 'helper-snapshot.json' } });
    assert.ok(data.gc.ok && data.gc.data.cyclicGarbageNote?.startsWith('Cyclic garbage is counted at the end'));
    assert.ok(data.process.ok);
    assert.match(data.process.data.note ?? '', /^[\d.]+ MiB folded back: While this snapshot was taken/);
  });
});
