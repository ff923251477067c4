/**
 * Computes what the memory panel shows from a `MemModel`: the headline figures, every annotated
 * line, the type census with shares, the classified memory maps, the timeline, the garbage
 * collector's report, import costs and pymalloc's statistics. Pure (no editor, no file access),
 * so unit tests check it in plain Node; the host posts its result as `ToPanel.show`. It reads the
 * model alone: the loader has checked every field's type, and the model has parsed what needs it.
 * A part the snapshot lacks becomes a sentence saying what is missing and why; memory maps whose
 * text holds no mapping (the loader checks only that the text is a string) say they cannot be
 * read, instead of taking the panel down.
 */
import { flattenImportTree, type ImportNode } from '../model/imports';
import { mappingGroup, readMemoryMaps, type MemoryMaps } from '../model/smaps';
import type { MemModel, LineModel, LineFigures } from '../model/types';
import { formatBytes, formatTracedBytes, shellWords } from '../model/format';
import { originText } from '../model/origin';
import { baseName, programName } from '../model/program';
import { FileTable, pathText } from './rows';
import type {
  FileRef,
  GcData,
  ImportRow,
  ImportsData,
  LineRow,
  LinesData,
  MappingRow,
  PanelData,
  ProcessData,
  ProgramSummary,
  PymallocData,
  Section,
  SummaryData,
  TimelineData,
  TypeRow,
  TypesData,
} from '../protocol/panel';
import type { ProgramInfo, TypeCount } from '../protocol/snapshot';
import type { Mapping } from '../protocol/smaps';

/** What the panel needs besides the model. */
export interface PanelDataOptions {
  source: { snapshotPath: string; script?: string; outcome?: string };
  /** How a file is named in rows (relative to the workspace in the extension); default: the path. */
  displayPath?: (file: string) => string;
}

/** How many top lines and types the Summary lists. */
export const SUMMARY_TOP = 5;

/** The sentences of parts a snapshot may lack. */
export const MISSING = {
  types: 'No type census in this snapshot (turned off, or made by an older helper).',
  process: 'No memory maps in this snapshot (made by an older helper).',
  timeline: 'No timeline in this snapshot (sampling turned off, or made by an older helper).',
  timelineEmpty: 'The timeline holds no samples: the program ended before the first one was taken.',
  gc: 'No garbage collector report in this snapshot (turned off, or made by an older helper).',
  imports: 'No import costs in this snapshot (turned off, or made by an older helper).',
  pymalloc: 'No pymalloc statistics in this snapshot (turned off, made by an older helper, or not CPython).',
} as const;

/**
 * A part `model` lacks: `sentence` guesses why for a run's snapshot; an imported tracemalloc dump
 * holds the traces alone, and says so instead.
 */
function absent(model: MemModel, what: string, sentence: string): { ok: false; missing: string } {
  if (model.origin?.kind === 'tracemalloc-dump') {
    return { ok: false, missing: `No ${what} in this snapshot: it was imported from a tracemalloc dump, which holds the traces alone.` };
  }
  return { ok: false, missing: sentence };
}

/** Builds the panel's data for `model`. */
export function panelData(model: MemModel, options: PanelDataOptions): PanelData {
  const display = options.displayPath ?? ((f: string) => f);
  const lines = linesData(model, display);
  const types = typesData(model);
  const process = section('memory maps', () => processData(model));
  const timeline = timelineData(model);
  const gc = gcData(model);
  const imports = importsData(model);
  const pymalloc = pymallocData(model);
  return {
    source: { ...options.source },
    program: programSummary(model, options.source.script),
    summary: summaryData(model, lines, types, process, gc, imports),
    lines,
    types,
    process,
    timeline,
    gc,
    imports,
    pymalloc,
  };
}

/**
 * Runs `build`; a thrown error becomes a missing section naming the part. Only the memory maps can
 * throw: their text is any string to the loader, and one that holds no mapping cannot be shown.
 */
function section<T>(what: string, build: () => Section<T>): Section<T> {
  try {
    return build();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, missing: `The ${what} in this snapshot cannot be read (${detail.replace(/\.$/, '')}).` };
  }
}

