/**
 * Messages between the memory panel (the webview in `webview/`) and its host (`src/panel/`), and
 * the `PanelData` the host computes from a `MemModel` for it. The panel says `ready` first; the
 * host answers with `show` (or `clear` when there are no results), and again on every `ready`,
 * since VS Code reloads a hidden webview. Figures stay raw integers (bytes, counts) and seconds:
 * the panel formats them with `src/model/format.ts`, so the editor, panel and CLI agree, and
 * sorts on the numbers. Every string that comes from a profile (paths, type and module names) is
 * data: the panel renders it as text, never as markup.
 */
import type { PymallocStats } from './pymalloc';
import type { FileUsage, Mapping, SmapsFigures, SmapsGroup, SmapsGroupReport } from './smaps';
import type { GcGeneration, ImportCost, ProfileMode, TimelineMarker, TimelineSample } from './snapshot';

/** Host → panel. */
export type ToPanel =
  | { type: 'show'; data: PanelData }
  | { type: 'clear'; reason: string }
  /**
   * A running process's memory maps, read now (`MemLens: Inspect Process Memory…`): the Process
   * tab shows them and the tabs that need a profiled run say so, until the next `show` or `clear`.
   */
  | { type: 'process'; data: LiveProcessData }
  /** Two snapshots compared, for the Compare tab; kept beside whatever the other tabs show. */
  | { type: 'compare'; data: CompareData }
  /** What grew in every interval of a series of snapshots, for the Leaks tab. */
  | { type: 'leaks'; data: LeaksData }
  /** Switch to a tab: after a comparison, a leak search or an inspection is shown. */
  | { type: 'select'; tab: PanelTab };

/** Panel → host. */
export type FromPanel =
  | { type: 'ready' }
  /** Open `file` (absolute, as in the model) at 1-based `line` of the run. */
  | { type: 'openLine'; file: string; line: number }
  /** Read the inspected process's memory maps again. */
  | { type: 'refreshProcess' }
  /** The tab the panel shows now (after a click or a `select`). */
  | { type: 'selected'; tab: PanelTab }
  /** Something went wrong in the panel (a script error, a blocked resource): the host logs it. */
  | { type: 'problem'; message: string };

/** The panel's tabs, in order. */
export const PANEL_TABS = ['summary', 'lines', 'types', 'process', 'timeline', 'gc', 'imports', 'compare', 'leaks'] as const;
export type PanelTab = (typeof PANEL_TABS)[number];

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

/**
 * What the snapshot was taken of. A snapshot without a program (an imported tracemalloc dump) has
 * null for what it cannot know, and `origin` says where it came from.
 */
export interface ProgramSummary {
  /** The script's file name (`sample.py`), or `-m module`; an imported dump's file name. */
  name: string;
  /** The command line as the program saw it. */
  argv: string[] | null;
  /** `CPython 3.11.7`. */
  python: string | null;
  pid: number | null;
  kind: 'exit' | 'snapshot';
  label?: string;
  /** How the program ended, in words: `exited normally`, `ZeroDivisionError: division by zero`. */
  ended: string | null;
  /** Where a snapshot without a program came from: `imported from the tracemalloc dump /data/x.dump`. */
  origin: string | null;
  /** tracemalloc frame depth of the run. */
  frames: number;
  /**
   * How allocations were tracked: in `fast` mode traced byte figures are estimates (the panel marks
   * them `≈`), in `light` mode there are none (the panel says so instead of showing zeros).
   */
  mode: ProfileMode;
  /** Fast mode's mean sampling interval, bytes; null in other modes. */
  sampleInterval: number | null;
  /** Why the mode asked for did not run, a sentence for the header; null when it ran. */
  modeNote: string | null;
}

/**
 * The headline figures of a run. Null where the snapshot cannot tell (no memory maps; an imported
 * tracemalloc dump, which knows only its traces).
 */
