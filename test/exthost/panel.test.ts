// The memory panel in a real VS Code: `MemLens: Open Memory Panel` over the hand-made fixtures of
// test/fixtures/panel/ (their /ws/sample.py rewritten to the workspace's sample.py). The tests
// check that the panel opens beside the editor, says `ready` first and then gets the data
// computed from the snapshot, reports no script error or CSP violation, re-posts when a new
// snapshot is opened and after it was hidden (VS Code reloads a hidden webview), posts `clear`
// when the results go, and that the command refuses without results.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, MiB, openSample, sampleUri, waitFor } from './util';

/** The repository: tests are bundled to out/test/exthost/. */
const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A fixture of test/fixtures/panel with its /ws/ paths moved to the sample workspace. */
function fixture(name: string, dir: string): string {
  const ws = path.dirname(fs.realpathSync(sampleUri('sample.py').fsPath));
  const text = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'panel', name), 'utf8').replaceAll('"/ws/', `"${ws}/`).replaceAll('"/ws"', `"${ws}"`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function openSnapshot(file: string): Promise<void> {
  const res = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('memlens.openSnapshot', vscode.Uri.file(file));
  assert.strictEqual(res.ok, true, res.message);
}

/** The tab of the memory panel, if open. */
function panelTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('memlens.memoryPanel'));
}

suite('memory panel', () => {
  let tmp: string;
  let rich: string;
  let bare: string;

  suiteSetup(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memlens-panel-'));
    rich = fixture('rich.json', tmp);
    bare = fixture('bare.json', tmp);
  });

  setup(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('without results the command refuses and opens nothing', async () => {
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), false);
    assert.strictEqual((await api()).panel.open, false);
    assert.strictEqual(panelTab(), undefined);
  });

  test('opens beside the editor, says ready first, then gets the snapshot\'s data; no script error or CSP violation', async () => {
    const memlens = await api();
    await openSnapshot(rich);
    await openSample('sample.py');
    const received = memlens.panel.received.length;
    const posted = memlens.panel.posted.length;
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), true);
    await waitFor('ready from the panel', () => memlens.panel.received.slice(received).map((m) => m.type), (t) => t.includes('ready'));
    assert.strictEqual(memlens.panel.received[received].type, 'ready', 'the panel speaks first');
    await waitFor('show posted', () => memlens.panel.posted.slice(posted), (p) => p.includes('show'));

    const tab = await waitFor('the panel\'s tab', () => panelTab(), (t) => t?.label === 'MemLens: sample.py');
    assert.ok(tab);
    assert.strictEqual(tab.group.viewColumn, vscode.ViewColumn.Two, 'beside the editor (column one)');

    const d = memlens.panel.lastShown!;
    assert.strictEqual(d.source.snapshotPath, rich);
    assert.strictEqual(d.program.name, 'sample.py');
    assert.ok(d.summary.headline.writable! > 64 * MiB, `writable memory ${d.summary.headline.writable}`);
    assert.strictEqual(d.summary.headline.tracedPeak, 110_000_000);
    assert.deepStrictEqual(d.summary.topTypes.map((t) => t.type).slice(0, 2), ['bytes', 'str']);
    assert.strictEqual(d.summary.heaviestImport?.module, 'json');
    assert.deepStrictEqual(d.lines.rows.slice(0, 2).map((r) => [d.lines.files[r.file].display, r.line]), [['sample.py', 8], ['sample.py', 18]]);
    assert.ok(d.types.ok && d.process.ok && d.timeline.ok && d.gc.ok && d.imports.ok && d.pymalloc.ok);

    // Give the panel time to draw; a script error or a blocked resource would arrive as `problem`.
    await new Promise((r) => setTimeout(r, 1500));
    const problems = memlens.panel.received.slice(received).filter((m) => m.type === 'problem');
    assert.deepStrictEqual(problems, []);
  });

  test('a new snapshot is posted to the open panel; parts it lacks say why', async () => {
    const memlens = await api();
    await openSnapshot(rich);
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), true);
    await waitFor('rich shown', () => memlens.panel.lastShown?.source.snapshotPath, (p) => p === rich);
    await openSnapshot(bare);
    const d = await waitFor('bare shown', () => memlens.panel.lastShown, (x) => x?.source.snapshotPath === bare);
    assert.deepStrictEqual(d!.types, { ok: false, missing: 'No type census in this snapshot (turned off, or made by an older helper).' });
    assert.deepStrictEqual(d!.process, {
      ok: false,
      missing: 'No memory maps in this snapshot: this system has no /proc/self/smaps (macOS): memory maps are read on Linux only.',
    });
    assert.strictEqual(d!.summary.headline.writable, null);
  });

  test('hidden and shown again, the reloaded panel says ready and gets the data again', async () => {
    const memlens = await api();
    await openSnapshot(rich);
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), true);
    await waitFor('shown', () => memlens.panel.lastShown?.source.snapshotPath, (p) => p === rich);
    const tab = panelTab()!;
    const ready = memlens.panel.received.filter((m) => m.type === 'ready').length;
    const shows = memlens.panel.posted.filter((t) => t === 'show').length;
    // Another editor in the panel's group hides it (retainContextWhenHidden is off).
    const doc = await vscode.workspace.openTextDocument(sampleUri('ask.py'));
    await vscode.window.showTextDocument(doc, { viewColumn: tab.group.viewColumn });
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), true, 'reveals the open panel');
    await waitFor('a second ready', () => memlens.panel.received.filter((m) => m.type === 'ready').length, (n) => n > ready);
    await waitFor('the data again', () => memlens.panel.posted.filter((t) => t === 'show').length, (n) => n > shows);
  });

  test('clearing the results posts clear; closing the panel is remembered', async () => {
    const memlens = await api();
    await openSnapshot(rich);
    assert.strictEqual(await vscode.commands.executeCommand('memlens.openPanel'), true);
    await waitFor('shown', () => memlens.panel.lastShown?.source.snapshotPath, (p) => p === rich);
    const before = memlens.panel.posted.length;
    await vscode.commands.executeCommand('memlens.clearAnnotations');
    assert.deepStrictEqual(memlens.panel.posted.slice(before), ['clear']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the panel closed', () => memlens.panel.open, (o) => o === false);
  });
});
