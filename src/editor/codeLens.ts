/**
 * A CodeLens above each module, class and function holding memory: the bytes of every line in
 * its range (nested functions included), at exit and at peak. Clicking it opens the hottest
 * line's hover (`memlens.showLine`); a second lens beside the module's opens the memory panel.
 * Scopes holding nothing in either view get no lens: a "0 B" above every function of a file
 * would bury the ones that matter. While two snapshots are compared, the lenses show each scope's
 * growth instead and open the line that grew most.
 */
import * as vscode from 'vscode';
import * as config from '../config';
import type { Ctx } from '../ctx';
import { growthLensTitle, type Comparison } from '../model/comparison';
import { formatTracedBytes } from '../model/format';
import type { MemModel, ScopeModel } from '../model/types';
import type { ShowLineArgs } from './showLine';

/**
 * The lens title of a scope: `MemLens: 40.0 MiB at exit · 104.0 MiB at peak`; a snapshot taken
 * during the run says `in the snapshot` instead of `at exit` (its lines are what was live then).
 * A fast-mode run's figures are estimates: `MemLens: ≈ 40.0 MiB at exit · ≈ 104.0 MiB at peak`.
 */
export function lensTitle(scope: ScopeModel, hasPeak: boolean, kind: MemModel['kind'] = 'exit', estimated = false): string {
  const exit = `${formatTracedBytes(scope.exitBytes, estimated)} ${kind === 'exit' ? 'at exit' : 'in the snapshot'}`;
  return hasPeak ? `MemLens: ${exit} · ${formatTracedBytes(scope.peakBytes, estimated)} at peak` : `MemLens: ${exit}`;
}

/** The title of the lens after the module's, in a comparison, that ends it. */
export const COMPARISON_LENS_TITLE = 'End Comparison';

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
    if (this.ctx.comparison) return this.growthLenses(doc, this.ctx.comparison);
    const file = model.files.get(this.ctx.paths.modelPath(doc.uri));
    if (!file) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const scope of file.scopes) {
      if (scope.exitBytes <= 0 && scope.peakBytes <= 0) continue;
      const range = this.lensRange(doc, file.path, scope);
      if (!range) continue;
      const args: ShowLineArgs | undefined =
        scope.hottestLine !== undefined ? { file: file.path, line: scope.hottestLine, hover: true } : undefined;
      lenses.push(showLineLens(
        range,
        lensTitle(scope, model.hasPeak, model.kind, model.estimated),
        `${scope.kind === 'module' ? 'Module' : scope.kind === 'class' ? 'Class' : 'Function'} ${scope.name}` +
          (args ? `: click to show its hottest line (line ${scope.hottestLine})` : ''),
        args,
      ));
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

  /** In a comparison: each scope's growth, clicking to the line that grew most. */
  private growthLenses(doc: vscode.TextDocument, comparison: Comparison): vscode.CodeLens[] {
    const file = this.ctx.paths.modelPath(doc.uri);
    const lenses: vscode.CodeLens[] = [];
    const scopes = [...(comparison.scopes.get(file) ?? [])].sort((a, b) => a.line - b.line);
    for (const scope of scopes) {
      if (scope.bytes.delta === 0) continue;
      const range = this.lensRange(doc, file, scope);
      if (!range) continue;
      const args: ShowLineArgs | undefined =
        scope.grewMostLine !== null ? { file, line: scope.grewMostLine, hover: true } : undefined;
      lenses.push(showLineLens(
        range,
        growthLensTitle(scope, comparison.beforeName, comparison.estimated),
        `${scope.name}: ${formatTracedBytes(scope.bytes.before, comparison.estimated)} in ${comparison.beforeName}, ` +
          `${formatTracedBytes(scope.bytes.after, comparison.estimated)} in ${comparison.afterName}` +
          (args ? `. Click to show the line that grew most (line ${args.line})` : ''),
        args,
      ));
      if (scope.kind === 'module') {
        lenses.push(new vscode.CodeLens(range, {
          title: COMPARISON_LENS_TITLE,
          tooltip: 'Back to the sizes of the later snapshot',
          command: 'memlens.clearComparison',
        }));
      }
    }
    return lenses;
  }

  /**
   * Where a scope's lens goes: the module's on the first line, another on its `def` or `class`
   * line as edits moved it; undefined when that line was deleted (its lens goes with it).
   */
  private lensRange(doc: vscode.TextDocument, file: string, scope: Pick<ScopeModel, 'kind' | 'line'>): vscode.Range | undefined {
    const at = scope.kind === 'module' ? { line: 1 } : this.ctx.lines.current(file, scope.line);
    if (!at || at.line > doc.lineCount) return undefined;
    return doc.lineAt(at.line - 1).range;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** A lens that shows `args`'s line with its hover when clicked; without `args` it only informs. */
function showLineLens(range: vscode.Range, title: string, tooltip: string, args: ShowLineArgs | undefined): vscode.CodeLens {
  return new vscode.CodeLens(range, {
    title,
    tooltip,
    command: args ? 'memlens.showLine' : '',
    arguments: args ? [args] : undefined,
  });
}
