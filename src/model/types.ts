/**
 * The model every view reads: a snapshot document resolved into per-file, per-line and per-scope
 * figures. Pure data; it knows no editor. Built by `buildModel()` in `model.ts`.
 */
import type { SnapshotDocument } from '../protocol/snapshot';

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
  frames: SourceFrame[];
}

/** Memory attributed to one line in one view. */
export interface LineFigures {
  bytes: number;
  blocks: number;
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

export interface MemModel {
  doc: SnapshotDocument;
  /** By absolute path. */
  files: Map<string, FileModel>;
  /** Bytes of the hottest line across all files per view (the heat scale's 100 %). */
  maxLineBytes: Record<View, number>;
  /** Sum of line bytes per view (equals traced memory at exit, less the helper's own). */
  totalBytes: Record<View, number>;
}
