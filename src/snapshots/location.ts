/**
 * Where runs and their snapshots are kept. By default under the extension's workspace storage
 * (`storageUri`, else `globalStorageUri` without a workspace), in `runs/`; the setting
 * `memlens.snapshots.folder` keeps new runs in a folder of the workspace instead, so they can be
 * shared or committed. Both places are listed, so changing the setting hides nothing.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as config from '../config';

/** The folder new runs are created in. */
export function runsFolder(context: vscode.ExtensionContext): string {
  return sharedRunsFolder() ?? storageRunsFolder(context);
}

/** Every folder that may hold runs, the one new runs go to first. */
export function runsFolders(context: vscode.ExtensionContext): string[] {
  const shared = sharedRunsFolder();
  const storage = storageRunsFolder(context);
  return shared !== undefined && shared !== storage ? [shared, storage] : [storage];
}

function storageRunsFolder(context: vscode.ExtensionContext): string {
  return path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'runs');
}

/** `memlens.snapshots.folder` resolved against the first workspace folder; undefined when unset. */
function sharedRunsFolder(): string | undefined {
  const setting = config.snapshotsFolder();
  if (setting === '') return undefined;
  if (path.isAbsolute(setting)) return path.normalize(setting);
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder ? path.join(folder.uri.fsPath, setting) : undefined;
}
