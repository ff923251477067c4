/**
 * Finds leaks (`MemLens: Find Leaks`): over three or more snapshots of one run, the
 * lines and the types that grew in every interval, ranked by growth rate, with the call paths of
 * the growth. Pure data, like `diff.ts`, whose deltas and path matching it shares.
 *
 * Decided (see src/model/README.md):
 * - Snapshots are put in time order by `program.endTime`, which is when the helper finished
 *   taking each one (for a `snapshot` as for the exit snapshot); the order they are given in
 *   does not matter.
 * - "Grew in an interval" means the bytes rose by at least `minGrowthBytes` (1 KiB unless told):
 *   a rise below it is flat, so a line that merely jitters (a few small objects come and go) is
 *   not a leak. One flat or shrinking interval is enough to leave a line out.
 * - The rate is total growth (last − first) over the whole span, per second and per interval;
 *   ranking by either gives the same order, since every row shares the span.
 * - Lines are compared in the `lines` view (live when each snapshot was taken), keyed by path and
 *   line number; a line absent from a snapshot holds 0 there.
 * - Snapshots of different programs are refused; snapshots of different runs of one program are
 *   accepted with a warning (growth between runs may be different input, not a leak).
 * - A snapshot without a program (an imported tracemalloc dump) is refused: it says neither when
 *   it was taken nor of what, so it has no place in the series.
 */
import type { SnapshotDocument } from '../protocol/snapshot';
import { compareCompatibility } from './compat';
import { byGrowth, matchPaths, snapshotRef, type PathDelta, type Ranked, type SnapshotRef } from './diff';
import { buildModel } from './model';
import { hasProgram, originText, type WithProgram } from './origin';
import type { LineFigures, MemModel } from './types';

/** Rises below this many bytes in an interval count as flat, unless `LeakOptions` says otherwise. */
export const DEFAULT_MIN_GROWTH_BYTES = 1024;

export interface LeakOptions {
  /** The least rise, in bytes, that counts as growth in one interval (default 1 KiB; at least 1). */
  minGrowthBytes?: number;
}

/** Figures of a growing row at each snapshot, and how it grew. */
export interface Growth extends Ranked {
  /** Bytes at each snapshot, in time order. */
  bytes: number[];
  /** Per interval: `bytes[i + 1] − bytes[i]`, each at least `minGrowthBytes`. */
  deltas: number[];
  /** `growth` (last − first) divided by the seconds from the first snapshot to the last. */
  bytesPerSecond: number;
  /** `growth` divided by the number of intervals. */
  bytesPerInterval: number;
}

/** A line that grew in every interval. */
export interface LineLeak extends Growth {
  file: string;
  /** 1-based. */
  line: number;
  user: boolean;
  noUserFrame: boolean;
  /** Blocks at each snapshot, in time order. */
  blocks: number[];
  /**
   * The last snapshot's call paths of the line, each matched by its frames to the first
   * snapshot's (`PathDelta`): where the growth was allocated.
   */
  paths: PathDelta[];
}

/** A type whose bytes grew in every interval (from the census). */
export interface TypeLeak extends Growth {
  type: string;
  /** Objects at each snapshot, in time order. */
  count: number[];
  countPerSecond: number;
}

/** Leaks found. */
export interface LeakFindings {
  ok: true;
  /** The snapshots in time order. */
  snapshots: SnapshotRef[];
  /** From the first snapshot to the last. */
  seconds: number;
  intervals: number;
  minGrowthBytes: number;
  /** True when any snapshot is of a fast-mode run: line growth is then estimated, shown with `≈`. */
  estimated: boolean;
  /** Lines that grew in every interval, fastest first. */
  lines: LineLeak[];
  /** False when a snapshot has no type census; `typesReason` says which, as a sentence. */
  typesAvailable: boolean;
  typesReason: string | null;
  types: TypeLeak[];
  /** Sentences worth showing above the findings (different runs, different Pythons). */
  warnings: string[];
}

/** Why no leaks could be looked for, as a sentence for the user. */
export interface LeakRefusal {
  ok: false;
  error: string;
}

export type LeakReport = LeakFindings | LeakRefusal;

/**
 * Finds what grew in every interval between `snapshots` (at least three, of one program, given in
 * any order). See the module comment for the rules.
 */
