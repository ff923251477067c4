// Delete in the Snapshots view removes only what MemLens wrote: a real run of
// sample.py, with a file of the user's put in its folder, is deleted through `memlens.deleteSnapshot`
// as the view calls it; the confirmation names exactly the files that go, the user's file and so
// the folder stay, and the user is told why. A folder of the user's beside the runs, holding JSON
// files, is never listed as a run.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DeleteOutcome } from '../../src/snapshots/viewCommands';
import type { ProfileOutcome } from '../../src/session/profile';
import { api, sampleUri } from './util';

suite('Delete in the Snapshots view', function () {
  this.timeout(90_000);

  test("deleting a run keeps the user's file in its folder, and the folder", async () => {
    const outcome = await vscode.commands.executeCommand<ProfileOutcome>('memlens.profile', sampleUri('sample.py'));
    assert.strictEqual(outcome.result, 'shown', outcome.message);
    const runDir = outcome.runDir!;
    const notes = path.join(runDir, 'notes.txt');
    fs.writeFileSync(notes, 'my notes about this run');
    // A folder of the user's where runs are kept: JSON files do not make it a run.
    const userFolder = path.join(path.dirname(runDir), 'src');
    fs.mkdirSync(userFolder, { recursive: true });
    fs.writeFileSync(path.join(userFolder, 'settings.json'), '{}');
    fs.writeFileSync(path.join(userFolder, 'snapshot.json'), fs.readFileSync(outcome.snapshotPath!));

    const memlens = await api();
    const runs = await memlens.listSnapshots();
    const run = runs.find((r) => r.dir === runDir);
    assert.ok(run, 'the run is listed');

    // The modal confirmation is answered here, and what it says is kept.
    const w = vscode.window as unknown as Record<string, (...args: any[]) => any>;
    const original = w.showWarningMessage;
    const asked: { message: string; detail?: string }[] = [];
    const said: string[] = [];
    const shown = w.showInformationMessage;
    w.showWarningMessage = (message: string, options?: vscode.MessageOptions, ...items: string[]) => {
      if (!options?.modal) return original.call(vscode.window, message, options, ...items);
      asked.push({ message, detail: options.detail });
      return Promise.resolve('Delete');
    };
    w.showInformationMessage = (message: string, ...rest: any[]) => (said.push(message), shown.call(vscode.window, message, ...rest));
    let deleted: DeleteOutcome;
    try {
      deleted = await vscode.commands.executeCommand<DeleteOutcome>('memlens.deleteSnapshot', { kind: 'run', run }, [{ kind: 'run', run }]);
    } finally {
      w.showWarningMessage = original;
      w.showInformationMessage = shown;
    }
    assert.ok(fs.existsSync(notes), "the user's file is kept");
    assert.deepStrictEqual(fs.readdirSync(runDir), ['notes.txt'], 'only MemLens files went');
    assert.ok(deleted.ok, deleted.message);
    assert.strictEqual(asked.length, 1, 'asked once');
    const detail = asked[0].detail ?? '';
    assert.ok(detail.includes(outcome.snapshotPath!), `the confirmation names the snapshot: ${detail}`);
    assert.ok(!detail.includes('notes.txt'), `the confirmation does not name the user's file: ${detail}`);
    assert.match(detail, /only if nothing else is left in it: other files stay/);

    assert.deepStrictEqual(deleted.removed, [outcome.snapshotPath]);
    assert.ok(said.some((m) => m.includes(`The folder ${runDir} stays`) && m.includes('notes.txt')), `the user is told: ${said.join(' | ')}`);
    const after = await memlens.listSnapshots();
    assert.ok(!after.some((r) => r.dir === runDir), 'the folder is no longer a run');
    assert.ok(!after.some((r) => r.dir === userFolder), `src/ is not listed as a run: ${after.map((r) => r.name).join(', ')}`);
    assert.deepStrictEqual(fs.readdirSync(userFolder).sort(), ['settings.json', 'snapshot.json']);

    fs.rmSync(runDir, { recursive: true, force: true });
    fs.rmSync(userFolder, { recursive: true, force: true });
    await vscode.commands.executeCommand('memlens.clearAnnotations');
  });
});
