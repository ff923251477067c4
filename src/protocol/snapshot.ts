/**
 * The snapshot document: what the Python helper writes at the end of a run, during one, and when
 * it imports a tracemalloc dump, and what every reader (model, CLI, editor, panel) loads. This
 * module owns its shape and its version; the helper stamps `format` and `version`.
 * `test/fixtures/snapshot-fields.json` lists every field declared here: a unit test
 * (`test/unit/declaredFields.test.ts`) holds the list equal to these types, and `python-helper/tests`
 * fail on any field the helper writes that the list lacks, so a field is declared here before the
 * helper writes it.
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

/**
 * One allocating call path of a line, innermost frame first. In fast mode (`settings.mode`)
 * `bytes` and `blocks` are estimates from samples (see `SnapshotSettings.mode`).
 */
export interface CallPath {
  bytes: number;
  blocks: number;
  /** Fast mode only: the samples behind the estimate (few samples, wide error). */
  samples?: number;
  frames: Frame[];
}

/**
 * Live memory attributed to one source line. In fast mode `bytes` and `blocks` are estimates from
 * samples: unbiased, with a relative error of about `sqrt(sampleInterval / bytes)`.
 */
export interface LineStat {
  /** 1-based line number. */
  line: number;
  bytes: number;
  blocks: number;
  /** Fast mode only: the samples behind the estimate. */
  samples?: number;
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
  | { kind: 'snapshot' }
  /**
   * The program replaced itself with another (`os.execv` and the rest of the `os.exec*` family):
   * the exit snapshot was taken just before, with `argv` the new command line. The new program
   * is not profiled, and its exit status is the process's (`exitCode`).
   */
  | { kind: 'exec'; argv: string[] };

export interface ProgramInfo {
  argv: string[];
  /** The working folder when the program started: relative paths in `argv` are relative to it. */
  cwd: string;
  /**
   * The working folder when the exit snapshot was taken, where it differs from `cwd` (the program
   * changed directory); absent otherwise, and in snapshots taken during the run.
   */
  exitCwd?: string;
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

/**
 * The run's figures. Those of the process (everything but `tracedCurrent` and `blocks`) and the
 * traced peak are null where the document cannot know them: an imported tracemalloc dump (see
 * `SnapshotDocument.origin`) holds the traces alone.
 */
export interface Totals {
  /**
   * `tracemalloc.get_traced_memory()` when the snapshot was taken; in fast mode the sampler's
   * estimate of live bytes, in light mode 0 (nothing was tracked).
   */
  tracedCurrent: number;
  /** Null also in light mode. Estimated in fast mode. */
  tracedPeak: number | null;
  /** Number of live traced blocks (estimated in fast mode, 0 in light mode). */
  blocks: number;
  /** Fast mode only: the live samples behind `tracedCurrent`. */
  samples?: number;
  /** Peak resident set size of the process, bytes (`ru_maxrss`). */
  maxRss: number | null;
  /** Resident set size when the snapshot was taken, bytes; null where unknown. */
  rss: number | null;
  minorFaults: number | null;
  majorFaults: number | null;
  wallSeconds: number | null;
  cpuUserSeconds: number | null;
  cpuSystemSeconds: number | null;
}

/** How the per-line view at the traced peak was obtained, and how far below the peak it may be. */
export interface PeakInfo {
  /**
   * `fork`: a forked child took it when traced memory first exceeded the last capture by a step.
   * `sampler` (fast mode): the sampler copied its per-stack table the moment its estimated live
   * total rose past its previous copy by `margin`, so the view is at most that far below the true
   * peak however short-lived the peak was. `none` also in light mode.
   */
  method: 'fork' | 'sampler' | 'exit' | 'none';
  /** Traced bytes when the peak view was captured (≤ `totals.tracedPeak`). */
  capturedTraced: number;
  /** Seconds since the start of the program when it was captured. */
  capturedAt: number | null;
  /**
   * The step: a new capture is taken when traced memory exceeds the last capture by this many
   * bytes. Null when nothing watched the peak (an imported tracemalloc dump) and in fast mode
   * (`margin` instead).
   */
  stepBytes: number | null;
  /**
   * How often traced memory is polled, seconds: spikes shorter than this may be missed. Null
   * likewise (fast mode polls nothing: the sampler sees every sampled allocation).
   */
  pollSeconds: number | null;
  /**
   * Fast mode only: the fraction (0.01) by which the estimated live total must pass the last copy
   * before the table is copied again.
   */
  margin?: number;
  /** Number of captures (in fast mode, copies of the table) taken during the run. */
  captures: number;
  /**
   * Set when the helper stopped watching for the peak before the run ended, saying why as a
   * sentence fragment ("peak capture stopped: fork failed (…)", "the watcher stopped: …"): the
   * peak view is then the last capture taken before that (or the exit's), and may lie further
   * below the peak than `stepBytes`. Absent when watching went on to the end.
   */
  error?: string;
}

/**
 * How allocations were tracked: `exact` by tracemalloc (every block), `fast` by the native
 * sampler (byte figures of lines, paths, totals, the timeline's `traced` and imports' traced
 * growth are unbiased estimates from samples), `light` not at all (no lines, traced figures 0).
 */
export type ProfileMode = (typeof PROFILE_MODES)[number];
/** The modes, the default (where the sampler loads) first. */
export const PROFILE_MODES = ['fast', 'exact', 'light'] as const;

export interface SnapshotSettings {
  /** tracemalloc frame depth (exact mode); fast mode records 64 frames per sample. */
  frames: number;
  /** Folders whose files count as user code. */
  roots: string[];
  /** Maximum call paths kept per line. */
  maxPaths: number;
  /** How allocations were tracked; absent in files of helpers before the modes, which were `exact`. */
  mode?: ProfileMode;
  /** Fast mode only: the sampler's mean interval between samples, bytes. */
  sampleInterval?: number;
  /**
   * Why the mode asked for did not run (no sampler module for this Python, OS or CPU, a
   * free-threaded build), as a sentence for the user; absent when it ran.
   */
  modeNote?: string;
}

/**
 * The process as the kernel saw it when the snapshot was taken: its memory maps. The helper reads
 * them before it processes any trace. At exit it reads them while none of its own children is
 * alive: a forked child shares the program's pages, which the kernel then counts as
 * `Shared_Dirty`, not `Private_Dirty`. During a run a helper child is often alive (the held peak
 * capture, an earlier snapshot still being written), so there the helper folds that sharing back
 * (see `sharedDirtyFolded`). Fields are optional: a system without `/proc` gives `smapsError` alone.
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
  /**
   * Set on a snapshot taken during the run while a helper child shared the program's pages: the
   * bytes of `Shared_Dirty` that the helper moved into `Private_Dirty` in `smaps`, in private
   * (`p`) mappings only, so that writable memory is what it would be without the child. `smaps` is
   * then the kernel's text with those two fields rewritten; `Pss` and the other fields are the
   * kernel's own. Absent when nothing was folded.
   */
  sharedDirtyFolded?: number;
  /** What the folding did and assumed, as a sentence for the user; present with `sharedDirtyFolded`. */
  sharedDirtyNote?: string;
}

/** Objects of one type (the type census's rows; also the GC's garbage census). */
export interface TypeCount {
  /** `module.QualName` for classes outside builtins, else the builtin's name (`dict`, `str`). */
  type: string;
  count: number;
  /** Sum of `sys.getsizeof` (shallow: the objects themselves, not what they refer to). */
  bytes: number;
}

/**
 * Live objects partitioned by type, found from `gc.get_objects()` and then through referents
 * (so untracked atoms held in containers count too), bounded in time.
 */
export interface TypeCensus {
  /** Largest `bytes` first; the helper keeps the top 200 types (`objects` and `bytes` count all). */
  types: TypeCount[];
  /** Objects counted, and the sum of their sizes. */
  objects: number;
  bytes: number;
  /** False when the time bound (CPU time) stopped the walk: the figures are then a lower bound. */
  complete: boolean;
  /** Wall time the walk took. */
  seconds: number;
  /** CPU time the walk took, which its bound limits (helpers before this field: absent). */
  cpuSeconds?: number;
  /** When incomplete, how far it got, as a sentence ("stopped … after counting 412,003 objects"). */
  note?: string;
}

/** One garbage collector generation over the run, from `gc.callbacks`. */
export interface GcGeneration {
  generation: number;
  collections: number;
  /** Objects freed by its collections. */
  collected: number;
  uncollectable: number;
  /** Time spent in its collections. */
  seconds: number;
}

/** The garbage collector's health over the run and at its end. */
export interface GcReport {
  enabled: boolean;
  thresholds: number[];
  generations: GcGeneration[];
  /**
   * Cyclic garbage at the snapshot: objects unreachable except through reference cycles (only
   * the cycle collector can free them), by type. Found with `gc.DEBUG_SAVEALL` and one collection.
   */
  cyclicGarbage: TypeCount[];
  /**
   * Set when the cyclic garbage was not counted, saying why (a snapshot taken during the run:
   * counting runs the garbage's finalizers); `cyclicGarbage` is then empty. Optional in version 1.
   */
  cyclicGarbageNote?: string;
  /** Objects in `gc.garbage` (uncollectable: legacy finalizers, or left there by the program), by type. */
  uncollectable: TypeCount[];
}

/** What importing one module cost (growth while it was imported). */
export interface ImportCost {
  module: string;
  /**
   * The module whose import pulled this one in; null when user code imported it directly (or its
   * importer was not measured: a built-in or frozen module, or one that failed to import).
   */
  parent: string | null;
  file: string | null;
  /** Seconds since the program started, when the import began. */
  start: number;
  /** Wall time of the import, nested imports included. */
  seconds: number;
  /** Traced memory growth while importing it: `self` without nested imports, `total` with them. */
  tracedSelf: number;
  tracedTotal: number;
  /**
   * Private dirty growth, likewise, measured as anonymous resident memory (`/proc/self/statm`),
   * which stays right while the helper's peak child shares the program's pages (smaps'
   * `Private_Dirty` does not; see python-helper/README.md); null where it cannot be read. Growth
   * can be negative.
   */
  privateDirtySelf: number | null;
  privateDirtyTotal: number | null;
}

/** One sample of the process's memory during the run. */
export interface TimelineSample {
  /** Seconds since the program started. */
  t: number;
  traced: number;
  rss: number | null;
  /** Anonymous resident memory (`/proc/self/statm`), as in `ImportCost.privateDirtySelf`. */
  privateDirty: number | null;
}

/** A moment worth marking on the timeline. */
export interface TimelineMarker {
  t: number;
  kind: 'import' | 'gc' | 'snapshot';
  /** What it was: the module, `gen 2: 1,204 collected in 3.1 ms`, the snapshot's label. */
  label: string;
}

export interface Timeline {
  /** Seconds between samples (it may have been widened on a large process). */
  interval: number;
  samples: TimelineSample[];
  markers: TimelineMarker[];
}

/** What a snapshot file holds. */
export interface SnapshotDocument {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** `exit` for the end-of-run snapshot; `snapshot` for one taken while the program ran. */
  kind: 'exit' | 'snapshot';
  label?: string;
  /**
   * A snapshot taken during the run: its number in that run (1, 2, …), the `seq` of its channel
   * messages and of its file name (`snapshot-2.json`). Absent in exit snapshots.
   */
  sequence?: number;
  /**
   * The program and its process; null when the document was not made inside it: an imported
   * tracemalloc dump records nothing of the program (`origin` says where it came from).
   */
  program: ProgramInfo | null;
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
  /** The memory panel's views; each optional within version 1 (absent when not collected). */
  census?: TypeCensus;
  gc?: GcReport;
  imports?: ImportCost[];
  timeline?: Timeline;
  /**
   * pymalloc's own statistics: the text `sys._debugmallocstats()` prints (arenas, pools, blocks
   * in use and free per size class), parsed in TypeScript.
   */
  pymallocStats?: string;
  /** Where the document came from when it was not written by the helper in the program. */
  origin?: SnapshotOrigin;
  /**
   * Set when the program itself called `tracemalloc.stop()` (the first time): `at` is seconds since
   * the program started. Traced figures after it are empty (tracemalloc forgets its traces when it
   * stops), so `totals.tracedCurrent` says nothing of the program's memory then; `totals.tracedPeak`
   * is the peak tracemalloc had reached when it was stopped.
   */
  tracingStopped?: { at: number };
}

/**
 * A document converted from another tool's file: `tracemalloc-dump` is a file written by
 * `tracemalloc.Snapshot.dump()`, converted by `python-helper/memlens_helper/tracemalloc_import.py`
 * (the traces grouped as at the end of a run; `settings.frames` is the dump's traceback limit).
 */
export interface SnapshotOrigin {
  kind: 'tracemalloc-dump';
  /** The dump's absolute path. */
  path: string;
}