export function findLeaks(snapshots: readonly SnapshotDocument[], options: LeakOptions = {}): LeakReport {
  const minGrowthBytes = Math.max(1, options.minGrowthBytes ?? DEFAULT_MIN_GROWTH_BYTES);
  if (snapshots.length < 3) {
    return refuse(
      `Finding leaks needs at least three snapshots of one run, so that growth can be seen in ` +
        `every interval; ${snapshots.length === 0 ? 'none was' : snapshots.length === 1 ? 'one was' : 'two were'} given.`,
    );
  }
  const untimed = snapshots.find((d) => !hasProgram(d));
  if (untimed !== undefined) {
    return refuse(
      `Finding leaks needs to know when each snapshot was taken and of what; ${untimed.label ? `"${untimed.label}"` : 'one'} was ` +
        `${originText(untimed)}, which says neither.`,
    );
  }
  // Array.prototype.sort is stable: snapshots with equal times keep the order given.
  const docs = snapshots.filter(hasProgram).sort((a, b) => a.program.endTime - b.program.endTime);
  const warnings: string[] = [];
  for (const doc of docs.slice(1)) {
    const compat = compareCompatibility(docs[0], doc);
    if (!compat.sameProgram) {
      return refuse(`${compat.warnings[0]} Leaks are looked for among snapshots of one program.`);
    }
    for (const w of compat.warnings) if (!warnings.includes(w)) warnings.push(w);
  }
  for (let i = 1; i < docs.length; i++) {
    if (docs[i].program.endTime === docs[i - 1].program.endTime) {
      return refuse(
        `Two of these snapshots were taken at the same moment (${describe(docs[i - 1])} and ` +
          `${describe(docs[i])}): is one of them there twice? Each interval needs time between its snapshots.`,
      );
    }
  }
  const runs = new Set(docs.map((d) => `${d.program.pid}\u0000${d.program.startTime}`));
  if (runs.size > 1) {
    const pids = [...new Set(docs.map((d) => d.program.pid))];
    warnings.unshift(
      `These snapshots come from ${runs.size} different runs (process${pids.length === 1 ? '' : 'es'} ${list(pids.map(String))}), ` +
        'so growth between them may come from different input rather than a leak.',
    );
  }
  const seconds = docs[docs.length - 1].program.endTime - docs[0].program.endTime;
  const intervals = docs.length - 1;
  const models = docs.map(buildModel);
  const rate = { seconds, intervals, minGrowthBytes };
  return {
    ok: true,
    snapshots: docs.map(snapshotRef),
    seconds,
    intervals,
    minGrowthBytes,
    estimated: models.some((m) => m.estimated),
    lines: lineLeaks(models, rate),
    ...typeLeaks(docs, rate),
    warnings,
  };
}

interface Rate {
  seconds: number;
  intervals: number;
  minGrowthBytes: number;
}

/** The growth of a series, or undefined when it was flat or fell in some interval. */
function growthOf(bytes: number[], rate: Rate): Growth | undefined {
  const deltas: number[] = [];
  for (let i = 1; i < bytes.length; i++) {
    const d = bytes[i] - bytes[i - 1];
    if (d < rate.minGrowthBytes) return undefined;
    deltas.push(d);
  }
  const growth = bytes[bytes.length - 1] - bytes[0];
  return { bytes, deltas, growth, bytesPerSecond: growth / rate.seconds, bytesPerInterval: growth / rate.intervals };
}

function lineLeaks(models: readonly MemModel[], rate: Rate): LineLeak[] {
  const first = models[0];
  const last = models[models.length - 1];
  const rows: LineLeak[] = [];
  // A line that grew in the last interval holds memory in the last snapshot.
  for (const file of last.files.values()) {
    for (const l of file.lines.values()) {
      if (l.exit === undefined) continue;
      const figures = models.map((m): LineFigures | undefined => m.files.get(file.path)?.lines.get(l.line)?.exit);
      const growth = growthOf(figures.map((f) => f?.bytes ?? 0), rate);
      if (growth === undefined) continue;
      rows.push({
        file: file.path,
        line: l.line,
        user: file.user,
        noUserFrame: l.exit.noUserFrame,
        ...growth,
        blocks: figures.map((f) => f?.blocks ?? 0),
        paths: matchPaths(first.files.get(file.path)?.lines.get(l.line)?.exit, l.exit),
      });
    }
  }
  return rows.sort(byGrowth((r) => `${r.file}\u0000${String(r.line).padStart(10, '0')}`));
}

function typeLeaks(docs: readonly WithProgram[], rate: Rate): Pick<LeakFindings, 'typesAvailable' | 'typesReason' | 'types'> {
  const missing = docs.filter((d) => d.census === undefined);
  if (missing.length > 0) {
    const which =
      missing.length === docs.length
        ? 'none of these snapshots has a type census'
        : `${missing.length} of the ${docs.length} snapshots (${list(missing.map(describe))}) ` +
          `${missing.length === 1 ? 'has' : 'have'} no type census`;
    return { typesAvailable: false, typesReason: `Types cannot be followed: ${which}.`, types: [] };
  }
  const rows: TypeLeak[] = [];
  const maps = docs.map((d) => new Map(d.census!.types.map((t) => [t.type, t])));
  for (const t of docs[docs.length - 1].census!.types) {
    const series = maps.map((m) => m.get(t.type));
    const growth = growthOf(series.map((s) => s?.bytes ?? 0), rate);
    if (growth === undefined) continue;
    const count = series.map((s) => s?.count ?? 0);
    rows.push({ type: t.type, ...growth, count, countPerSecond: (count[count.length - 1] - count[0]) / rate.seconds });
  }
  return { typesAvailable: true, typesReason: null, types: rows.sort(byGrowth((r) => r.type)) };
}

/** How a sentence names a snapshot: its label in quotes, else its time into the run. */
function describe(doc: WithProgram): string {
  return doc.label ? `"${doc.label}"` : `the one at ${(doc.program.endTime - doc.program.startTime).toFixed(1)} s`;
}

/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function refuse(error: string): LeakRefusal {
  return { ok: false, error };
}
