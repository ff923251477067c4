/**
 * The snapshot document: what the Python helper writes at the end of a run (and, later, during
 * one), and what every reader (model, CLI, editor, panel) loads. This module owns its shape and
 * its version; the helper stamps `format` and `version`, and `python-helper/tests` checks the
 * helper's output against the same fixtures in `test/fixtures/` that the TypeScript tests read.
 *
 * Conventions: bytes are integers; paths are absolute as `os.path.realpath` gives them; line
 * numbers are 1-based; call paths list frames innermost first.
 */

/** The `format` value every MemLens snapshot carries. */
export const SNAPSHOT_FORMAT = 'memlens.snapshot';
/** The newest snapshot version this build writes and reads. */
export const SNAPSHOT_VERSION = 1;

/** A frame: index into `SnapshotDocument.files`, and a 1-based line number. */
export type Frame = [file: number, line: number];

/** One allocating call path of a line, innermost frame first. */
export interface CallPath {
  bytes: number;
  blocks: number;
  frames: Frame[];
}

/** Live memory attributed to one source line. */
export interface LineStat {
  /** 1-based line number. */
  line: number;
  bytes: number;
  blocks: number;
  /**
   * True when no frame of the traceback lay in the user's code (within `settings.frames`
   * frames): the memory is attributed to the innermost frame seen, so totals still add up.
   */
  noUserFrame?: boolean;
  /** The top call paths by bytes (at most `settings.maxPaths`). */
  paths: CallPath[];
}

/** A function or class of a user file, from `ast` in the helper. */
export interface Scope {
  /** `qualname`-like name: `Outer.method`, `main.<locals>.inner` is written `main.inner`. */
  name: string;
  kind: 'function' | 'class';
  /** 1-based first line (the `def`/`class` line, after decorators). */
  line: number;
  /** 1-based last line, inclusive. */
  endLine: number;
}

/** A source file that appears in the snapshot, as a place of lines or only as a frame. */
export interface FileEntry {
  path: string;
  /** Whether the file counts as the user's code (see `settings.roots`). */
  user: boolean;
  /** Live memory per line at the end of the run (or when the snapshot was taken). */
  lines: LineStat[];
  /** Live memory per line at (or near) the traced peak; see `SnapshotDocument.peak`. */
  peakLines: LineStat[];
  /** Functions and classes, for user files with lines; absent when the source could not be parsed. */
  scopes?: Scope[];
  /** Why `scopes` is absent (file unreadable, syntax error). */
  scopesError?: string;
}

/** How the program ended, as far as the helper could see from inside it. */
export type ProgramEnd =
  | { kind: 'exit' }
  | { kind: 'exception'; type: string; message: string; file?: string; line?: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'snapshot' };

export interface ProgramInfo {
  argv: string[];
  cwd: string;
  pid: number;
  /** `sys.executable` and `sys.version` of the interpreter that ran the program. */
  python: { executable: string; version: string; implementation: string };
  /** Seconds since the Unix epoch. */
  startTime: number;
  endTime: number;
  end: ProgramEnd;
  /**
   * The process's exit status, filled in by the host (CLI or extension) after the process ended:
   * the helper cannot see it from inside (an exit code passed to `SystemExit` is not observable
   * from `atexit`). Absent when the host did not know it.
   */
  exitCode?: number | null;
  /** Signal name when the process was ended by a signal (host-observed), e.g. `SIGKILL`. */
  exitSignal?: string | null;
}

export interface Totals {
  /** `tracemalloc.get_traced_memory()` when the snapshot was taken. */
  tracedCurrent: number;
  tracedPeak: number;
  /** Number of live traced blocks. */
  blocks: number;
  /** Peak resident set size of the process, bytes (`ru_maxrss`). */
  maxRss: number;
  /** Resident set size when the snapshot was taken, bytes; null where unknown. */
  rss: number | null;
  minorFaults: number;
  majorFaults: number;
  wallSeconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
}

/** How the per-line view at the traced peak was obtained, and how far below the peak it may be. */
export interface PeakInfo {
  /** `fork`: a forked child took it when traced memory first exceeded the last capture by a step. */
  method: 'fork' | 'exit' | 'none';
  /** Traced bytes when the peak view was captured (≤ `totals.tracedPeak`). */
  capturedTraced: number;
  /** Seconds since the start of the program when it was captured. */
  capturedAt: number | null;
  /** The step: a new capture is taken when traced memory exceeds the last capture by this many bytes. */
  stepBytes: number;
  /** How often traced memory is polled, seconds: spikes shorter than this may be missed. */
  pollSeconds: number;
  /** Number of captures taken during the run. */
  captures: number;
}

export interface SnapshotSettings {
  /** tracemalloc frame depth. */
  frames: number;
  /** Folders whose files count as user code. */
  roots: string[];
  /** Maximum call paths kept per line. */
  maxPaths: number;
}

/**
 * The process as the kernel saw it when the snapshot was taken: its memory maps. The helper reads
 * them before it processes any trace and while none of its own children is alive (a child would
 * share the program's pages, which the kernel then counts as shared, not private). Fields are
 * optional: a system without `/proc` gives `smapsError` alone.
 */
export interface ProcessMemory {
  /**
   * The text of `/proc/self/smaps`, exactly as the kernel wrote it (decoded as UTF-8; bytes that
   * are not UTF-8 arrive as lone surrogates). `parseSmaps` in `src/model/smaps.ts` reads it.
   */
  smaps?: string;
  /** Why `smaps` is absent (not Linux, unreadable), as a sentence for the user. */
  smapsError?: string;
  /** The system's page size, bytes. */
  pageSize?: number;
}

/** What a snapshot file holds. */
export interface SnapshotDocument {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** `exit` for the end-of-run snapshot. */
  kind: 'exit' | 'snapshot';
  label?: string;
  program: ProgramInfo;
  settings: SnapshotSettings;
  totals: Totals;
  peak: PeakInfo;
  /** Every file named by a line or a frame; `Frame` refers to them by index. */
  files: FileEntry[];
  /** How long the helper took to process the traces and write this file, seconds. */
  processingSeconds: number;
  /**
   * The process's memory maps at the snapshot. Optional within version 1: absent in snapshots of
   * helpers that did not read them.
   */
  process?: ProcessMemory;
}
