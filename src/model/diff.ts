/**
 * Compares two snapshots: what is alive in the second that was not in the first, per
 * line, per file, per function and class, per type, per memory mapping and in total, each list
 * sorted by growth. Pure data: the editor's `+12.0 MiB` text, the CodeLens per-function growth,
 * the panel's Compare tab, the CLI and the exports all read the `SnapshotDiff` built here.
 *
 * Decided (see src/model/README.md):
 * - Lines are compared in the `lines` view: the memory live when each snapshot was taken. The
 *   peak view is left out: two peaks are two different moments, and their difference says
 *   nothing about what grew.
 * - A line is keyed by its absolute path and 1-based number; a line absent on one side counts as
 *   0 there. Source edits between the snapshots are not followed.
 * - Scopes (module, classes, functions) come from the second snapshot's file entries, so their
 *   ranges match the source the editor shows after the run; a file the second snapshot no longer
 *   names keeps the first snapshot's scopes.
 * - Call paths carry no identity across snapshots: a grown line lists the second snapshot's paths,
 *   each matched by its exact frames to the first snapshot's paths of that line.
 */
import type { CompareMappingRow, Delta } from '../protocol/panel';
import type { SnapshotDocument } from '../protocol/snapshot';
import { buildModel, lowerBound } from './model';
import { mappingGroup } from './smaps';
import type { LineFigures, MemModel, ResolvedPath, ScopeModel, SourceFrame } from './types';

/** A row of a comparison, ranked by `growth` (bytes; for mappings, private dirty bytes). */
export interface Ranked {
  growth: number;
}

/**
 * Which snapshot a comparison side is, for titles and sentences. The figures of its program are
 * null when the snapshot has no program (an imported tracemalloc dump).
 */
export interface SnapshotRef {
  label: string | null;
  kind: SnapshotDocument['kind'];
  /** When it was taken: `program.endTime`, seconds since the Unix epoch. */
  time: number | null;
  /** Seconds since its program started (`time − program.startTime`). */
  elapsed: number | null;
  pid: number | null;
  /** `program.startTime`: with `pid`, what identifies the run. */
  startTime: number | null;
}

/**
 * One call path of a compared line, frames innermost first. `before` is the bytes of the path
 * with exactly these frames among the first snapshot's paths of the line, or null when it was
 * not among them (the helper keeps only the top paths, so it may have existed below them); then
 * `delta` is the whole of `after`.
 */
export interface PathDelta {
  frames: SourceFrame[];
  before: number | null;
  after: number;
  delta: number;
  /** Blocks of the path in the snapshot it is listed from. */
  blocks: number;
}

/** A line in both snapshots (the `lines` view: live when each was taken). */
export interface LineDelta extends Ranked {
  file: string;
  /** 1-based. */
  line: number;
  /** Whether the file is the user's code (the second snapshot's say, else the first's). */
  user: boolean;
  noUserFrame: boolean;
  bytes: Delta;
  blocks: Delta;
  /**
   * The second snapshot's call paths of the line, matched to the first's (see `PathDelta`); for a
   * line gone from the second snapshot, the first's paths with `after` 0, so a shrink can be
   * traced to where the freed memory was allocated.
   */
  paths: PathDelta[];
}

/** A file: the sum of its lines. */
export interface FileDelta extends Ranked {
  file: string;
  user: boolean;
  bytes: Delta;
  blocks: Delta;
  /** How many of its lines hold memory in either snapshot. */
  lines: number;
}

/** A module, class or function: the sum of every line inside its range (nested scopes included). */
export interface ScopeDelta extends Ranked {
  file: string;
  name: string;
  kind: ScopeModel['kind'];
  /** 1-based first and last line (inclusive). */
  line: number;
  endLine: number;
  bytes: Delta;
  blocks: Delta;
  /** The line inside it that grew most, for a CodeLens to open; null when none grew. */
  grewMostLine: number | null;
}

/**
 * Objects of one type (from the census). The census counts live objects, not allocations, and
 * objects carry no identity across snapshots: a positive delta is net objects added, a negative
 * one net objects removed.
 */
export interface TypeDelta extends Ranked {
  type: string;
  count: Delta;
  bytes: Delta;
}

