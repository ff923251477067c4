/**
 * Builds the `MemModel` every view reads from a validated snapshot document: frames resolved to
 * paths, lines keyed by number with their exit and peak figures, module, class and function
 * scopes with the bytes of every line inside them, and the document's other parts read once
 * (memory maps parsed and classified, imports as a tree, the timeline in time order, pymalloc's
 * text parsed). Pure: no file access, no editor, so the CLI, the extension and tests share it.
 */
import type { CallPath, FileEntry, LineStat, ProcessMemory, SnapshotDocument, Timeline } from '../protocol/snapshot';
import type {
  FileModel,
  LineFigures,
  LineModel,
  MemModel,
  ProcessModel,
  PymallocModel,
  ResolvedPath,
  ScopeModel,
  View,
} from './types';
import { importTree } from './imports';
import { baseName } from './program';
import { parsePymallocStats } from './pymalloc';
import { readMemoryMaps } from './smaps';

/**
 * Resolves a snapshot into the model. Every file with at least one line (in either view) is kept,
 * library files (`user: false`) included: rows with no user frame are attributed to the library
 * line seen innermost, and leaving them out would make the totals disagree with traced memory.
 * Files that appear only as frames of call paths have no `FileModel`; their frames still carry
 * the path.
 */
export function buildModel(doc: SnapshotDocument): MemModel {
  const paths = doc.files.map((f) => f.path);
  const files = new Map<string, FileModel>();
  const maxLineBytes: Record<View, number> = { exit: 0, peak: 0 };
  const totalBytes: Record<View, number> = { exit: 0, peak: 0 };
  for (const entry of doc.files) {
    const file = buildFile(entry, paths);
    if (file === undefined) continue;
    files.set(file.path, file);
    for (const view of VIEWS) {
      maxLineBytes[view] = Math.max(maxLineBytes[view], file.maxLineBytes[view]);
    }
    for (const line of file.lines.values()) {
      totalBytes.exit += line.exit?.bytes ?? 0;
      totalBytes.peak += line.peak?.bytes ?? 0;
    }
  }
  return {
    kind: doc.kind,
    label: doc.label,
    program: doc.program,
    origin: doc.origin,
    frames: doc.settings.frames,
    mode: doc.settings.mode ?? 'exact',
    estimated: doc.settings.mode === 'fast',
    sampleInterval: doc.settings.sampleInterval,
    modeNote: doc.settings.modeNote,
    totals: doc.totals,
    peak: doc.peak,
    hasPeak: doc.peak.method !== 'none',
    tracingStopped: doc.tracingStopped,
    process: doc.process && processModel(doc.process),
    census: doc.census,
    gc: doc.gc,
    imports: doc.imports && importTree(doc.imports),
    timeline: doc.timeline && timeInOrder(doc.timeline),
    pymalloc: pymallocModel(doc.pymallocStats),
    files,
    maxLineBytes,
    totalBytes,
  };
}

/** The `process` part with its smaps text (when the helper could read it) parsed once. */
function processModel(process: ProcessMemory): ProcessModel {
  const { smaps, ...rest } = process;
  return smaps === undefined ? rest : { ...rest, maps: readMemoryMaps(smaps) };
}

/** The timeline with samples and markers sorted by time, whatever order the document lists them in. */
function timeInOrder(t: Timeline): Timeline {
  return {
    ...t,
    samples: [...t.samples].sort((a, b) => a.t - b.t),
    markers: [...t.markers].sort((a, b) => a.t - b.t),
  };
}

/** pymalloc's text and figures; undefined when there is no text, or only blank text (nothing to show). */
function pymallocModel(text: string | undefined): PymallocModel | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return { text, figures: parsePymallocStats(text) };
}

/**
 * The `limit` lines holding the most bytes in `view`, across all files: descending by bytes, ties
 * by file path and then line number so the order is stable. Lines with no figures in that view
 * are left out.
 */
export function hottestLines(model: MemModel, view: View, limit: number): LineModel[] {
  const rows: LineModel[] = [];
  for (const file of model.files.values()) {
    for (const line of file.lines.values()) {
      if (line[view] !== undefined) rows.push(line);
    }
  }
  rows.sort(
    (a, b) =>
      b[view]!.bytes - a[view]!.bytes ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line,
  );
  return rows.slice(0, Math.max(0, limit));
}

