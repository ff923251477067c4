/**
 * Inline annotations: each annotated line gets a heat background (`memlens.heat1`…`heat5`, by its
 * share of the hottest line) and its size after the text (`40.0 MiB · 1 block`); while two
 * snapshots are compared, each line that changed gets its growth instead (`+6.0 MiB · +3 blocks
 * since "round 1"`), heat by share of the largest growth. The decoration
 * types are created once; a redraw only sets ranges, on every visible editor, whenever the model,
 * the view, the settings or the lines' positions change. Lines edited since the run keep their
 * figures, dimmed by a type of their own.
 */
import * as vscode from 'vscode';
import * as config from '../config';
import type { Ctx } from '../ctx';
import { growthText } from '../model/comparison';
import { formatLineSummary, heatBucket, type HeatBucket } from '../model/format';
import type { LineFigures } from '../model/types';

/** One annotation as drawn, for tests (the API cannot read decorations back). */
export interface DrawnAnnotation {
  /** 1-based line in the document as it is now. */
  line: number;
  /** The line in the run (differs after edits above it). */
  runLine: number;
  text: string;
  /** 0 (no heat colour) to 5. */
  heat: number;
  stale: boolean;
}

/** An annotation before it is placed on the document's current lines. */
interface Annotation {
  runLine: number;
  heat: HeatBucket;
  text: string;
}

const AFTER_MARGIN = '0 0 0 2.5em';

export class Decorations implements vscode.Disposable {
  /** Index 0: text only (no heat); 1…5: heat colours. */
  private readonly heatTypes: vscode.TextEditorDecorationType[];
  private readonly staleType: vscode.TextEditorDecorationType;
  private readonly drawn = new Map<string, DrawnAnnotation[]>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    const after = { margin: AFTER_MARGIN, color: new vscode.ThemeColor('memlens.annotationForeground') };
    this.heatTypes = [0, 1, 2, 3, 4, 5].map((i) =>
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: i === 0 ? undefined : new vscode.ThemeColor(`memlens.heat${i}`),
        after,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    );
    this.staleType = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      opacity: '0.6',
      after: { ...after, fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.disposables.push(
      ...this.heatTypes,
      this.staleType,
      ctx.onDidChange(() => this.drawAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.drawAll()),
    );
  }

  /** What is drawn on the document `uri` now (empty when nothing). */
  annotations(uri: vscode.Uri): DrawnAnnotation[] {
    return this.drawn.get(uri.toString()) ?? [];
  }

  drawAll(): void {
    this.drawn.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      this.draw(editor);
    }
  }

  private draw(editor: vscode.TextEditor): void {
    const doc = editor.document;
    const perType: vscode.DecorationOptions[][] = this.heatTypes.map(() => []);
    const stale: vscode.DecorationOptions[] = [];
    const drawn: DrawnAnnotation[] = [];
    if (doc.uri.scheme === 'file' && config.annotationsEnabled(doc.uri)) {
      const file = this.ctx.paths.modelPath(doc.uri);
      for (const a of this.ctx.comparison ? this.growthOf(file, doc.uri) : this.sizesOf(file, doc.uri)) {
        const at = this.ctx.lines.current(file, a.runLine);
        if (!at || at.line < 1 || at.line > doc.lineCount) continue;
        const text = a.text + (at.stale ? ' (edited since the run)' : '');
        const options: vscode.DecorationOptions = {
          range: doc.lineAt(at.line - 1).range,
          renderOptions: { after: { contentText: text } },
        };
        (at.stale ? stale : perType[a.heat]).push(options);
        drawn.push({ line: at.line, runLine: a.runLine, text, heat: at.stale ? 0 : a.heat, stale: at.stale });
      }
    }
    this.heatTypes.forEach((type, i) => editor.setDecorations(type, perType[i]));
    editor.setDecorations(this.staleType, stale);
    drawn.sort((a, b) => a.line - b.line);
    const key = doc.uri.toString();
    if (drawn.length > 0 || !this.drawn.has(key)) this.drawn.set(key, drawn);
  }

  /** The annotations of a file in the model: sizes in the current view, heat by share of the hottest. */
  private *sizesOf(file: string, uri: vscode.Uri): Iterable<Annotation> {
    const model = this.ctx.model;
    const entry = model?.files.get(file);
    if (!model || !entry) return;
    const view = this.ctx.view;
    const minimum = config.annotationMinimumBytes(uri);
    for (const line of entry.lines.values()) {
      const figures: LineFigures | undefined = line[view];
      if (!figures || figures.bytes < minimum || figures.bytes <= 0) continue;
      yield {
        runLine: line.line,
        heat: heatBucket(figures.bytes, model.maxLineBytes[view]),
        text: formatLineSummary(figures.bytes, figures.blocks, model.estimated ? figures : undefined),
      };
    }
  }

  /**
   * The annotations of a file in a comparison: the signed growth of each line that changed, heat
   * by share of the largest growth (a line that shrank gets its text and no heat).
   */
  private *growthOf(file: string, uri: vscode.Uri): Iterable<Annotation> {
    const comparison = this.ctx.comparison;
    const lines = comparison?.lines.get(file);
    if (!comparison || !lines) return;
    const minimum = config.annotationMinimumBytes(uri);
    for (const line of lines.values()) {
      if (line.bytes.delta === 0 || Math.abs(line.bytes.delta) < minimum) continue;
      yield {
        runLine: line.line,
        heat: heatBucket(line.growth, comparison.maxGrowth),
        text: growthText(line, comparison.beforeName, comparison.estimated),
      };
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
