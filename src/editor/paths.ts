/**
 * Maps between editor documents and the model's files. The helper writes paths as
 * `os.path.realpath` gives them, while VS Code names a document by the path it was opened with,
 * which may run through a symbolic link: every view looks files up through `ctx.paths`, a
 * `ModelPaths`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DocumentPaths } from '../ctx';

/** Real paths of documents, each read from the disk once: views ask on every redraw and hover. */
export class ModelPaths implements DocumentPaths {
  private readonly real = new Map<string, string>();

  /** The model's key for a document: its real path on disk (the path itself if it has none). */
  modelPath(uri: vscode.Uri): string {
    const p = uri.fsPath;
    let r = this.real.get(p);
    if (r === undefined) {
      try {
        r = fs.realpathSync.native(p);
      } catch {
        r = p;
      }
      this.real.set(p, r);
    }
    return r;
  }
}

/** A short name for a file in lists and links: relative to its workspace folder, else the path. */
export function displayPath(file: string): string {
  const rel = vscode.workspace.asRelativePath(vscode.Uri.file(file), vscode.workspace.workspaceFolders !== undefined
    && vscode.workspace.workspaceFolders.length > 1);
  return rel === file ? shorten(file) : rel;
}

/** Library files keep their last two segments, enough to recognise `json/decoder.py`. */
function shorten(file: string): string {
  const parts = file.split(path.sep);
  return parts.length > 3 ? `…${path.sep}${parts.slice(-2).join(path.sep)}` : file;
}
