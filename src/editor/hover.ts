/**
 * The hover of an annotated line: its figures at exit and at peak, the scope it sits in, the
 * allocating call paths (innermost first) with each frame a link that opens that line, and notes
 * for memory with no user frame in reach and for lines edited since the run; in a comparison, the
 * line's figures in both snapshots and the call paths that grew. The markdown is
 * trusted for `memlens.showLine` only.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { Comparison } from '../model/comparison';
import type { LineDelta } from '../model/diff';
import { estimateSentence, formatCount, formatLineSummary, formatSignedTracedBytes, formatTracedBytes } from '../model/format';
import { scopesContaining } from '../model/model';
import type { LineFigures, LineModel, ResolvedPath, View } from '../model/types';
import { displayPath } from './paths';
import { showLineUri } from './showLine';

/** At most this many call paths per hover (the snapshot keeps up to `settings.maxPaths`). */
const MAX_PATHS = 5;

export class MemHoverProvider implements vscode.HoverProvider {
  constructor(private readonly ctx: Ctx) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const model = this.ctx.model;
    if (!model || doc.uri.scheme !== 'file') return undefined;
    const comparison = this.ctx.comparison;
    if (comparison) {
      const path = this.ctx.paths.modelPath(doc.uri);
      const runLine = this.ctx.lines.runLine(path, pos.line + 1);
      const line = runLine === undefined ? undefined : comparison.lines.get(path)?.get(runLine);
      return line ? new vscode.Hover(growthHoverMarkdown(line, comparison), doc.lineAt(pos.line).range) : undefined;
    }
    const file = model.files.get(this.ctx.paths.modelPath(doc.uri));
    if (!file) return undefined;
    const runLine = this.ctx.lines.runLine(file.path, pos.line + 1);
    const line = runLine === undefined ? undefined : file.lines.get(runLine);
    if (!line) return undefined;
    const at = this.ctx.lines.current(file.path, line.line);
    const scopes = scopesContaining(file, line.line).filter((s) => s.kind !== 'module');
    const md = hoverMarkdown(line, this.ctx.view, {
      stale: at?.stale ?? false,
      frames: model.frames,
      hasPeak: model.hasPeak,
      snapshot: model.kind === 'snapshot',
      scope: scopes.length > 0 ? scopes[scopes.length - 1].name : undefined,
      ...(model.estimated ? { estimated: { sampleInterval: model.sampleInterval } } : {}),
    });
    return new vscode.Hover(md, doc.lineAt(pos.line).range);
  }
}

/**
 * Builds the hover text of one line; `view` picks which call paths come first. `estimated` is set
 * for a fast-mode run: each figure is marked `≈` and says how many samples it rests on.
 */
export function hoverMarkdown(
  line: LineModel,
  view: View,
  opts: {
    stale: boolean;
    frames: number;
    hasPeak: boolean;
    scope?: string;
    snapshot?: boolean;
    estimated?: { sampleInterval?: number };
  },
): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['memlens.showLine'] };
  md.supportHtml = false;
  const where = opts.scope ? ` in ${escape(opts.scope)}` : '';
  md.appendMarkdown(`**MemLens** · line ${line.line}${where}\n\n`);
  md.appendMarkdown(`- ${opts.snapshot ? 'live when the snapshot was taken' : 'live at exit'}: ${figuresText(line.exit, opts.estimated)}\n`);
  if (opts.hasPeak) md.appendMarkdown(`- live at peak: ${figuresText(line.peak, opts.estimated)}\n`);
  md.appendMarkdown('\n');

  const shown: View = line[view] ? view : view === 'exit' ? 'peak' : 'exit';
  const figures = line[shown];
  if (figures && figures.paths.length > 0) {
    const when = shown === 'peak' ? 'at peak' : opts.snapshot ? 'in the snapshot' : 'at exit';
    md.appendMarkdown(`Call paths ${when} (innermost first):\n\n`);
    for (const p of figures.paths.slice(0, MAX_PATHS)) {
      md.appendMarkdown(`- ${escape(formatLineSummary(p.bytes, p.blocks, opts.estimated && p))}: ${pathLinks(p)}\n`);
    }
    if (figures.paths.length > MAX_PATHS) md.appendMarkdown(`- … and ${figures.paths.length - MAX_PATHS} more\n`);
    md.appendMarkdown('\n');
  }
  if (line.exit?.noUserFrame || line.peak?.noUserFrame) {
    // Fast mode always records its 64 frames: the setting would not take it deeper.
    md.appendMarkdown(
      `_No user frame within ${opts.frames} frames: this memory was allocated in library code and is ` +
        'shown on the innermost line seen.' + (opts.estimated ? '_\n\n' : ' Raise `memlens.frames` to reach your own line._\n\n'),
    );
  }
  if (opts.stale) {
    md.appendMarkdown('_This line was edited since the run: the figures are for the code as it ran._\n\n');
  }
  return md;
}

