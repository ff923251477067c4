/**
 * The CLI's text report of a run: a header with the program's exit and memory totals, then the
 * hottest lines at exit and at peak. A pure function of the model, so tests check the text
 * without running anything; reading source lines comes in as a function. A fast-mode run's traced
 * figures are estimates, printed with `≈` and the samples behind them; a light-mode run tracked no
 * allocation, and the report says so instead of printing traced zeros.
 */
import * as path from 'node:path';
import {
  estimateSentence,
  formatBytes,
  formatCount,
  formatDuration,
  formatTracedBytes,
  LIGHT_MODE_TEXT,
  shellWords,
} from '../model/format';
import { hottestLines } from '../model/model';
import { originText } from '../model/origin';
import { commandTarget } from '../model/program';
import type { LineModel, MemModel, View } from '../model/types';
import { displayPath } from './paths';
import { writableMemoryLine } from './smapsReport';

/** What the report needs besides the model. */
export interface ReportOptions {
  /** Rows per table. */
  top: number;
  /** Paths inside this folder are shown relative to it. */
  cwd: string;
  /** The text of a 1-based source line, or undefined when the file cannot be read. */
  sourceLine: (file: string, line: number) => string | undefined;
}

/** Longest source text shown in a row before it is cut with `…`. */
const SOURCE_WIDTH = 60;
/** Longest path shown in a row; longer ones keep their end, which names the file. */
const PATH_WIDTH = 50;

/** Renders the report; the text ends with a newline. */
export function renderReport(model: MemModel, opts: ReportOptions): string {
  const p = model.program;
  const out: string[] = [];

  const t = model.totals;
  const est = model.estimated;
  const light = model.mode === 'light';
  // A snapshot without a program (an imported tracemalloc dump) knows its traces alone: the
  // header names where it came from instead of figures it does not have.
  const header = (
    p === null
      ? [`MemLens — ${model.label ?? 'snapshot'}`, originText(model)]
      : [
          `MemLens — ${programLabel(p.argv, p.cwd, opts.cwd)}`,
          exitText(p.exitCode, p.exitSignal),
          light ? 'light mode' : `traced peak ${tracedOrUnknown(t.tracedPeak, est)}`,
          `peak RSS ${bytesOrUnknown(t.maxRss)}`,
        ]
  ).join(' — ');
  out.push(header, '═'.repeat(header.length));
  const end = p?.end;
  if (end?.kind === 'exception') {
    const where = end.file !== undefined ? ` at ${displayPath(end.file, opts.cwd)}:${end.line ?? '?'}` : '';
    out.push(`The program ended with an uncaught ${end.type}${where}: ${end.message}`);
  } else if (end?.kind === 'signal') {
    out.push(`The program was stopped by ${end.signal}; the figures are from that moment.`);
  } else if (end?.kind === 'exec') {
    // The process went on as another program, whose exit status the header shows.
    out.push(`The program replaced itself (os.exec*) with ${shellWords(end.argv)}; the figures are from that moment.`);
  }
  const stopped = model.tracingStopped;
  if (stopped !== undefined) {
    out.push(
      `The program stopped tracing (tracemalloc.stop()) ${formatDuration(stopped.at)} after it started: ` +
        'what it allocated after that is not traced, so the traced figures end there.',
    );
  }
  // tracemalloc forgets its traces when stopped: an empty exit view then says nothing of the program.
  const live =
    stopped !== undefined
      ? 'not traced (tracing had stopped)'
      : est
        ? `${formatTracedBytes(t.tracedCurrent, true)} (${estimateSentence(t.samples, model.sampleInterval)})`
        : `${formatBytes(t.tracedCurrent)} in ${formatCount(t.blocks)} blocks`;
  if (light && p !== null) {
    const ran = t.wallSeconds === null ? '' : `; ran ${formatDuration(t.wallSeconds)}`;
    out.push(`${LIGHT_MODE_TEXT[0].toUpperCase()}${LIGHT_MODE_TEXT.slice(1)}${ran} on ${p.python.implementation} ${p.python.version.split(' ')[0]}.`);
  } else if (p === null) {
    out.push(`Live at the snapshot ${live}; the dump records nothing else of the program.`);
  } else {
    const ran = t.wallSeconds === null ? '' : `ran ${formatDuration(t.wallSeconds)} `;
    out.push(`Live at exit ${live}; ${ran}on ${p.python.implementation} ${p.python.version.split(' ')[0]}.`);
  }
  // The process's own view, from its memory maps at exit (`memlens smaps` shows the whole table).
  const maps = model.process?.maps;
  if (maps !== undefined) out.push(writableMemoryLine(maps.report));
  // Light mode has no lines to rank: the sentence above says why.
  if (light) return out.join('\n') + '\n';

  let anyNoUserFrame = false;
  const table = (view: View, title: string): void => {
    out.push('', title);
    const rows = hottestLines(model, view, opts.top);
    if (rows.length === 0) {
      out.push(view === 'exit' && stopped !== undefined ? '  (none: the program had stopped tracing)' : '  (no live allocations traced)');
      return;
    }
    anyNoUserFrame ||= rows.some((r) => r[view]!.noUserFrame);
    out.push(...renderTable(rows, view, opts, model.estimated));
  };

  table('exit', p === null ? 'Hottest lines at the snapshot' : 'Hottest lines at exit');
  if (p === null) {
    out.push('', 'Hottest lines at peak: a tracemalloc dump holds one moment only.');
  } else if (!model.hasPeak) {
    out.push('', 'Hottest lines at peak: not captured (turned off with --no-peak, or not supported here).');
  } else {
    table('peak', 'Hottest lines at peak');
    out.push(peakNote(model));
  }
  if (anyNoUserFrame) {
    out.push(
      '',
      `* No user frame within ${model.frames} frames: the memory is shown on the innermost ` +
        // Fast mode always records its 64 frames: --frames is exact mode's depth.
        (est ? 'line seen.' : 'line seen (raise --frames to reach your code).'),
    );
  }
  return out.join('\n') + '\n';
}

