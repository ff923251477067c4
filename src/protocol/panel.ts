/**
 * Messages between the memory panel (the webview in `webview/`) and its host (`src/panel/`), and
 * the `PanelData` the host computes from a `MemModel` for it. The panel says `ready` first; the
 * host answers with `show` (or `clear` when there are no results), and again on every `ready`,
 * since VS Code reloads a hidden webview. Figures stay raw integers (bytes, counts) and seconds:
 * the panel formats them with `src/model/format.ts`, so the editor, panel and CLI agree, and
 * sorts on the numbers. Every string that comes from a profile (paths, type and module names) is
 * data: the panel renders it as text, never as markup.
 */
import type { PymallocStats } from '../model/pymalloc';
import type { SmapsFigures } from '../model/smaps';
import type { GcGeneration, TimelineMarker, TimelineSample } from './snapshot';

/** Host → panel. */
export type ToPanel =
  | { type: 'show'; data: PanelData }
  | { type: 'clear'; reason: string };

/** Panel → host. */
export type FromPanel =
  | { type: 'ready' }
  /** Open `file` (absolute, as in the model) at 1-based `line` of the run. */
  | { type: 'openLine'; file: string; line: number }
  /** Something went wrong in the panel (a script error, a blocked resource): the host logs it. */
  | { type: 'problem'; message: string };

/** A part of the data that a snapshot may lack; `missing` says what and why, as a sentence. */
export type Section<T> = { ok: true; data: T } | { ok: false; missing: string };

/** Everything the panel shows about one snapshot. */
export interface PanelData {
  /** Where the results came from. */
  source: { snapshotPath: string; script?: string; outcome?: string };
  program: ProgramSummary;
  summary: SummaryData;
  lines: LinesData;
  types: Section<TypesData>;
  process: Section<ProcessData>;
  timeline: Section<TimelineData>;
  gc: Section<GcData>;
  imports: Section<ImportsData>;
  pymalloc: Section<PymallocData>;
}

export interface ProgramSummary {
  /** The script's file name (`sample.py`), or `-m module`. */
  name: string;
  /** The command line as the program saw it. */
  argv: string[];
  /** `CPython 3.11.7`. */
  python: string;
  pid: number;
  kind: 'exit' | 'snapshot';
  label?: string;
  /** How the program ended, in words: `exited normally`, `ZeroDivisionError: division by zero`. */
  ended: string;
  /** tracemalloc frame depth of the run. */
  frames: number;
}

/** The headline figures of a run. Null where the snapshot cannot tell (no memory maps). */
export interface HeadlineFigures {
  /** Writable memory: the sum of Private_Dirty over the memory maps. */
  writable: number | null;
  tracedPeak: number;
  /** Traced memory when the snapshot was taken. */
  tracedCurrent: number;
  blocks: number;
  /** Peak resident set size (`ru_maxrss`). */
  maxRss: number;
  rss: number | null;
  /** Unique set size: Private_Clean + Private_Dirty. */
  uss: number | null;
  pss: number | null;
  swap: number | null;
  minorFaults: number;
  majorFaults: number;
  wallSeconds: number;
  cpuSeconds: number;
}

export interface SummaryData {
  headline: HeadlineFigures;
  /** The lines holding the most at exit, and at peak (at most 5 each). */
  topLinesExit: LineRow[];
  topLinesPeak: LineRow[];
  /** The types holding the most bytes (at most 5); empty without a census. */
  topTypes: TypeRow[];
  /** The mapped file (library) holding the most private dirty memory. */
  topLibrary: { path: string; privateDirty: number; pss: number } | null;
  /** The import that cost the most traced memory, nested imports included. */
  heaviestImport: ImportRow | null;
  /** Sentences about what needs attention (uncollectable objects, a partial census…). */
  warnings: string[];
}

/** A file of the Lines table; rows refer to it by index, so 100 000 rows do not repeat paths. */
export interface FileRef {
  /** Absolute path, as in the model. */
  path: string;
  /** What the panel shows for the file: relative to the workspace, else the path. */
  display: string;
  /** False for library files (their rows hold memory with no user frame within reach). */
  user: boolean;
}