function programSummary(model: MemModel, script?: string): ProgramSummary {
  const p = model.program;
  const common = {
    kind: model.kind,
    label: model.label,
    frames: model.frames,
    mode: model.mode,
    sampleInterval: model.sampleInterval ?? null,
    modeNote: model.modeNote ?? null,
  };
  if (p === null) {
    const name = script ? baseName(script) : model.origin ? baseName(model.origin.path) : 'unknown program';
    return { ...common, name, argv: null, python: null, pid: null, ended: null, origin: originText(model) };
  }
  return {
    ...common,
    name: script ? baseName(script) : programName(p.argv),
    argv: p.argv,
    python: `${p.python.implementation} ${p.python.version.split(/\s/)[0]}`,
    pid: p.pid,
    ended: endedText(p),
    origin: null,
  };
}

/** How the program ended, in words. */
export function endedText(p: ProgramInfo): string {
  const e = p.end;
  if (e.kind === 'exception') return `ended with ${e.type}: ${e.message}`;
  if (e.kind === 'signal') return `stopped by ${e.signal}`;
  if (e.kind === 'snapshot') return 'still running (snapshot during the run)';
  const status = exitStatusText(p);
  // The figures are the program's at the exec; the exit status is the new program's.
  if (e.kind === 'exec') return `replaced itself (os.exec*) with ${shellWords(e.argv)}` + (status ? `, which ${status}` : '');
  return status ?? 'exited normally';
}

function exitStatusText(p: ProgramInfo): string | undefined {
  if (p.exitSignal) return `ended by ${p.exitSignal}`;
  if (p.exitCode !== undefined && p.exitCode !== null && p.exitCode !== 0) return `exited with status ${p.exitCode}`;
  return undefined;
}

// ---- Lines ----

function linesData(model: MemModel, display: (f: string) => string): LinesData {
  const files = new FileTable(display);
  const rows: LineRow[] = [];
  for (const file of model.files.values()) {
    const index = files.index(file.path, file.user);
    for (const l of file.lines.values()) rows.push(lineRow(l, index, model.estimated));
  }
  rows.sort((a, b) => compareLineRows(a, b, files.refs));
  return {
    files: files.refs,
    rows,
    totalExit: model.totalBytes.exit,
    totalPeak: model.totalBytes.peak,
    hasPeak: model.hasPeak,
  };
}

/** Most bytes at exit first, then at peak, then path and line: the Lines table's first order. */
export function compareLineRows(a: LineRow, b: LineRow, files: readonly FileRef[]): number {
  const fa = files[a.file].path;
  const fb = files[b.file].path;
  return (
    b.exitBytes - a.exitBytes ||
    b.peakBytes - a.peakBytes ||
    (fa < fb ? -1 : fa > fb ? 1 : 0) ||
    a.line - b.line
  );
}

function lineRow(l: LineModel, file: number, estimated: boolean): LineRow {
  const main = l.exit ?? l.peak;
  const top = main?.paths[0];
  const topText = top ? pathText(top.frames) : '';
  // Paths other than the top one; the same path at peak adds nothing the columns do not say.
  const others: string[] = [];
  const more = (label: string, figures: LineFigures | undefined): void => {
    for (const p of figures?.paths ?? []) {
      const text = pathText(p.frames);
      if (p !== top && text !== topText) others.push(`${label} ${formatTracedBytes(p.bytes, estimated)}: ${text}`);
    }
  };
  more('exit', l.exit);
  more('peak', l.peak);
  const row: LineRow = {
    file,
    line: l.line,
    exitBytes: l.exit?.bytes ?? 0,
    exitBlocks: l.exit?.blocks ?? 0,
    peakBytes: l.peak?.bytes ?? 0,
    peakBlocks: l.peak?.blocks ?? 0,
    noUserFrame: (l.exit?.noUserFrame ?? false) || (l.peak?.noUserFrame ?? false),
    topPath: topText,
    otherPaths: others.join('\n'),
  };
  // Only a fast-mode run's rows carry samples: an exact run's rows are as they always were.
  if (estimated) {
    row.exitSamples = l.exit?.samples ?? 0;
    row.peakSamples = l.peak?.samples ?? 0;
  }
  return row;
}

// ---- Types ----

/**
 * Type rows with shares of `total` bytes, most bytes first; `cumulative` runs down that order,
 * so it reads like heapy's table whatever order the panel later sorts by.
 */
export function typeRows(counts: readonly TypeCount[], total?: number): TypeRow[] {
  const sorted = [...counts].sort(
    (a, b) => b.bytes - a.bytes || b.count - a.count || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0),
  );
  const sum = total !== undefined && total > 0 ? total : sorted.reduce((s, t) => s + t.bytes, 0);
  let running = 0;
  return sorted.map((t) => {
    running += t.bytes;
    return {
      type: t.type,
      count: t.count,
      bytes: t.bytes,
      share: sum > 0 ? t.bytes / sum : 0,
      cumulative: sum > 0 ? Math.min(1, running / sum) : 0,
    };
  });
}