/**
 * The memory maps that share a pathname and permissions (`[heap] rw-p`, anonymous `rw-p`,
 * `libc.so.6 r-xp`), summed: addresses do not carry across snapshots (regions are unmapped and
 * mapped again), names and permissions do. Ranked by private dirty growth (writable memory).
 */
/** The panel's row of a mapping's growth, with the kernel's own name for it. */
export interface MappingDelta extends Ranked, CompareMappingRow {
  /** As the kernel shows it; '' for unnamed anonymous memory. */
  pathname: string;
}

/** Whole-process figures in both snapshots; null where either snapshot lacks the figure. */
export interface TotalsDelta {
  /** Traced memory when each was taken (`totals.tracedCurrent`). */
  traced: Delta;
  tracedPeak: Delta | null;
  /** Live traced blocks. */
  blocks: Delta;
  /** The sum of every line's bytes (traced memory less the helper's own). */
  lineBytes: Delta;
  rss: Delta | null;
  maxRss: Delta | null;
  /** Private dirty over all mappings (from smaps). */
  writable: Delta | null;
  /** Private clean + private dirty (from smaps). */
  uss: Delta | null;
  /** Objects and their bytes in the type census. */
  censusObjects: Delta | null;
  censusBytes: Delta | null;
}

/** What changed from one snapshot to another. Plain data: it serialises to JSON as it is. */
export interface SnapshotDiff {
  before: SnapshotRef;
  after: SnapshotRef;
  /** `after.time − before.time` (negative when the first was taken later); null when either time is unknown. */
  seconds: number | null;
  /**
   * True when either snapshot is of a fast-mode run: its traced figures, and so their growth, are
   * estimates from samples, shown with `≈`.
   */
  estimated: boolean;
  /**
   * False when either snapshot is of a light-mode run, which tracked no allocation: its lines are
   * empty and its traced figures 0, so their growth says nothing.
   */
  tracked: boolean;
  totals: TotalsDelta;
  /** Every line holding memory in either snapshot, most growth first. */
  lines: LineDelta[];
  files: FileDelta[];
  scopes: ScopeDelta[];
  /** False when either snapshot has no type census; `typesReason` says which, as a sentence. */
  typesAvailable: boolean;
  typesReason: string | null;
  /** A caveat on the type figures (an incomplete census), as a sentence; null when none. */
  typesNote: string | null;
  types: TypeDelta[];
  /** False when either snapshot has no memory maps; `mappingsReason` says which and why. */
  mappingsAvailable: boolean;
  mappingsReason: string | null;
  mappings: MappingDelta[];
}

/**
 * Compares two validated snapshot documents (`before` taken first). Builds both models; when
 * the caller has them already, `diffModels` avoids building them again.
 */
export function diffSnapshots(before: SnapshotDocument, after: SnapshotDocument): SnapshotDiff {
  return diffModels(buildModel(before), buildModel(after));
}

/** Compares two models (`before` taken first); see `diffSnapshots`. */
export function diffModels(before: MemModel, after: MemModel): SnapshotDiff {
  const lines = diffLines(before, after);
  const types = diffTypes(before, after);
  const maps = diffMappings(before, after);
  return {
    before: snapshotRef(before),
    after: snapshotRef(after),
    seconds: after.program === null || before.program === null ? null : after.program.endTime - before.program.endTime,
    estimated: before.estimated || after.estimated,
    tracked: before.mode !== 'light' && after.mode !== 'light',
    totals: {
      traced: delta(before.totals.tracedCurrent, after.totals.tracedCurrent),
      tracedPeak: knownDelta(before.totals.tracedPeak, after.totals.tracedPeak),
      blocks: delta(before.totals.blocks, after.totals.blocks),
      lineBytes: delta(before.totalBytes.exit, after.totalBytes.exit),
      rss: knownDelta(before.totals.rss, after.totals.rss),
      maxRss: knownDelta(before.totals.maxRss, after.totals.maxRss),
      writable: maps.writable,
      uss: maps.uss,
      censusObjects: before.census && after.census ? delta(before.census.objects, after.census.objects) : null,
      censusBytes: before.census && after.census ? delta(before.census.bytes, after.census.bytes) : null,
    },
    lines,
    files: diffFiles(lines, before, after),
    scopes: diffScopes(lines, before, after),
    ...types,
    mappingsAvailable: maps.reason === null,
    mappingsReason: maps.reason,
    mappings: maps.rows,
  };
}

