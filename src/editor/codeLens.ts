/**
 * A CodeLens above each module, class and function holding memory: the bytes of every line in
 * its range (nested functions included), at exit and at peak. Clicking it opens the hottest
 * line's hover (`memlens.showLine`); a second lens beside the module's opens the memory panel.
 * Scopes holding nothing in either view get no lens: a "0 B" above every function of a file
 * would bury the ones that matter.
 */
import * as vscode from 'vscode';
import * as config from '../config';
import type { Ctx } from '../ctx';
import { formatBytes } from '../model/format';
import type { ScopeModel } from '../model/types';
import { modelPath } from './paths';
import type { ShowLineArgs } from './showLine';

/** The lens title of a scope: `MemLens: 40.0 MiB at exit · 104.0 MiB at peak`. */
export function lensTitle(scope: ScopeModel, hasPeak: boolean): string {
  const exit = `${formatBytes(scope.exitBytes)} at exit`;
  return hasPeak ? `MemLens: ${exit} · ${formatBytes(scope.peakBytes)} at peak` : `MemLens: ${exit}`;
}

/** The title of the lens after the module's that opens the memory panel. */
export const PANEL_LENS_TITLE = 'Open Memory Panel';

export class MemCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.subscription = ctx.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const model = this.ctx.model;
    if (!model || doc.uri.scheme !== 'file' || !config.codeLensEnabled(doc.uri)) return [];
    const file = model.files.get(modelPath(doc.uri));
    if (!file) return [];
    const hasPeak = model.doc.peak.method !== 'none';
    const lenses: vscode.CodeLens[] = [];
    for (const scope of file.scopes) {
      if (scope.exitBytes <= 0 && scope.peakBytes <= 0) continue;
      // The module's lens sits on the first line; a deleted `def` line takes its lens with it.
      const at = scope.kind === 'module' ? { line: 1 } : this.ctx.lines.current(file.path, scope.line);
      if (!at || at.line > doc.lineCount) continue;
      const range = doc.lineAt(at.line - 1).range;
      const args: ShowLineArgs | undefined =
        scope.hottestLine !== undefined ? { file: file.path, line: scope.hottestLine, hover: true } : undefined;
      lenses.push(
        new vscode.CodeLens(range, {
          title: lensTitle(scope, hasPeak),
          tooltip: `${scope.kind === 'module' ? 'Module' : scope.kind === 'class' ? 'Class' : 'Function'} ${scope.name}` +
            (args ? `: click to show its hottest line (line ${scope.hottestLine})` : ''),
          command: args ? 'memlens.showLine' : '',
          arguments: args ? [args] : undefined,
        }),
      );
      // The module's lens is followed by one that opens the memory panel: the whole run's view.
      if (scope.kind === 'module') {
        lenses.push(new vscode.CodeLens(range, {
          title: PANEL_LENS_TITLE,
          tooltip: 'Open the memory panel beside the editor: process memory, object types, timeline, GC and imports of this run',
          command: 'memlens.openPanel',
        }));
      }
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