function typesData(model: MemModel): Section<TypesData> {
  const c = model.census;
  if (c === undefined) return absent(model, 'type census', MISSING.types);
  // The census's own total counts every object walked; rows may leave out the smallest types.
  const total = Math.max(c.bytes, c.types.reduce((s, t) => s + t.bytes, 0));
  return {
    ok: true,
    data: {
      rows: typeRows(c.types, total),
      objects: c.objects,
      bytes: c.bytes,
      complete: c.complete,
      seconds: c.seconds,
      note: c.note,
    },
  };
}

// ---- Process memory ----

function processData(model: MemModel): Section<ProcessData> {
  const p = model.process;
  if (p === undefined) return absent(model, 'memory maps', MISSING.process);
  if (p.maps === undefined) {
    return {
      ok: false,
      missing: p.smapsError ? `No memory maps in this snapshot: ${p.smapsError}` : MISSING.process,
    };
  }
  const note = p.sharedDirtyFolded ? `${formatBytes(p.sharedDirtyFolded)} folded back: ${p.sharedDirtyNote ?? ''}`.trim() : null;
  return { ok: true, data: { ...mapsData(p.maps, p.pageSize ?? null), note } };
}

/**
 * The Process tab's figures from `/proc/PID/smaps` text read from a running process. Throws when
 * the text holds no mapping.
 */
export function smapsData(smaps: string, pageSize: number | null): ProcessData {
  return mapsData(readMemoryMaps(smaps), pageSize);
}

/** The Process tab's figures from memory maps: a snapshot's, or a running process's. Throws when there is no mapping. */
function mapsData({ mappings, report }: MemoryMaps, pageSize: number | null): ProcessData {
  if (mappings.length === 0) throw new Error('its smaps text holds no mapping');
  const rows = mappings.map(mappingRow);
  // Stable sort: ties keep address order.
  rows.sort((a, b) => b.privateDirty - a.privateDirty || b.pss - a.pss);
  return {
    groups: report.groups.map((g) => ({
      group: g.group,
      classes: g.classes.map((c) => ({ ...c, perms: [...c.perms] })),
      total: { ...g.total },
    })),
    total: { ...report.total },
    writable: report.writable,
    uss: report.uss,
    pageSize,
    note: null,
    files: report.files.map((f) => ({ ...f })),
    mappings: rows,
  };
}

function mappingRow(m: Mapping): MappingRow {
  return {
    address: `${m.start}-${m.end}`,
    perms: m.perms,
    name: m.pathname,
    group: mappingGroup(m),
    size: m.size,
    rss: m.rss,
    pss: m.pss,
    sharedClean: m.sharedClean,
    sharedDirty: m.sharedDirty,
    privateClean: m.privateClean,
    privateDirty: m.privateDirty,
    swap: m.swap,
  };
}

// ---- Timeline ----

function timelineData(model: MemModel): Section<TimelineData> {
  const t = model.timeline;
  if (t === undefined) return absent(model, 'timeline', MISSING.timeline);
  if (t.samples.length === 0) return { ok: false, missing: MISSING.timelineEmpty };
  // The model has put both in time order.
  const { samples, markers } = t;
  let end = samples[samples.length - 1].t;
  if (markers.length > 0) end = Math.max(end, markers[markers.length - 1].t);
  let maxBytes = 0;
  for (const s of samples) maxBytes = Math.max(maxBytes, s.traced, s.rss ?? 0, s.privateDirty ?? 0);
  return { ok: true, data: { interval: t.interval, samples, markers, end, maxBytes } };
}

// ---- Garbage collector ----

function gcData(model: MemModel): Section<GcData> {
  const g = model.gc;
  if (g === undefined) return absent(model, 'garbage collector report', MISSING.gc);
  const generations = [...g.generations].sort((a, b) => a.generation - b.generation);
  const totals = { collections: 0, collected: 0, uncollectable: 0, seconds: 0 };
  for (const gen of generations) {
    totals.collections += gen.collections;
    totals.collected += gen.collected;
    totals.uncollectable += gen.uncollectable;
    totals.seconds += gen.seconds;
  }
  return {
    ok: true,
    data: {
      enabled: g.enabled,
      thresholds: [...g.thresholds],
      generations,
      totals,
      cyclicGarbage: typeRows(g.cyclicGarbage),
      cyclicGarbageNote: g.cyclicGarbageNote ?? null,
      uncollectable: typeRows(g.uncollectable),
    },
  };
}