/** The hover of a line in a comparison: before, after, growth, and the call paths that grew. */
export function growthHoverMarkdown(line: LineDelta, comparison: Comparison): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['memlens.showLine'] };
  md.supportHtml = false;
  const est = comparison.estimated;
  // Estimated sides have no sample count here (a line's two sides differ); `≈` alone marks them.
  const side = (bytes: number, blocks: number): string => escape(formatLineSummary(bytes, blocks, est ? {} : undefined));
  md.appendMarkdown(`**MemLens** · line ${line.line}: **${escape(formatSignedTracedBytes(line.bytes.delta, est))}**\n\n`);
  md.appendMarkdown(`- ${escape(comparison.beforeName)}: ${side(line.bytes.before, line.blocks.before)}\n`);
  md.appendMarkdown(`- ${escape(comparison.afterName)}: ${side(line.bytes.after, line.blocks.after)}\n\n`);
  const paths = line.paths.filter((p) => p.delta !== 0);
  if (paths.length > 0) {
    md.appendMarkdown('Call paths, by growth (innermost first):\n\n');
    for (const p of paths.slice(0, MAX_PATHS)) {
      const was = p.before === null ? 'new' : `was ${formatTracedBytes(p.before, est)}`;
      md.appendMarkdown(`- ${escape(`${formatSignedTracedBytes(p.delta, est)} (${was})`)}: ${pathLinks(p)}\n`);
    }
    if (paths.length > MAX_PATHS) md.appendMarkdown(`- … and ${paths.length - MAX_PATHS} more\n`);
    md.appendMarkdown('\n');
  }
  md.appendMarkdown('_Comparing snapshots: run `MemLens: End Comparison` to see sizes again._\n');
  return md;
}

/**
 * A line's figures in one view: `**40.0 MiB** in 1 block`; estimated (fast mode), `**≈ 40.0 MiB**
 * estimated from 3 samples, one per 8 KiB allocated on average`.
 */
function figuresText(f: LineFigures | undefined, estimated?: { sampleInterval?: number }): string {
  if (!f) return 'nothing';
  if (estimated) return `**${escape(formatTracedBytes(f.bytes, true))}** ${escape(estimateSentence(f.samples, estimated.sampleInterval))}`;
  return `**${formatTracedBytes(f.bytes, false)}** in ${formatCount(f.blocks)} ${f.blocks === 1 ? 'block' : 'blocks'}`;
}

/** `[sample.py:8](command…) ← [sample.py:23](command…)`, innermost first. */
function pathLinks(p: Pick<ResolvedPath, 'frames'>): string {
  return p.frames
    .map((f) => `[${escape(`${displayPath(f.file)}:${f.line}`)}](${showLineUri({ file: f.file, line: f.line })})`)
    .join(' ← ');
}

/** Escapes markdown punctuation in plain text. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>"]/g, '\\$&');
}
