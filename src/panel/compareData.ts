/**
 * The Compare tab's data from a `SnapshotDiff` (`src/model/diff.ts`) and the snapshots'
 * `Compatibility`: the two snapshots named, the warnings first, the whole-process totals, and
 * the lines, functions, types and mappings in the diff's order (most growth first). Pure, like
 * `panelData.ts`: unit tests run it in plain Node, and the panel only formats, sorts and filters.
 */
import type { Compatibility } from '../model/compat';
import type { PathDelta, SnapshotDiff, SnapshotRef, TotalsDelta } from '../model/diff';
import { formatSignedTracedBytes, LIGHT_MODE_TEXT } from '../model/format';
import type { CompareData, CompareLineRow, Delta, SnapshotName, TotalRow } from '../protocol/panel';
import { FileTable, pathText } from './rows';

/** What the builders need besides the model's data. */
export interface CompareDataOptions {
  /** How a file is named in rows (relative to the workspace in the extension); default: the path. */
  displayPath?: (file: string) => string;
}

/** Builds the Compare tab's data. */
export function compareData(diff: SnapshotDiff, compat: Compatibility, options: CompareDataOptions = {}): CompareData {
  const files = new FileTable(options.displayPath);
  const lines = diff.lines.map((l): CompareLineRow => ({
    file: files.index(l.file, l.user),
    line: l.line,
    bytes: figure(l.bytes),
    blocks: figure(l.blocks),
    noUserFrame: l.noUserFrame,
    ...pathsOf(l.paths, l.growth, diff.estimated),
  }));
  const functions = diff.scopes
    // A scope none of whose lines held memory on either side says nothing.
    .filter((s) => s.bytes.before !== 0 || s.bytes.after !== 0)
    .map((s) => ({
      file: files.index(s.file, diff.lines.find((l) => l.file === s.file)?.user ?? true),
      name: s.name,
      kind: s.kind,
      line: s.line,
      endLine: s.endLine,
      bytes: figure(s.bytes),
      target: s.grewMostLine ?? s.line,
    }));
  return {
    before: snapshotName(diff.before),
    after: snapshotName(diff.after),
    seconds: diff.seconds,
    warnings: [...compat.warnings],
    estimated: diff.estimated,
    tracked: diff.tracked,
    totals: totalRows(diff, diff.mappingsReason, diff.typesReason),
    files: files.refs,
    lines,
    functions,
    types: diff.typesAvailable
      ? { ok: true, data: { rows: diff.types.map((t) => ({ type: t.type, count: figure(t.count), bytes: figure(t.bytes) })), note: diff.typesNote } }
      : { ok: false, missing: diff.typesReason ?? 'Types cannot be compared.' },
    mappings: diff.mappingsAvailable
      ? {
          ok: true,
          data: diff.mappings.map((m) => ({
            name: m.name, perms: m.perms, group: m.group,
            mappings: figure(m.mappings), size: figure(m.size), rss: figure(m.rss), pss: figure(m.pss),
            privateDirty: figure(m.privateDirty), swap: figure(m.swap),
          })),
        }
      : { ok: false, missing: diff.mappingsReason ?? 'Memory maps cannot be compared.' },
  };
}

/** How the panel names a snapshot: its label, else what kind it is; with its time for the detail. */
export function snapshotName(ref: SnapshotRef): SnapshotName {
  return {
    title: ref.label ?? (ref.kind === 'exit' ? 'end of run' : 'snapshot'),
    label: ref.label,
    kind: ref.kind,
    time: ref.time,
    elapsed: ref.elapsed,
    pid: ref.pid,
  };
}

/**
 * A line's call paths as text: the one that moved most in the line's direction first (`topPath`),
 * and every path with its change, one per line (`+1.0 MiB (new): a.py:3 ← b.py:9`).
 */
export function pathsOf(paths: readonly PathDelta[], growth: number, estimated: boolean): { topPath: string; paths: string } {
  if (paths.length === 0) return { topPath: '', paths: '' };
  const sign = growth < 0 ? -1 : 1;
  const top = paths.reduce((best, p) => (sign * p.delta > sign * best.delta ? p : best), paths[0]);
  const all = paths.map((p) => `${formatSignedTracedBytes(p.delta, estimated)}${p.before === null ? ' (not listed before)' : ''}: ${pathText(p.frames)}`);
  return { topPath: pathText(top.frames), paths: all.join('\n') };
}

function figure(d: Delta): Delta {
  return { before: d.before, after: d.after, delta: d.delta };
}

/**
 * The whole-process figures, in the order the tab shows them. Traced ones are marked estimated
 * when either side is a fast-mode run, and missing (light mode says why) when either is light.
 */
function totalRows(diff: SnapshotDiff, mapsReason: string | null, typesReason: string | null): TotalRow[] {
  const t: TotalsDelta = diff.totals;
  const row = (id: string, label: string, unit: TotalRow['unit'], d: Delta | null, note: string, missing: string): TotalRow =>
    ({ id, label, unit, figure: d === null ? null : figure(d), note: d === null ? missing : note });
  const traced = (id: string, label: string, unit: TotalRow['unit'], d: Delta | null, note: string, missing: string): TotalRow => {
    if (!diff.tracked) return row(id, label, unit, null, note, LIGHT_MODE_TEXT);
    const r = row(id, label, unit, d, note, missing);
    return diff.estimated ? { ...r, estimated: true } : r;
  };
  const notRecorded = 'not recorded in both snapshots';
  return [
    traced('traced', 'Traced', 'bytes', t.traced, 'Python allocations live when each was taken', notRecorded),
    row('writable', 'Writable memory', 'bytes', t.writable, 'private dirty pages: what the process costs the system', mapsReason ?? notRecorded),
    row('rss', 'RSS', 'bytes', t.rss, 'resident set when each was taken', notRecorded),
    row('uss', 'USS', 'bytes', t.uss, 'private clean + private dirty', mapsReason ?? notRecorded),
    traced('blocks', 'Live blocks', 'count', t.blocks, 'traced allocations', notRecorded),
    traced('tracedPeak', 'Peak traced', 'bytes', t.tracedPeak, 'the highest traced memory so far', notRecorded),
    row('maxRss', 'Peak RSS', 'bytes', t.maxRss, 'the highest resident set so far', notRecorded),
    row('censusBytes', 'Objects (census)', 'bytes', t.censusBytes, 'shallow sizes of the live objects', typesReason ?? notRecorded),
  ];
}

