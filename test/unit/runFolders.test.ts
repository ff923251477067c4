// Which folders under the runs folder are runs, and what Delete may remove: a
// user's folder full of JSON files is not a run, a run-named folder without a valid snapshot is
// not either, and deleting a run removes the files MemLens wrote and nothing of the user's.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fs, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isOwnFileName, isRunFolderName, runFolderName } from '../../src/snapshots/runNames';
import { SnapshotStore } from '../../src/snapshots/store';
import { fixturePath, fixtureText } from './helpers';

suite('run folders: what is a run, and what Delete removes', () => {
  let root: string;
  let store: SnapshotStore;

  setup(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'memlens-runs-'));
    store = new SnapshotStore(() => [root]);
  });

  teardown(() => rmSync(root, { recursive: true, force: true }));

  /** A folder `name` under the root holding `files` (name → text). */
  async function folder(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(root, name);
    await fs.mkdir(dir);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
    return dir;
  }

  test('the names MemLens gives run folders, and only those, are recognised', () => {
    const start = new Date(2026, 10, 25, 10, 15, 0);
    assert.equal(runFolderName(start, '/work/leaky.py'), '20261125-101500-leaky.py');
    assert.equal(runFolderName(start, '/work/leaky.py', 2), '20261125-101500-leaky.py-2');
    for (const name of ['20261125-101500-leaky.py', '20261125-101500-leaky.py-2', '20261125-101500-my app.PYW',
      runFolderName(new Date(), '/x/[x](command:evil).py', 12)]) {
      assert.ok(isRunFolderName(name), name);
    }
    for (const name of ['src', 'node_modules', '20261125-101500-notes', '20261125-101500-.py-', '2026-11-25-leaky.py',
      '20261125-101500-leaky.py-1', '20261125-101500-leaky.py-x', 'x20261125-101500-leaky.py']) {
      assert.ok(!isRunFolderName(name), name);
    }
  });

  test("MemLens's own files are its snapshots and its work files, nothing else", () => {
    for (const name of ['snapshot.json', 'snapshot-1.json', 'snapshot-12.json', '.memlens-exit-4242.json',
      '.memlens-peak-4242-3.json', '.memlens-k2_x9a.tmp', '.snapshot-2.json.a1b2c3d4e5f6.tmp']) {
      assert.ok(isOwnFileName(name), name);
    }
    for (const name of ['package.json', 'notes.json', 'snapshot-0.json', 'snapshot.json.bak', 'my-snapshot.json',
      'main.py', '.memlens', '.snapshot.json']) {
      assert.ok(!isOwnFileName(name), name);
    }
  });

  test('a src/ folder with JSON files in it is not a run', async () => {
    // Even a valid snapshot inside does not make a folder of another name a run.
    await folder('src', { 'package.json': '{"name": "app"}', 'tsconfig.json': '{}', 'snapshot.json': fixtureText('leak/round1.json') });
    assert.deepEqual(await store.runs(), []);
    assert.equal(await store.isRun(path.join(root, 'src')), false);
  });

  test('a folder with a run\'s name but no valid snapshot is not a run', async () => {
    await folder('20261125-101500-leaky.py', { 'snapshot.json': fixtureText('leak/round1.json').slice(0, 400), 'notes.json': '{}' });
    await folder('20261125-101600-leaky.py', {});
    assert.deepEqual(await store.runs(), []);
    assert.equal(await store.isRun(path.join(root, '20261125-101500-leaky.py')), false);
  });

  test('a run is a folder with a run\'s name and a valid snapshot; a link to one is not', async () => {
    const dir = await folder('20261125-101500-leaky.py', {});
    await fs.copyFile(fixturePath('leak/round1.json'), path.join(dir, 'snapshot-1.json'));
    symlinkSync(dir, path.join(root, '20261125-101501-leaky.py'));
    assert.deepEqual((await store.runs()).map((r) => r.name), ['20261125-101500-leaky.py']);
  });

  test('deleting a run removes its snapshots and work files, keeps the user\'s files and so the folder', async () => {
    const dir = await folder('20261125-101500-leaky.py', {
      'notes.txt': 'my notes',
      'results.json': '{"mine": true}',
      '.memlens-peak-7-1.json': '{}',
    });
    await fs.mkdir(path.join(dir, 'snapshot-9.json'));
    for (const n of [1, 2]) await fs.copyFile(fixturePath(`leak/round${n}.json`), path.join(dir, `snapshot-${n}.json`));
    const plan = await store.planDeletion([{ kind: 'run', dir }]);
    assert.deepEqual(plan.files.map((f) => path.basename(f)), ['.memlens-peak-7-1.json', 'snapshot-1.json', 'snapshot-2.json']);
    assert.deepEqual(plan.folders, [dir]);
    const done = await store.delete(plan);
    assert.equal(done.removed.length, 3);
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', 'results.json', 'snapshot-9.json']);
    assert.deepEqual(done.kept, [{ dir, holds: ['notes.txt', 'results.json', 'snapshot-9.json'] }]);
  });

  test('deleting a run that holds only MemLens\'s files removes the folder too', async () => {
    const dir = await folder('20261125-101500-leaky.py', { '.snapshot.json.0a1b2c3d4e5f.tmp': '{' });
    await fs.copyFile(fixturePath('leak/round1.json'), path.join(dir, 'snapshot.json'));
    const done = await store.delete(await store.planDeletion([{ kind: 'run', dir }]));
    assert.equal(done.removed.length, 2);
    assert.deepEqual(done.kept, []);
    assert.equal(existsSync(dir), false);
  });

  test('refuses to delete a folder that is not a run, or a file MemLens did not write', async () => {
    const src = await folder('src', { 'package.json': '{}', 'snapshot.json': fixtureText('leak/round1.json') });
    const run = await folder('20261125-101500-leaky.py', { 'notes.json': '{}' });
    await fs.copyFile(fixturePath('leak/round1.json'), path.join(run, 'snapshot.json'));
    const plan = await store.planDeletion([
      { kind: 'run', dir: src },
      { kind: 'file', file: path.join(src, 'snapshot.json') },
      { kind: 'file', file: path.join(run, 'notes.json') },
    ]);
    assert.deepEqual(plan.files, []);
    assert.deepEqual(plan.folders, []);
    assert.deepEqual(plan.refused.map((r) => path.relative(root, r.path)), ['src', 'src/snapshot.json', '20261125-101500-leaky.py/notes.json']);
    await store.delete(plan);
    assert.deepEqual(readdirSync(src).sort(), ['package.json', 'snapshot.json']);
    assert.deepEqual(readdirSync(run).sort(), ['notes.json', 'snapshot.json']);
  });

  test('a plan changed on disk after it was made removes nothing it should not', async () => {
    const dir = await folder('20261125-101500-leaky.py', {});
    await fs.copyFile(fixturePath('leak/round1.json'), path.join(dir, 'snapshot.json'));
    // A plan naming a user's file (as if tampered with) or a folder that is no longer empty.
    const plan = { files: [path.join(dir, 'snapshot.json'), path.join(dir, 'main.py')], folders: [dir], refused: [] };
    writeFileSync(path.join(dir, 'main.py'), 'print(1)');
    const done = await store.delete(plan);
    assert.deepEqual(done.removed, [path.join(dir, 'snapshot.json')]);
    assert.deepEqual(readdirSync(dir), ['main.py']);
  });
});
