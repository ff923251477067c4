// `MemLens: Inspect Process Memory…` in a real VS Code: a spawned python3 holding a 64 MiB
// bytearray is inspected by PID (the command's argument skips the quick pick); the panel opens on
// the Process tab with writable memory of at least 64 MiB, Refresh reads it again, and a process
// that is gone gets a sentence while the panel keeps what it showed.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as vscode from 'vscode';
import { api, MiB, waitFor } from './util';

suite('inspect process', () => {
  let child: ChildProcess;

  suiteSetup(async () => {
    const python = vscode.workspace.getConfiguration('memlens').get<string>('pythonPath') || 'python3';
    child = spawn(python, ['-c', 'x = bytearray(64 << 20); import sys; sys.stdout.write("ready\\n"); sys.stdout.flush(); import time; time.sleep(60)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`python exited ${code}`)));
    });
  });

  suiteTeardown(async () => {
    child.kill('SIGKILL');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a python3 holding 64 MiB: the Process tab shows writable memory of at least 64 MiB', async function () {
    if (process.platform !== 'linux') this.skip();
    const memlens = await api();
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; pid?: number }>('memlens.inspectProcess', child.pid);
    assert.deepStrictEqual(outcome, { ok: true, pid: child.pid });
    const live = memlens.panel.lastProcess!;
    assert.strictEqual(live.pid, child.pid);
    assert.match(live.name, /^python/);
    assert.match(live.commandLine, /bytearray\(64 << 20\)/);
    assert.ok(live.process.ok, live.process.ok ? '' : live.process.missing);
    assert.ok(live.process.data.writable >= 64 * MiB, `writable ${live.process.data.writable}`);
    await waitFor('the panel shows the process', () => memlens.panel.posted.includes('process') && memlens.panel.selectedTab, (t) => t === 'process');

    // Inspecting it again reads the maps again (the panel's Refresh button is the UI test's).
    const before = live.readAt;
    const shown = memlens.panel.posted.length;
    await vscode.commands.executeCommand('memlens.inspectProcess', child.pid);
    await waitFor('a new read', () => memlens.panel.lastProcess?.readAt ?? 0, (t) => t > before);
    assert.ok(memlens.panel.posted.slice(shown).includes('process'));
  });

  test('a process that is gone: a sentence, and the panel keeps what it showed', async function () {
    if (process.platform !== 'linux') this.skip();
    const memlens = await api();
    const shown = memlens.panel.lastProcess;
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; message?: string }>('memlens.inspectProcess', gone.pid);
    assert.deepStrictEqual(outcome, { ok: false, message: `There is no process ${gone.pid}.` });
    assert.strictEqual(memlens.panel.lastProcess, shown);
  });
});