/** One annotated source line with its figures at exit and at peak (0 where it holds nothing). */
export interface LineRow {
  /** Index into `LinesData.files`. */
  file: number;
  line: number;
  exitBytes: number;
  exitBlocks: number;
  peakBytes: number;
  peakBlocks: number;
  noUserFrame: boolean;
  /** The largest call path, innermost first: `sample.py:8 ← sample.py:23`; '' when none. */
  topPath: string;
  /** The other call paths with their bytes, one per line (at exit, then at peak); often ''. */
  otherPaths: string;
}

export interface LinesData {
  /** The files the rows refer to. */
  files: FileRef[];
  /** Every annotated line: most bytes at exit first, then at peak, then file and line. */
  rows: LineRow[];
  totalExit: number;
  totalPeak: number;
  /** Whether the snapshot has a per-line view at the peak. */
  hasPeak: boolean;
}

/** Objects of one type. `share` and `cumulative` are fractions (0…1) of the census's bytes. */
export interface TypeRow {
  type: string;
  count: number;
  bytes: number;
  share: number;
  /** Share of this type and every type holding more bytes (heapy's cumulative %). */
  cumulative: number;
}

export interface TypesData {
  /** Most bytes first (ties: most objects, then name). */
  rows: TypeRow[];
  objects: number;
  bytes: number;
  /** False when the walk was stopped by its time bound: figures are a lower bound. */
  complete: boolean;
  seconds: number;
  note?: string;
}

/** Summed figures of some memory mappings, bytes (`mappings` is a count). */
export type MapFigures = SmapsFigures;

export type MapGroup = 'mapped' | 'anonymous' | 'kernel';

export interface MapClassRow extends MapFigures {
  /** `code`, `data`, `readonly`, `guard`, `shared`, `other`. */
  permClass: string;
  perms: string[];
}

export interface MapGroupRows {
  group: MapGroup;
  classes: MapClassRow[];
  total: MapFigures;
}

/** One memory mapping. */
export interface MappingRow {
  /** `start-end`, hex. */
  address: string;
  perms: string;
  /** '' for anonymous memory, else the kernel's name for it. */
  name: string;
  group: MapGroup;
  size: number;
  rss: number;
  pss: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  swap: number;
}

export interface ProcessData {
  /** The classic table: each group by permission class, with totals. */
  groups: MapGroupRows[];
  total: MapFigures;
  writable: number;
  uss: number;
  pageSize: number | null;
  /** Mapped files with all their mappings summed, most private dirty first. */
  files: (MapFigures & { path: string })[];
  /** Every mapping, most private dirty first (ties: PSS, then address order). */
  mappings: MappingRow[];
}

export interface TimelineData {
  interval: number;
  samples: TimelineSample[];
  markers: TimelineMarker[];
  /** The last moment on the chart, seconds since the start. */
  end: number;
  /** The largest figure of any sample (the chart's scale). */
  maxBytes: number;
}

export interface GcData {
  enabled: boolean;
  thresholds: number[];
  generations: GcGeneration[];
  totals: { collections: number; collected: number; uncollectable: number; seconds: number };
  /** Objects only the cycle collector could free, by type; shares of their bytes. */
  cyclicGarbage: TypeRow[];
  /** Objects in `gc.garbage`, by type. */
  uncollectable: TypeRow[];
}

/** What importing one module cost. */
export interface ImportRow {
  module: string;
  parent: string | null;
  /** 0 for imports made by user code, 1 for what they pulled in, … */
  depth: number;
  file: string | null;
  start: number;
  seconds: number;
  tracedSelf: number;
  tracedTotal: number;
  privateDirtySelf: number | null;
  privateDirtyTotal: number | null;
}

export interface ImportsData {
  /**
   * In tree order: each import made by user code, largest traced total first, followed by the
   * imports it pulled in, likewise ordered.
   */
  rows: ImportRow[];
  /** Sums over the imports made by user code (nested ones are inside them). */
  tracedTotal: number;
  privateDirtyTotal: number | null;
  seconds: number;
}

export interface PymallocData {
  /** What `sys._debugmallocstats()` printed. */
  text: string;
  /** Its figures (`parsePymallocStats`); null when the text holds no pymalloc section. */
  figures: PymallocFigures | null;
}

/** pymalloc's arenas, pools and blocks, as `parsePymallocStats` reads them. */
export type PymallocFigures = PymallocStats;
