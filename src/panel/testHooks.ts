/**
 * Commands for the panel's end-to-end tests, registered only when the extension host's
 * environment has `MEMLENS_PANEL_TEST_HOOKS=1` (test/e2e/run-panel.mjs sets it for its own
 * code-server): they load snapshot files and hand them to `MemoryPanel.showComparison` and
 * `showLeaks`, the methods the Compare Snapshots and Find Leaks commands call, so the UI test can
 * drive the Compare and Leaks tabs through a keybinding (`args`: the files) without those
 * commands' pickers. Users never see them: they are not contributed to the palette.
 */
import * as vscode from 'vscode';
import { compareCompatibility } from '../model/compat';
import { diffSnapshots } from '../model/diff';
import { findLeaks } from '../model/leaks';
import { loadSnapshotFile } from '../model/load';
import type { MemoryPanel } from './memoryPanel';

export const TEST_HOOKS_ENV = 'MEMLENS_PANEL_TEST_HOOKS';

export function registerPanelTestHooks(panel: MemoryPanel): vscode.Disposable {
  if (process.env[TEST_HOOKS_ENV] !== '1') return { dispose: () => undefined };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('memlens.test.showComparison', async (files: string[]) => {
      const [before, after] = await Promise.all(files.map((f) => loadSnapshotFile(f)));
      panel.showComparison(diffSnapshots(before, after), compareCompatibility(before, after));
    }),
    vscode.commands.registerCommand('memlens.test.showLeaks', async (files: string[]) => {
      panel.showLeaks(findLeaks(await Promise.all(files.map((f) => loadSnapshotFile(f)))));
    }),
  );
}
