// Helpers shared by the extension-host tests: the extension's API, the sample workspace, waiting.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { MemLensApi } from '../../src/extension';

export const EXTENSION_ID = 'memlens.memlens';

/** The activated extension's API. */
export async function api(): Promise<MemLensApi> {
  const ext = vscode.extensions.getExtension<MemLensApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** The sample workspace folder (a private copy of test/e2e/workspace). */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri.fsPath;
}

export function sampleUri(...parts: string[]): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceDir(), ...parts));
}

/** Opens a file of the sample workspace in an editor. */
export async function openSample(...parts: string[]): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(sampleUri(...parts));
  return vscode.window.showTextDocument(doc);
}

/** Polls `read` until `ok` holds for its value; fails after `ms` with the last value. */
export async function waitFor<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

export async function codeLenses(uri: vscode.Uri): Promise<{ line: number; title: string; command?: vscode.Command }[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.map((l) => ({ line: l.range.start.line + 1, title: l.command?.title ?? '', command: l.command }));
}

/** The hover texts on 1-based `line` of `uri`. */
export async function hoverTexts(uri: vscode.Uri, line: number): Promise<string[]> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line - 1, 4));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
}

export const MiB = 1024 * 1024;