/**
 * The rows that grew, most first, at most `limit` of them. The lists of a `SnapshotDiff` are
 * already in this order with the rest after; this drops the flat and shrunk ones.
 */
export function largestGrowth<T extends Ranked>(rows: readonly T[], limit = Infinity): T[] {
  return rows.filter((r) => r.growth > 0).sort((x, y) => y.growth - x.growth).slice(0, limit);
}

/** The rows that shrank, the largest shrink (most negative growth) first, at most `limit`. */
export function largestShrink<T extends Ranked>(rows: readonly T[], limit = Infinity): T[] {
  return rows.filter((r) => r.growth < 0).sort((x, y) => x.growth - y.growth).slice(0, limit);
}

/**
 * The lines of a comparison by file and line number, for the editor: `index.get(path)?.get(12)`.
 */
export function indexLines(diff: SnapshotDiff): Map<string, Map<number, LineDelta>> {
  const index = new Map<string, Map<number, LineDelta>>();
  for (const l of diff.lines) {
    let file = index.get(l.file);
    if (file === undefined) index.set(l.file, (file = new Map()));
    file.set(l.line, l);
  }
  return index;
}

/** `{ before, after, delta }`. */
export function delta(before: number, after: number): Delta {
  return { before, after, delta: after - before };
}

/** `delta`, or null when either side does not know the figure. */
function knownDelta(before: number | null, after: number | null): Delta | null {
  return before === null || after === null ? null : delta(before, after);
}

/** The parts of a snapshot (its document or its model) that name it in titles and sentences. */
export function snapshotRef(doc: Pick<SnapshotDocument, 'label' | 'kind' | 'program'>): SnapshotRef {
  return {
    label: doc.label ?? null,
    kind: doc.kind,
    time: doc.program?.endTime ?? null,
    elapsed: doc.program === null ? null : doc.program.endTime - doc.program.startTime,
    pid: doc.program?.pid ?? null,
    startTime: doc.program?.startTime ?? null,
  };
}

/**
 * Orders ranked rows: most growth first, ties by `key` ascending, so equal rows keep a stable,
 * readable order (file then line, type name, mapping name).
 */
export function byGrowth<T extends Ranked>(key: (r: T) => string | number[]): (x: T, y: T) => number {
  return (x, y) => y.growth - x.growth || compareKeys(key(x), key(y));
}