// ---- Imports ----

/**
 * Import rows in tree order (the model's `importTree` of `model/imports.ts`): each import made by
 * user code, largest traced total first, followed by the imports it pulled in, likewise ordered,
 * with depth.
 */
export function importRows(roots: readonly ImportNode[]): ImportRow[] {
  return flattenImportTree(roots).map(({ node, depth }) => ({ ...node.cost, depth }));
}

function importsData(model: MemModel): Section<ImportsData> {
  const tree = model.imports;
  if (tree === undefined) return absent(model, 'import costs', MISSING.imports);
  const rows = importRows(tree);
  const roots = rows.filter((r) => r.depth === 0);
  const pd = roots.map((r) => r.privateDirtyTotal);
  return {
    ok: true,
    data: {
      rows,
      tracedTotal: roots.reduce((s, r) => s + r.tracedTotal, 0),
      privateDirtyTotal: pd.length > 0 && pd.every((v) => v !== null) ? pd.reduce((s: number, v) => s + (v as number), 0) : null,
      seconds: roots.reduce((s, r) => s + r.seconds, 0),
    },
  };
}

// ---- pymalloc ----

function pymallocData(model: MemModel): Section<PymallocData> {
  const p = model.pymalloc;
  if (p === undefined) return absent(model, 'pymalloc statistics', MISSING.pymalloc);
  return { ok: true, data: { text: p.text, figures: p.figures ?? null } };
}

// ---- Summary ----

function summaryData(
  model: MemModel,
  lines: LinesData,
  types: Section<TypesData>,
  process: Section<ProcessData>,
  gc: Section<GcData>,
  imports: Section<ImportsData>,
): SummaryData {
  const t = model.totals;
  const maps = process.ok ? process.data : undefined;
  const byPeak = lines.rows.filter((r) => r.peakBytes > 0).sort((a, b) => b.peakBytes - a.peakBytes || compareLineRows(a, b, lines.files));
  const topFile = maps?.files.find((f) => f.privateDirty > 0) ?? maps?.files[0];
  let heaviest: ImportRow | null = null;
  if (imports.ok) {
    for (const r of imports.data.rows) if (heaviest === null || r.tracedTotal > heaviest.tracedTotal) heaviest = r;
  }
  const warnings: string[] = [];
  if (gc.ok && gc.data.uncollectable.length > 0) {
    const n = gc.data.uncollectable.reduce((s, r) => s + r.count, 0);
    warnings.push(`${n} uncollectable ${n === 1 ? 'object' : 'objects'} in gc.garbage: memory the garbage collector can never free (see GC).`);
  }
  if (gc.ok && !gc.data.enabled) warnings.push('The garbage collector was turned off (gc.disable()): reference cycles were never freed.');
  if (types.ok && !types.data.complete) {
    warnings.push(`The type census is partial: its time bound stopped it${types.data.note ? ` (${types.data.note.replace(/\.$/, '')})` : ''}.`);
  }
  return {
    headline: {
      writable: maps ? maps.writable : null,
      tracedPeak: t.tracedPeak,
      tracedCurrent: t.tracedCurrent,
      blocks: t.blocks,
      samples: t.samples ?? null,
      maxRss: t.maxRss,
      rss: t.rss,
      uss: maps ? maps.uss : null,
      pss: maps ? maps.total.pss : null,
      swap: maps ? maps.total.swap : null,
      minorFaults: t.minorFaults,
      majorFaults: t.majorFaults,
      wallSeconds: t.wallSeconds,
      cpuSeconds: t.cpuUserSeconds === null || t.cpuSystemSeconds === null ? null : t.cpuUserSeconds + t.cpuSystemSeconds,
    },
    topLinesExit: lines.rows.filter((r) => r.exitBytes > 0).slice(0, SUMMARY_TOP),
    topLinesPeak: byPeak.slice(0, SUMMARY_TOP),
    topTypes: types.ok ? types.data.rows.slice(0, SUMMARY_TOP) : [],
    topLibrary: topFile ? { path: topFile.path, privateDirty: topFile.privateDirty, pss: topFile.pss } : null,
    heaviestImport: heaviest,
    warnings,
  };
}
