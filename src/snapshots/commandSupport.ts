/**
 * What the snapshot commands share: a refusal said to the user and logged, the run a command means
 * by default, a snapshot as a quick-pick item, and the save dialog of the exports.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { formatBytes, formatDuration, tracedPhrase } from '../model/format';
import * as notify from '../notify/notify';
import { snapshotName, type RunFolder, type SnapshotInfo } from './store';

/** Says `message` as a warning and logs it; the outcome a refused command returns. */
export function refuse(ctx: Ctx, message: string): { ok: false; message: string } {
  ctx.log.warn(message);
  void notify.warn(message);
  return { ok: false, message };
}

/** The run a command means by default: the one in progress, else the one shown, else the newest. */
export function defaultRun(ctx: Ctx, runs: RunFolder[], least: number): RunFolder | undefined {
  const enough = runs.filter((r) => r.snapshots.length >= least);
  const running = ctx.run?.runDir;
  const shown = ctx.source ? path.dirname(ctx.source.snapshotPath) : undefined;
  return enough.find((r) => r.dir === running) ?? enough.find((r) => r.dir === shown) ?? enough[0];
}

/** A snapshot as a quick-pick item: its name, when it was taken and its figures. */
export function pickItem(s: SnapshotInfo): vscode.QuickPickItem {
  const writable = s.writable === null ? '' : ` · ${formatBytes(s.writable)} writable`;
  return {
    label: `$(${s.kind === 'exit' ? 'debug-stop' : 'device-camera'}) ${snapshotName(s)}`,
    description: `${formatDuration(s.elapsed)} · ${tracedPhrase(s.traced, s.mode)}${writable}`,
  };
}

/** Asks where to export; the file name's extension (.json or .csv) chooses the format. */
export async function saveDialog(title: string, name: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title,
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${name}.json`) : undefined,
    filters: { JSON: ['json'], CSV: ['csv'] },
  });
}