function compareKeys(a: string | number[], b: string | number[]): number {
  if (typeof a === 'string' || typeof b === 'string') {
    const sa = String(a);
    const sb = String(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Orders lines by growth, then path, then line number. */
export const lineOrder = byGrowth<LineDelta>((l) => `${l.file}\u0000${String(l.line).padStart(10, '0')}`);

/**
 * Matches the paths listed for a line in a later snapshot to those of an earlier one by their
 * exact frames (see `PathDelta`); when the line is gone from the later one, lists the earlier
 * paths as freed.
 */
export function matchPaths(earlier: LineFigures | undefined, later: LineFigures | undefined): PathDelta[] {
  if (later === undefined) {
    return (earlier?.paths ?? []).map((p) => ({
      frames: p.frames, before: p.bytes, after: 0, delta: -p.bytes, blocks: p.blocks,
    }));
  }
  const earlierByFrames = new Map<string, ResolvedPath>();
  for (const p of earlier?.paths ?? []) earlierByFrames.set(framesKey(p.frames), p);
  return later.paths.map((p) => {
    const old = earlierByFrames.get(framesKey(p.frames));
    return {
      frames: p.frames,
      before: old === undefined ? null : old.bytes,
      after: p.bytes,
      delta: old === undefined ? p.bytes : p.bytes - old.bytes,
      blocks: p.blocks,
    };
  });
}

function framesKey(frames: readonly SourceFrame[]): string {
  return frames.map((f) => `${f.file}\u0000${f.line}`).join('\u0001');
}

/** A sentence fragment naming one side: `the first snapshot ("after round 2")`. */
export function nameSide(side: 'first' | 'second', doc: Pick<SnapshotDocument, 'label'>): string {
  return doc.label ? `the ${side} snapshot ("${doc.label}")` : `the ${side} snapshot`;
}

function diffLines(before: MemModel, after: MemModel): LineDelta[] {
  const rows: LineDelta[] = [];
  const paths = new Set([...before.files.keys(), ...after.files.keys()]);
  for (const path of paths) {
    const bf = before.files.get(path);
    const af = after.files.get(path);
    const numbers = new Set<number>();
    for (const f of [bf, af]) {
      for (const l of f?.lines.values() ?? []) if (l.exit !== undefined) numbers.add(l.line);
    }
    for (const n of numbers) {
      const b = bf?.lines.get(n)?.exit;
      const a = af?.lines.get(n)?.exit;
      const bytes = delta(b?.bytes ?? 0, a?.bytes ?? 0);
      rows.push({
        file: path,
        line: n,
        user: (af ?? bf)!.user,
        noUserFrame: (a ?? b)!.noUserFrame,
        bytes,
        blocks: delta(b?.blocks ?? 0, a?.blocks ?? 0),
        growth: bytes.delta,
        paths: matchPaths(b, a),
      });
    }
  }
  return rows.sort(lineOrder);
}

function diffFiles(lines: readonly LineDelta[], before: MemModel, after: MemModel): FileDelta[] {
  const files = new Map<string, FileDelta>();
  for (const l of lines) {
    let f = files.get(l.file);
    if (f === undefined) {
      const user = (after.files.get(l.file) ?? before.files.get(l.file))!.user;
      f = { file: l.file, user, bytes: delta(0, 0), blocks: delta(0, 0), lines: 0, growth: 0 };
      files.set(l.file, f);
    }
    addDelta(f.bytes, l.bytes);
    addDelta(f.blocks, l.blocks);
    f.lines += 1;
    f.growth = f.bytes.delta;
  }
  return [...files.values()].sort(byGrowth((f) => f.file));
}

function diffScopes(lines: readonly LineDelta[], before: MemModel, after: MemModel): ScopeDelta[] {
  const byFile = new Map<string, LineDelta[]>();
  for (const l of lines) {
    let list = byFile.get(l.file);
    if (list === undefined) byFile.set(l.file, (list = []));
    list.push(l);
  }
  const rows: ScopeDelta[] = [];
  for (const [path, fileLines] of byFile) {
    fileLines.sort((x, y) => x.line - y.line);
    const declared = (after.files.get(path) ?? before.files.get(path))!.scopes;
    const lastLine = fileLines[fileLines.length - 1].line;
    for (const s of declared) {
      // The module holds every line of the file, whichever snapshot's lines reach further.
      const endLine = s.kind === 'module' ? Math.max(s.endLine, lastLine) : s.endLine;
      const row: ScopeDelta = {
        file: path, name: s.name, kind: s.kind, line: s.line, endLine,
        bytes: delta(0, 0), blocks: delta(0, 0), growth: 0, grewMostLine: null,
      };
      let most = 0;
      for (let i = lowerBound(fileLines, s.line); i < fileLines.length && fileLines[i].line <= endLine; i++) {
        const l = fileLines[i];
        addDelta(row.bytes, l.bytes);
        addDelta(row.blocks, l.blocks);
        // Strictly greater keeps the first line on ties.
        if (l.bytes.delta > most) {
          most = l.bytes.delta;
          row.grewMostLine = l.line;
        }
      }
      row.growth = row.bytes.delta;
      rows.push(row);
    }
  }
  return rows.sort(byGrowth((s) => `${s.file}\u0000${String(s.line).padStart(10, '0')}\u0000${s.name}`));
}

function diffTypes(
  b: MemModel,
  a: MemModel,
): Pick<SnapshotDiff, 'typesAvailable' | 'typesReason' | 'typesNote' | 'types'> {
  if (b.census === undefined || a.census === undefined) {
    const which =
      b.census === undefined && a.census === undefined
        ? 'neither snapshot has a type census'
        : `${nameSide(b.census === undefined ? 'first' : 'second', b.census === undefined ? b : a)} has no type census`;
    return { typesAvailable: false, typesReason: `Types cannot be compared: ${which}.`, typesNote: null, types: [] };
  }
  const rows = new Map<string, TypeDelta>();
  const row = (type: string): TypeDelta => {
    let r = rows.get(type);
    if (r === undefined) {
      r = { type, count: delta(0, 0), bytes: delta(0, 0), growth: 0 };
      rows.set(type, r);
    }
    return r;
  };
  for (const t of b.census.types) {
    const r = row(t.type);
    r.count = delta(t.count, r.count.after);
    r.bytes = delta(t.bytes, r.bytes.after);
  }
  for (const t of a.census.types) {
    const r = row(t.type);
    r.count = delta(r.count.before, t.count);
    r.bytes = delta(r.bytes.before, t.bytes);
  }
  for (const r of rows.values()) r.growth = r.bytes.delta;
  const incomplete = [
    ...(b.census.complete ? [] : [nameSide('first', b)]),
    ...(a.census.complete ? [] : [nameSide('second', a)]),
  ];
  const typesNote =
    incomplete.length === 0
      ? null
      : `The type census of ${incomplete.join(' and of ')} stopped at its time bound, so its figures are a lower bound.`;
  return {
    typesAvailable: true,
    typesReason: null,
    typesNote,
    types: [...rows.values()].sort(byGrowth((t) => t.type)),
  };
}

interface MappingsResult {
  reason: string | null;
  rows: MappingDelta[];
  writable: Delta | null;
  uss: Delta | null;
}

function diffMappings(b: MemModel, a: MemModel): MappingsResult {
  const bMaps = b.process?.maps;
  const aMaps = a.process?.maps;
  if (bMaps === undefined || aMaps === undefined) {
    const missing: string[] = [];
    for (const [side, model, maps] of [['first', b, bMaps], ['second', a, aMaps]] as const) {
      if (maps !== undefined) continue;
      const why = model.process?.smapsError;
      missing.push(`${nameSide(side, model)} has no memory maps${why ? ` (${why.replace(/\.$/, '')})` : ''}`);
    }
    const which = missing.length === 2 && !b.process?.smapsError && !a.process?.smapsError
      ? 'neither snapshot has memory maps'
      : missing.join(', and ');
    return { reason: `Memory maps cannot be compared: ${which}.`, rows: [], writable: null, uss: null };
  }
  const rows = new Map<string, MappingDelta>();
  const fields = ['mappings', 'size', 'rss', 'pss', 'privateDirty', 'swap'] as const;
  for (const [side, maps] of [['before', bMaps], ['after', aMaps]] as const) {
    for (const m of maps.mappings) {
      const key = `${m.pathname}\u0000${m.perms}`;
      let r = rows.get(key);
      if (r === undefined) {
        r = {
          pathname: m.pathname, perms: m.perms, group: mappingGroup(m),
          name: m.pathname === '' ? '[anonymous]' : m.pathname,
          mappings: delta(0, 0), size: delta(0, 0), rss: delta(0, 0), pss: delta(0, 0),
          privateDirty: delta(0, 0), swap: delta(0, 0), growth: 0,
        };
        rows.set(key, r);
      }
      for (const f of fields) r[f][side] += f === 'mappings' ? 1 : m[f];
    }
  }
  for (const r of rows.values()) {
    for (const f of fields) r[f].delta = r[f].after - r[f].before;
    r.growth = r.privateDirty.delta;
  }
  const bReport = bMaps.report;
  const aReport = aMaps.report;
  return {
    reason: null,
    rows: [...rows.values()].sort(
      (x, y) => y.growth - x.growth || y.pss.delta - x.pss.delta || compareKeys(`${x.pathname}\u0000${x.perms}`, `${y.pathname}\u0000${y.perms}`),
    ),
    writable: delta(bReport.writable, aReport.writable),
    uss: delta(bReport.uss, aReport.uss),
  };
}

function addDelta(into: Delta, d: Delta): void {
  into.before += d.before;
  into.after += d.after;
  into.delta += d.delta;
}
