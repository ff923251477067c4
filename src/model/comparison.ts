/**
 * A comparison as the editor shows it: the growth of each line and scope from one snapshot to a
 * later one, indexed by file for the annotations, CodeLens and hovers, and the text they show
 * (`+12.0 MiB · +3 blocks since "round 1"`). Pure: built from a `SnapshotDiff`.
 */
import { indexLines, type LineDelta, type ScopeDelta, type SnapshotDiff, type SnapshotRef } from './diff';
import { formatSignedCount, formatSignedTracedBytes, formatTracedBytes } from './format';

export class Comparison {
  /** Lines by file, then 1-based line number. */
  readonly lines: Map<string, Map<number, LineDelta>>;
  /** Scopes by file, in the diff's order (most growth first). */
  readonly scopes = new Map<string, ScopeDelta[]>();
  /** The largest growth of any line: the heat scale's 100 %. */
  readonly maxGrowth: number;
  /** How sentences name the earlier and later snapshot: `"round 1"`, `snapshot 2`. */
  readonly beforeName: string;
  readonly afterName: string;
  /** Either snapshot is of a fast-mode run: its figures are shown as estimates (`≈`). */
  readonly estimated: boolean;

  constructor(
    readonly diff: SnapshotDiff,
    /** The snapshot files compared. */
    readonly beforePath: string,
    readonly afterPath: string,
  ) {
    this.lines = indexLines(diff);
    for (const s of diff.scopes) {
      let list = this.scopes.get(s.file);
      if (!list) this.scopes.set(s.file, (list = []));
      list.push(s);
    }
    this.maxGrowth = Math.max(0, ...diff.lines.map((l) => l.growth));
    this.beforeName = refName(diff.before);
    this.afterName = refName(diff.after);
    this.estimated = diff.estimated;
  }

  /** Every compared line as `[file, line]`, for line tracking. */
  *lineKeys(): Iterable<[string, number]> {
    for (const [file, lines] of this.lines) for (const line of lines.keys()) yield [file, line];
  }
}

/** How a sentence names a compared snapshot: its label in quotes, else its kind and time. */
export function refName(ref: SnapshotRef): string {
  if (ref.label) return `"${ref.label}"`;
  if (ref.elapsed === null) return 'the imported snapshot';
  const at = `${ref.elapsed.toFixed(1)} s`;
  return ref.kind === 'exit' ? `the exit snapshot (${at})` : `the snapshot at ${at}`;
}

/**
 * The after-line text of a compared line: `+6.0 MiB · +3 blocks since "round 1"`. When either
 * snapshot is of a fast-mode run (`estimated`) the growth is an estimate and its blocks are too:
 * `≈ +6.0 MiB since "round 1"`.
 */
export function growthText(line: LineDelta, beforeName: string, estimated = false): string {
  if (estimated) return `${formatSignedTracedBytes(line.bytes.delta, true)} since ${beforeName}`;
  const blocks = line.blocks.delta;
  const blockText = `${formatSignedCount(blocks)} ${Math.abs(blocks) === 1 ? 'block' : 'blocks'}`;
  return `${formatSignedTracedBytes(line.bytes.delta, false)} · ${blockText} since ${beforeName}`;
}

/** A scope's lens title in a comparison: `MemLens: +6.0 MiB since "round 1" (now 8.0 MiB)`, `≈` when estimated. */
export function growthLensTitle(scope: ScopeDelta, beforeName: string, estimated = false): string {
  return `MemLens: ${formatSignedTracedBytes(scope.bytes.delta, estimated)} since ${beforeName} ` +
    `(now ${formatTracedBytes(scope.bytes.after, estimated)})`;
}