export interface HeadlineFigures {
  /** Writable memory: the sum of Private_Dirty over the memory maps. */
  writable: number | null;
  tracedPeak: number | null;
  /** Traced memory when the snapshot was taken. */
  tracedCurrent: number;
  blocks: number;
  /** Fast mode: the live samples behind `tracedCurrent`; null in other modes. */
  samples: number | null;
  /** Peak resident set size (`ru_maxrss`). */
  maxRss: number | null;
  rss: number | null;
  /** Unique set size: Private_Clean + Private_Dirty. */
  uss: number | null;
  pss: number | null;
  swap: number | null;
  minorFaults: number | null;
  majorFaults: number | null;
  wallSeconds: number | null;
  cpuSeconds: number | null;
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
  /** Fast mode: the samples behind the estimates at exit and at peak (absent in other modes). */
  exitSamples?: number;
  peakSamples?: number;
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

/** One memory mapping, with its figures as the kernel gave them. */
export interface MappingRow
  extends Pick<Mapping, 'perms' | 'size' | 'rss' | 'pss' | 'sharedClean' | 'sharedDirty' | 'privateClean' | 'privateDirty' | 'swap'> {
  /** `start-end`, hex. */
  address: string;
  /** '' for anonymous memory, else the kernel's name for it. */
  name: string;
  group: SmapsGroup;
}

export interface ProcessData {
  /** The classic table: each group by permission class, with totals. */
  groups: SmapsGroupReport[];
  total: SmapsFigures;
  writable: number;
  uss: number;
  pageSize: number | null;
  /**
   * Why some figures are not the kernel's own, as a sentence: shared dirty pages MemLens's own
   * forked children shared were counted as private dirty again (a snapshot taken during a run).
   */
  note: string | null;
  /** Mapped files with all their mappings summed, most private dirty first. */
  files: FileUsage[];
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
  /** Why the cyclic garbage was not counted, when it was not. */
  cyclicGarbageNote: string | null;
  /** Objects in `gc.garbage`, by type. */
  uncollectable: TypeRow[];
}

/** What importing one module cost, with its depth in the import tree. */
export interface ImportRow extends ImportCost {
  /** 0 for imports made by user code, 1 for what they pulled in, … */
  depth: number;
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
  figures: PymallocStats | null;
}

// ---- A running process (`MemLens: Inspect Process Memory…`) ----

/** A process's memory maps read while it runs; `process` says why when they could not be read. */
export interface LiveProcessData {
  pid: number;
  /** The kernel's name for it (`/proc/PID/comm`); '' when unknown. */
  name: string;
  /** Its command line, arguments joined by spaces; '' for a kernel thread or when unreadable. */
  commandLine: string;
  /** When the maps were read, milliseconds since the Unix epoch. */
  readAt: number;
  process: Section<ProcessData>;
}

// ---- Comparing two snapshots (the Compare tab) ----

/** How the panel names one snapshot of a comparison or a series. */
export interface SnapshotName {
  /** Its label, else `end of run` or `snapshot`. */
  title: string;
  label: string | null;
  kind: 'exit' | 'snapshot';
  /** When it was taken, seconds since the Unix epoch; null when unknown (an imported dump). */
  time: number | null;
  /** Seconds into its run; null when unknown. */
  elapsed: number | null;
  pid: number | null;
}

/** One figure in both snapshots: `delta` is `after − before`. */
export interface Delta {
  before: number;
  after: number;
  delta: number;
}

/** A whole-process figure of a comparison; `delta` null when either snapshot lacks it. */
export interface TotalRow {
  id: string;
  label: string;
  unit: 'bytes' | 'count';
  figure: Delta | null;
  /** A traced figure of a fast-mode run (either side): an estimate, shown with `≈`. */
  estimated?: boolean;
  /** Why the figure is missing, or what it means. */
  note: string;
}

/** A line in both snapshots (memory live when each was taken). */
export interface CompareLineRow {
  /** Index into `CompareData.files`. */
  file: number;
  line: number;
  bytes: Delta;
  blocks: Delta;
  noUserFrame: boolean;
  /** The call path that grew most, innermost first; '' when none. */
  topPath: string;
  /** Every listed path with its change, one per line; '' when none. */
  paths: string;
}

export interface CompareTypeRow {
  type: string;
  count: Delta;
  bytes: Delta;
}

export interface CompareMappingRow {
  /** `pathname`, or `[anonymous]`. */
  name: string;
  perms: string;
  group: SmapsGroup;
  mappings: Delta;
  size: Delta;
  rss: Delta;
  pss: Delta;
  privateDirty: Delta;
  swap: Delta;
}

/** A module, class or function: every line inside it. */
export interface CompareScopeRow {
  /** Index into `CompareData.files`. */
  file: number;
  name: string;
  kind: 'module' | 'class' | 'function';
  line: number;
  endLine: number;
  bytes: Delta;
  /** The line inside it that grew most (a click opens it), else its first line. */
  target: number;
}

/** What the Compare tab shows: every list most growth first, as `diffSnapshots` orders it. */
export interface CompareData {
  before: SnapshotName;
  after: SnapshotName;
  /** Seconds from the first to the second; null when either time is unknown. */
  seconds: number | null;
  /** Sentences to read before the figures: different programs, Pythons, frame depths… */
  warnings: string[];
  /** Either snapshot is of a fast-mode run: line and traced figures are estimates, shown with `≈`. */
  estimated: boolean;
  /** False when either snapshot is of a light-mode run: no line was tracked, so none is compared. */
  tracked: boolean;
  totals: TotalRow[];
  files: FileRef[];
  lines: CompareLineRow[];
  functions: CompareScopeRow[];
  /** `missing` says why types cannot be compared; `note` qualifies figures that can. */
  types: Section<{ rows: CompareTypeRow[]; note: string | null }>;
  mappings: Section<CompareMappingRow[]>;
}

// ---- Finding leaks (the Leaks tab) ----

/** A line that grew in every interval. */
export interface LeakLineRow {
  /** Index into `LeaksFound.files`. */
  file: number;
  line: number;
  growth: number;
  bytesPerSecond: number;
  bytesPerInterval: number;
  /** Bytes at each snapshot, in time order. */
  bytes: number[];
  noUserFrame: boolean;
  /** The call path that grew most, innermost first; '' when none. */
  topPath: string;
  /** Every listed path with its growth, one per line. */
  paths: string;
}

/** A type whose bytes grew in every interval. */
export interface LeakTypeRow {
  type: string;
  growth: number;
  bytesPerSecond: number;
  bytesPerInterval: number;
  bytes: number[];
  count: number[];
  countPerSecond: number;
}

export interface LeaksFound {
  ok: true;
  /** The snapshots in time order. */
  snapshots: SnapshotName[];
  seconds: number;
  intervals: number;
  minGrowthBytes: number;
  warnings: string[];
  /** Any snapshot is of a fast-mode run: line growth is estimated, shown with `≈`. */
  estimated: boolean;
  files: FileRef[];
  /** Fastest growth first. */
  lines: LeakLineRow[];
  types: Section<LeakTypeRow[]>;
}

/** What the Leaks tab shows: the findings, or why there are none to look for. */
export type LeaksData = LeaksFound | { ok: false; error: string };