/**
 * What ran, for the header: the script (relative to `cwd` when inside it), `-m module` or `-c …`
 * (`commandTarget` reads the interpreter's command line).
 */
export function programLabel(argv: readonly string[], programCwd: string, cwd: string): string {
  const t = commandTarget(argv);
  switch (t.kind) {
    case 'script':
      return displayPath(path.resolve(programCwd, t.value), cwd);
    case 'module':
      return `-m ${t.value}`;
    case 'command':
      return '-c …';
    case 'stdin':
      return '- (standard input)';
    case 'unknown':
      // A command line without a script (hand-made snapshots hold only sys.argv) names what it has.
      return argv.length > 0 ? displayPath(path.resolve(programCwd, argv[0]), cwd) : '(unknown program)';
  }
}

/** `argv` as a shell would read it: words with spaces or quotes are single-quoted. */
function bytesOrUnknown(n: number | null): string {
  return n === null ? 'unknown' : formatBytes(n);
}

/** A traced figure (`≈` when estimated), or `unknown`. */
function tracedOrUnknown(n: number | null, estimated: boolean): string {
  return n === null ? 'unknown' : formatTracedBytes(n, estimated);
}

function exitText(code: number | null | undefined, signal: string | null | undefined): string {
  if (signal) return `ended by ${signal}`;
  if (code !== null && code !== undefined) return `exit code ${code}`;
  return 'exit status unknown';
}

/** How the peak view relates to the true traced peak, which it may sit below. */
function peakNote(model: MemModel): string {
  const { peak, totals } = model;
  const est = model.estimated;
  if (peak.method === 'sampler') {
    const margin = peak.margin === undefined ? 'a margin' : `${+(peak.margin * 100).toFixed(2)} %`;
    return (
      `  (Copied at ${formatTracedBytes(peak.capturedTraced, est)} of the ${tracedOrUnknown(totals.tracedPeak, est)} traced peak: ` +
      `the sampler copies its table whenever its estimate rises ${margin} past the last copy, however short the peak.)`
    );
  }
  if (peak.method === 'exit') {
    if (totals.tracedPeak === null || totals.tracedPeak <= totals.tracedCurrent) return '  (This is the exit view: memory was highest at the end.)';
    // Captures taken but all below the memory at exit are dropped for the exit view.
    const why =
      peak.captures > 0
        ? `the ${formatCount(peak.captures)} capture${peak.captures === 1 ? '' : 's'} taken during the run held less than the memory at exit`
        : 'no capture was taken during the run';
    return `  (${why[0].toUpperCase()}${why.slice(1)}, so this is the exit view; the traced peak was ${formatTracedBytes(totals.tracedPeak, est)}.)`;
  }
  return (
    `  (Captured at ${formatTracedBytes(peak.capturedTraced, est)} of the ${tracedOrUnknown(totals.tracedPeak, est)} traced peak; ` +
    `captures follow each rise of ${bytesOrUnknown(peak.stepBytes)}.)`
  );
}

/** The rows of one view; an estimated (fast-mode) table gives each line's samples instead of its blocks. */
function renderTable(rows: LineModel[], view: View, opts: ReportOptions, estimated: boolean): string[] {
  const cells = rows.map((r, i) => {
    const f = r[view]!;
    const text = opts.sourceLine(r.file, r.line)?.trim() ?? '';
    return [
      String(i + 1),
      formatTracedBytes(f.bytes, estimated),
      estimated ? (f.samples === undefined ? '?' : formatCount(f.samples)) : formatCount(f.blocks),
      `${shorten(displayPath(r.file, opts.cwd))}:${r.line}${f.noUserFrame ? ' *' : ''}`,
      text.length > SOURCE_WIDTH ? text.slice(0, SOURCE_WIDTH - 1) + '…' : text,
    ];
  });
  const head = ['#', 'bytes', estimated ? 'samples' : 'blocks', 'line', 'source'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
  // Numbers right-aligned, text left-aligned; the last column is not padded.
  const fmt = (row: string[]): string =>
    [
      row[0].padStart(widths[0]),
      row[1].padStart(widths[1]),
      row[2].padStart(widths[2]),
      row[3].padEnd(widths[3]),
      row[4],
    ]
      .join('  ')
      .trimEnd();
  return [fmt(head), ...cells.map(fmt)].map((l) => '  ' + l);
}

/** `p` cut to its last `PATH_WIDTH` characters, marked with a leading `…`, when longer. */
function shorten(p: string): string {
  return p.length > PATH_WIDTH ? '…' + p.slice(p.length - PATH_WIDTH + 1) : p;
}
