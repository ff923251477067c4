/**
 * The model every view reads: a snapshot document resolved into per-file, per-line and per-scope
 * figures, with every other part of the document in the form its readers use (memory maps parsed
 * and classified, imports as a tree, the timeline in time order, pymalloc's text read). Pure
 * data; it knows no editor. Built by `buildModel()` in `model.ts`.
 */
import type { PymallocStats } from '../protocol/pymalloc';
import type {
  GcReport,
  PeakInfo,
  ProcessMemory,
  ProfileMode,
  ProgramInfo,
  SnapshotDocument,
  Timeline,
  Totals,
  TypeCensus,
} from '../protocol/snapshot';
import type { ImportNode } from './imports';
import type { MemoryMaps } from './smaps';

/** Which moment of the run a figure describes: live at exit, or live at (near) the traced peak. */
export type View = 'exit' | 'peak';

/** A frame with its file resolved to a path. */
export interface SourceFrame {
  file: string;
  line: number;
}

/** One allocating call path, frames innermost first. */
export interface ResolvedPath {
  bytes: number;
  blocks: number;
  /** Fast mode: the samples behind the estimate (absent in other modes). */
  samples?: number;
  frames: SourceFrame[];
}

/** Memory attributed to one line in one view. */
export interface LineFigures {
  bytes: number;
  blocks: number;
  /** Fast mode: the samples behind the estimate (absent in other modes). */
  samples?: number;
  /** No user frame was within the traceback depth: attributed to the innermost frame seen. */
  noUserFrame: boolean;
  paths: ResolvedPath[];
}

/** One annotated line: its figures at exit and at peak (either may be absent). */
export interface LineModel {
  file: string;
  /** 1-based. */
  line: number;
  exit?: LineFigures;
  peak?: LineFigures;
}

/** A module, class or function with the bytes of every line inside its range. */
export interface ScopeModel {
  file: string;
  /** Qualified name; the module scope is named after the file (`sample.py`). */
  name: string;
  kind: 'module' | 'class' | 'function';
  /** 1-based first and last line (inclusive). */
  line: number;
  endLine: number;
  exitBytes: number;
  exitBlocks: number;
  peakBytes: number;
  peakBlocks: number;
  /** The line inside the scope holding the most bytes at exit (else at peak); absent if none. */
  hottestLine?: number;
}

export interface FileModel {
  path: string;
  user: boolean;
  /** Annotated lines by 1-based line number. */
  lines: Map<number, LineModel>;
  /** Module scope first, then classes and functions in source order. */
  scopes: ScopeModel[];
  /** Bytes of the hottest line of this file per view (0 when none). */
  maxLineBytes: Record<View, number>;
}

/**
 * The process's memory at the snapshot: the document's `process` part with its smaps text read
 * once into `maps`, so no reader parses it again.
 */
export type ProcessModel = Omit<ProcessMemory, 'smaps'> & {
  /** The memory maps, parsed and classified; absent when the helper could not read them (`smapsError` says why). */
  maps?: MemoryMaps;
};

/** pymalloc's statistics: the text as `sys._debugmallocstats()` printed it, and its figures. */
export interface PymallocModel {
  text: string;
  /** Undefined when the text has no pymalloc section (`PYTHONMALLOC=malloc`, free-threaded builds). */
  figures: PymallocStats | undefined;
}

/**
 * A snapshot as every view reads it. The document's own parts keep its names (`kind`, `label`,
 * `program`, `totals`, `peak`, `census`, `gc`…), so a function of a document's parts (`originText`,
 * `snapshotRef`) reads a model alike; the parts a reader would otherwise work out or parse are
 * done here once.
 */
export interface MemModel {
  /** `exit` for the end-of-run snapshot; `snapshot` for one taken while the program ran. */
  kind: SnapshotDocument['kind'];
  label?: string;
  /** Null for a document made outside the program (an imported tracemalloc dump). */
  program: ProgramInfo | null;
  /** Where a document not written in the program came from. */
  origin?: SnapshotDocument['origin'];
  /** Frames kept per call path (`settings.frames`): how far a line's memory was followed to user code. */
  frames: number;
  /** How allocations were tracked (`settings.mode`; `exact` for files from before the modes). */
  mode: ProfileMode;
  /**
   * True in fast mode: traced byte and block figures (lines, paths, scopes, traced totals, the
   * timeline's traced memory, imports' traced growth) are estimates from samples, shown with `≈`.
   */
  estimated: boolean;
  /** Fast mode's mean sampling interval, bytes (`settings.sampleInterval`). */
  sampleInterval?: number;
  /** Why the mode asked for did not run, a sentence for the user (`settings.modeNote`). */
  modeNote?: string;
  totals: Totals;
  peak: PeakInfo;
  /** True when the snapshot holds a peak view (`peak.method` is not `none`). */
  hasPeak: boolean;
  /** Set when the program stopped tracing itself (see `SnapshotDocument.tracingStopped`). */
  tracingStopped?: SnapshotDocument['tracingStopped'];
  /** Absent when the document has no `process` part (an older helper, an imported dump). */
  process?: ProcessModel;
  census?: TypeCensus;
  gc?: GcReport;
  /** Import costs as a tree (`importTree`: largest traced total first); absent when not recorded. */
  imports?: ImportNode[];
  /** Samples and markers in time order; absent when not recorded. */
  timeline?: Timeline;
  /** Absent when the document holds no pymalloc text, or only blank text. */
  pymalloc?: PymallocModel;
  /** By absolute path. */
  files: Map<string, FileModel>;
  /** Bytes of the hottest line across all files per view (the heat scale's 100 %). */
  maxLineBytes: Record<View, number>;
  /** Sum of line bytes per view (equals traced memory at exit, less the helper's own). */
  totalBytes: Record<View, number>;
}
