// `MemLens: Open tracemalloc Snapshot…` in the extension host: a program in the sample workspace
// traces itself and writes tracemalloc's own dump with the Python of `memlens.pythonPath` (the
// harness sets it); the command, told the file is trusted, converts it in the helper's importer
// and shows it: the allocating line carries its 10 MiB. A hostile pickle is refused in the
// importer's sentence, its command never runs, and what was shown stays shown.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ImportOutcome } from '../../src/session/openTracemallocDump';
import { api, MiB, waitFor, workspaceDir } from './util';

const PROGRAM = [
  'import sys, tracemalloc',
  'tracemalloc.start(8)',
  'def build():',
  '    return bytearray(10 * 1024 * 1024)',
  'data = build()',
  'tracemalloc.take_snapshot().dump(sys.argv[1])',
  '',
].join('\n');
const ALLOCATING_LINE = 4;

function python(): string {
  return vscode.workspace.getConfiguration('memlens').get<string>('pythonPath') || 'python3';
}

function open(uri: vscode.Uri): Thenable<ImportOutcome> {
  return vscode.commands.executeCommand<ImportOutcome>('memlens.openTracemallocSnapshot', uri, undefined, { confirmed: true });
}

suite('tracemalloc import: opening a tracemalloc dump', function () {
  this.timeout(90_000);
  let tmp: string;
  let script: string;
  let importsDir: string | undefined;

  suiteSetup(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memlens-tm-'));
    // In the workspace, so that its lines are the user's code.
    script = path.join(workspaceDir(), 'tm_dump.py');
    fs.writeFileSync(script, PROGRAM);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(script, { force: true });
  });

  test("a dump written by the program is shown on the program's lines", async () => {
    const dump = path.join(tmp, 'prog.tracemalloc');
    execFileSync(python(), [script, dump], { cwd: workspaceDir() });
    const res = await open(vscode.Uri.file(dump));
    assert.strictEqual(res.ok, true, res.message);
    assert.match(res.message, /^MemLens: showing the tracemalloc snapshot prog\.tracemalloc: /);
    assert.ok(res.snapshotPath && fs.existsSync(res.snapshotPath), 'the converted document is kept');
    importsDir = path.dirname(res.snapshotPath);
    assert.strictEqual(path.basename(importsDir), 'imports');

    const memlens = await api();
    assert.strictEqual(memlens.source?.snapshotPath, res.snapshotPath);
    const model = memlens.model!;
    assert.strictEqual(model.program, null);
    assert.strictEqual(model.origin?.path, fs.realpathSync(dump));
    const bytes = model.files.get(fs.realpathSync(script))?.lines.get(ALLOCATING_LINE)?.exit?.bytes ?? 0;
    assert.ok(Math.abs(bytes - 10 * MiB) <= 0.05 * 10 * MiB, `line ${ALLOCATING_LINE} holds ${bytes} bytes`);

    // The editor draws it like any snapshot.
    const doc = await vscode.workspace.openTextDocument(script);
    await vscode.window.showTextDocument(doc);
    const drawn = await waitFor('annotations', () => memlens.annotations(doc.uri), (a) => a.some((x) => x.line === ALLOCATING_LINE));
    assert.match(drawn.find((x) => x.line === ALLOCATING_LINE)!.text, /^10\.0 MiB · \d+ blocks?$/);

    // The memory panel draws it too, with the dump's origin and no figure it lacks.
    const received = memlens.panel.received.length;
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), true);
    const d = await waitFor('the import in the panel', () => memlens.panel.lastShown, (x) => x?.source.snapshotPath === res.snapshotPath);
    assert.strictEqual(d!.program.origin, `imported from the tracemalloc dump ${fs.realpathSync(dump)}`);
    assert.deepStrictEqual([d!.program.python, d!.program.pid, d!.summary.headline.tracedPeak, d!.summary.headline.maxRss], [null, null, null, null]);
    // A script error while drawing nulls would arrive as `problem`.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepStrictEqual(memlens.panel.received.slice(received).filter((m) => m.type === 'problem'), []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a hostile pickle is refused, runs nothing, and leaves the results shown', async () => {
    const marker = path.join(tmp, 'MARKER');
    const hostile = path.join(tmp, 'evil.tracemalloc');
    execFileSync(python(), ['-c', [
      'import os, pickle, sys',
      'class Run:',
      '    def __reduce__(self):',
      '        return (os.system, ("touch " + sys.argv[2],))',
      'pickle.dump(Run(), open(sys.argv[1], "wb"))',
    ].join('\n'), hostile, marker]);
    const before = (await api()).model;
    const res = await open(vscode.Uri.file(hostile));
    assert.strictEqual(res.ok, false);
    assert.match(res.message, /^MemLens: .*evil\.tracemalloc asks to load posix\.system, .*it may be a hostile file/);
    assert.strictEqual(res.snapshotPath, undefined);
    assert.ok(!fs.existsSync(marker), 'the pickle ran its command');
    assert.strictEqual((await api()).model, before, 'what was shown stays shown');
    if (importsDir !== undefined) {
      const left = fs.readdirSync(importsDir).filter((f) => fs.statSync(path.join(importsDir!, f)).size === 0);
      assert.deepStrictEqual(left, [], 'the place reserved for the refused import is gone');
    }
  });
});