/**
 * The scopes of `file` that contain `line`, outermost first (the module, then a class, then its
 * method…), for a hover that says where a line sits.
 */
export function scopesContaining(file: FileModel, line: number): ScopeModel[] {
  return file.scopes
    .filter((s) => s.line <= line && line <= s.endLine)
    .sort((a, b) => a.line - b.line || b.endLine - a.endLine);
}

const VIEWS: readonly View[] = ['exit', 'peak'];

function buildFile(entry: FileEntry, paths: readonly string[]): FileModel | undefined {
  if (entry.lines.length === 0 && entry.peakLines.length === 0) return undefined;
  const lines = new Map<number, LineModel>();
  const lineAt = (n: number): LineModel => {
    let l = lines.get(n);
    if (l === undefined) {
      l = { file: entry.path, line: n };
      lines.set(n, l);
    }
    return l;
  };
  for (const stat of entry.lines) lineAt(stat.line).exit = figures(stat, paths);
  for (const stat of entry.peakLines) lineAt(stat.line).peak = figures(stat, paths);

  // Sorted once, so each scope finds its lines by binary search instead of scanning the file.
  const sorted = [...lines.values()].sort((a, b) => a.line - b.line);
  const maxLineBytes: Record<View, number> = { exit: 0, peak: 0 };
  for (const l of sorted) {
    maxLineBytes.exit = Math.max(maxLineBytes.exit, l.exit?.bytes ?? 0);
    maxLineBytes.peak = Math.max(maxLineBytes.peak, l.peak?.bytes ?? 0);
  }

  const declared = [...(entry.scopes ?? [])].sort(
    (a, b) => a.line - b.line || b.endLine - a.endLine || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const lastLine = declared.reduce((m, s) => Math.max(m, s.endLine), sorted[sorted.length - 1].line);
  const scopes: ScopeModel[] = [
    scope(entry.path, baseName(entry.path), 'module', 1, lastLine, sorted),
    ...declared.map((s) => scope(entry.path, s.name, s.kind, s.line, s.endLine, sorted)),
  ];
  return { path: entry.path, user: entry.user, lines, scopes, maxLineBytes };
}

function figures(stat: LineStat, paths: readonly string[]): LineFigures {
  return {
    bytes: stat.bytes,
    blocks: stat.blocks,
    noUserFrame: stat.noUserFrame === true,
    ...(stat.samples !== undefined ? { samples: stat.samples } : {}),
    paths: stat.paths.map((p) => resolvePath(p, paths)),
  };
}

function resolvePath(p: CallPath, paths: readonly string[]): ResolvedPath {
  return {
    bytes: p.bytes,
    blocks: p.blocks,
    ...(p.samples !== undefined ? { samples: p.samples } : {}),
    frames: p.frames.map(([file, line]) => ({ file: paths[file], line })),
  };
}

/** Sums the lines of `sorted` (ascending by line) that fall in `[line, endLine]`. */
function scope(
  file: string,
  name: string,
  kind: ScopeModel['kind'],
  line: number,
  endLine: number,
  sorted: readonly LineModel[],
): ScopeModel {
  const s: ScopeModel = {
    file, name, kind, line, endLine,
    exitBytes: 0, exitBlocks: 0, peakBytes: 0, peakBlocks: 0,
  };
  let hottestExit: LineModel | undefined;
  let hottestPeak: LineModel | undefined;
  for (let i = lowerBound(sorted, line); i < sorted.length && sorted[i].line <= endLine; i++) {
    const l = sorted[i];
    if (l.exit !== undefined) {
      s.exitBytes += l.exit.bytes;
      s.exitBlocks += l.exit.blocks;
      // Strictly greater keeps the first (lowest) line on ties.
      if (l.exit.bytes > (hottestExit?.exit?.bytes ?? 0)) hottestExit = l;
    }
    if (l.peak !== undefined) {
      s.peakBytes += l.peak.bytes;
      s.peakBlocks += l.peak.blocks;
      if (l.peak.bytes > (hottestPeak?.peak?.bytes ?? 0)) hottestPeak = l;
    }
  }
  const hottest = hottestExit ?? hottestPeak;
  if (hottest !== undefined) s.hottestLine = hottest.line;
  return s;
}

/**
 * Index of the first element of `sorted` (ascending by line) whose line is at least `line`: where
 * a scope's lines begin, for the model's scopes and a comparison's alike.
 */
export function lowerBound(sorted: readonly { line: number }[], line: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
