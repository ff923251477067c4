// The snapshot store over real snapshot files (test/fixtures/leak/round*.json) copied into run
// folders: listing in time order with their figures, unreadable files listed with a reason,
// documents read once per change, labels rewritten atomically without touching the rest.
import * as assert from 'node:assert/strict';
import { mkdtempSync, promises as fs, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotError } from '../../src/model/load';
import { snapshotName, snapshotOrder, SnapshotStore } from '../../src/snapshots/store';
import { fixturePath, fixtureText } from './helpers';

suite('snapshot store', () => {
  let root: string;
  let store: SnapshotStore;
  let run: string;

  setup(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'memlens-store-'));
    store = new SnapshotStore(() => [root, path.join(root, 'missing')]);
    run = path.join(root, '20261125-101500-leaky.py');
    await fs.mkdir(run);
    // Written out of order on purpose: the listing follows the time each was taken.
    for (const [n, name] of [[3, 'snapshot-3.json'], [1, 'snapshot-1.json'], [2, 'snapshot-2.json']] as const) {
      await fs.copyFile(fixturePath(`leak/round${n}.json`), path.join(run, name));
    }
  });

  teardown(() => rmSync(root, { recursive: true, force: true }));

  test('lists a run folder\'s snapshots in the order they were taken, with their figures', async () => {
    const runs = await store.runs();
    assert.equal(runs.length, 1);
    assert.equal(runs[0].name, '20261125-101500-leaky.py');
    const labels = runs[0].snapshots.map((s) => s.label);
    assert.deepEqual(labels, ['after round 1', 'after round 2', 'after round 3']);
    const first = runs[0].snapshots[0];
    const doc = JSON.parse(fixtureText('leak/round1.json'));
    assert.equal(first.traced, doc.totals.tracedCurrent);
    assert.equal(first.program, 'leaky.py');
    assert.ok(first.writable !== null && first.writable > 0, 'writable memory from the snapshot\'s smaps');
    assert.equal(runs[0].problems.length, 0);
  });

  test('lists a file that is not a snapshot as a problem with the reason, and skips work files', async () => {
    writeFileSync(path.join(run, 'notes.json'), '{"format": "something else"}');
    writeFileSync(path.join(run, 'snapshot-9.json'), fixtureText('leak/round1.json').slice(0, 500));
    writeFileSync(path.join(run, '.memlens-peak-1-1.json'), '{}');
    const [listed] = await store.runs();
    assert.equal(listed.snapshots.length, 3);
    const problems = Object.fromEntries(listed.problems.map((p) => [path.basename(p.path), p.error]));
    assert.deepEqual(Object.keys(problems).sort(), ['notes.json', 'snapshot-9.json']);
    assert.match(problems['notes.json'], /is not a MemLens snapshot/);
    assert.match(problems['snapshot-9.json'], /truncated|not a valid|cut off|incomplete/i);
  });

  test('lists the newest run first and leaves out empty folders', async () => {
    const older = path.join(root, '20261124-090000-leaky.py');
    await fs.mkdir(older);
    await fs.copyFile(fixturePath('leak/round4.json'), path.join(older, 'snapshot.json'));
    await fs.mkdir(path.join(root, '20261126-000000-empty.py'));
    assert.deepEqual((await store.runs()).map((r) => r.name), ['20261125-101500-leaky.py', '20261124-090000-leaky.py']);
  });

  test('reads a document once until its file changes', async () => {
    const file = path.join(run, 'snapshot-1.json');
    const a = await store.read(file);
    assert.equal(await store.read(file), a, 'the same object while the file is unchanged');
    await store.rename(file, 'renamed');
    const b = await store.read(file);
    assert.notEqual(b, a);
    assert.equal(b.label, 'renamed');
  });

  test('renaming rewrites only the label, atomically, and an empty label removes it', async () => {
    const file = path.join(run, 'snapshot-2.json');
    const before = JSON.parse(await fs.readFile(file, 'utf8'));
    await store.rename(file, '  warm cache  ');
    const after = JSON.parse(await fs.readFile(file, 'utf8'));
    assert.equal(after.label, 'warm cache');
    assert.deepEqual({ ...after, label: before.label }, before);
    await store.rename(file, '');
    assert.equal('label' in JSON.parse(await fs.readFile(file, 'utf8')), false);
    assert.deepEqual(readdirSync(run).filter((n) => n.startsWith('.')), [], 'no temporary file left');
  });

  test('refuses to rename a file that is not a snapshot, leaving it as it was', async () => {
    const file = path.join(run, 'other.json');
    writeFileSync(file, '{"format": "other"}');
    await assert.rejects(store.rename(file, 'x'), SnapshotError);
    assert.equal(await fs.readFile(file, 'utf8'), '{"format": "other"}');
  });

  test('deletes a snapshot, then its run', async () => {
    await store.delete(await store.planDeletion([{ kind: 'file', file: path.join(run, 'snapshot-1.json') }]));
    assert.equal((await store.run(run)).snapshots.length, 2);
    await assert.rejects(store.read(path.join(run, 'snapshot-1.json')), /no longer exists/);
    await store.delete(await store.planDeletion([{ kind: 'run', dir: run }]));
    assert.deepEqual(await store.runs(), []);
  });

  test('names a snapshot by its label, else its sequence, and puts the exit snapshot of a run last', () => {
    assert.equal(snapshotName({ label: 'warm', kind: 'snapshot', sequence: 2 }), 'warm');
    assert.equal(snapshotName({ label: null, kind: 'snapshot', sequence: 2 }), 'snapshot 2');
    assert.equal(snapshotName({ label: null, kind: 'exit', sequence: null }), 'exit');
    const base = { path: '', label: null, elapsed: 0, traced: 0, mode: 'exact' as const, writable: null, pid: 7, startTime: 100, program: 'a.py' };
    const exit = { ...base, kind: 'exit' as const, sequence: null, time: 105 };
    const late = { ...base, kind: 'snapshot' as const, sequence: 3, time: 105 };
    assert.ok(snapshotOrder(exit, late) > 0);
  });
});
