/**
 * The CLI's text reports of a comparison (`memlens compare`) and of leak finding (`memlens
 * leaks`): totals, then the lines, types and mappings that grew most, then those that shrank.
 * Pure functions of the model's `SnapshotDiff` and `LeakReport`, like `report.ts`.
 */
import type { Compatibility } from '../model/compat';
import { largestGrowth, largestShrink, type SnapshotDiff, type SnapshotRef } from '../model/diff';
import {
  estimate,
  formatBytes,
  formatCount,
  formatDuration,
  formatSignedBytes,
  formatSignedCount,
  formatSignedTracedBytes,
  formatTracedBytes,
  LIGHT_MODE_TEXT,
} from '../model/format';
import type { LeakFindings } from '../model/leaks';
import type { Delta } from '../protocol/panel';
import { displayPath } from './paths';

export interface CompareReportOptions {
  top: number;
  /** Paths inside this folder are shown relative to it. */
  cwd: string;
}

/** `memlens compare`: what changed from the first snapshot to the second. */
export function renderComparison(diff: SnapshotDiff, compat: Compatibility, opts: CompareReportOptions): string {
  const out: string[] = [];
  const title = `MemLens — from ${refText(diff.before)} to ${refText(diff.after)} (${diff.seconds === null ? 'time apart unknown' : `${formatDuration(diff.seconds)} apart`})`;
  out.push(title, '═'.repeat(title.length));
  for (const w of compat.warnings) out.push(`Warning: ${w}`);
  const t = diff.totals;
  out.push('', 'Totals');
  const total = (name: string, text: string): void => void out.push(`  ${name.padEnd(26)}${text}`);
  // Traced figures: estimated (≈) when either side is a fast-mode run; absent from a light-mode one.
  const est = diff.estimated;
  if (diff.tracked) {
    total('traced', bytesDelta(t.traced, est));
    total('blocks', countDelta(t.blocks, est));
  } else {
    total('traced', LIGHT_MODE_TEXT);
  }
  if (t.rss) total('RSS', bytesDelta(t.rss));
  if (t.writable) total('writable (private dirty)', bytesDelta(t.writable));
  if (t.uss) total('USS', bytesDelta(t.uss));
  if (t.censusObjects) total('census objects', countDelta(t.censusObjects));
  if (t.censusBytes) total('census bytes', bytesDelta(t.censusBytes));

  const lineRow = (l: SnapshotDiff['lines'][number]): string[] => [
    formatSignedTracedBytes(l.bytes.delta, est), `${formatTracedBytes(l.bytes.before, est)} → ${formatTracedBytes(l.bytes.after, est)}`,
    `${displayPath(l.file, opts.cwd)}:${l.line}${l.noUserFrame ? ' *' : ''}`,
  ];
  if (diff.tracked) {
    section(out, 'Lines that grew most', largestGrowth(diff.lines, opts.top).map(lineRow), ['growth', 'before → after', 'line']);
    section(out, 'Lines that shrank most', largestShrink(diff.lines, opts.top).map(lineRow), ['change', 'before → after', 'line']);
  } else {
    out.push('', `Lines: ${LIGHT_MODE_TEXT}.`);
  }
  if (diff.typesAvailable) {
    section(out, 'Types that grew most', largestGrowth(diff.types, opts.top).map((r) => [
      formatSignedBytes(r.bytes.delta), formatSignedCount(r.count.delta), r.type,
    ]), ['bytes', 'objects', 'type']);
    if (diff.typesNote) out.push(`  (${diff.typesNote})`);
  } else {
    out.push('', `Types: ${diff.typesReason}`);
  }
  if (diff.mappingsAvailable) {
    section(out, 'Mappings whose private dirty memory grew most', largestGrowth(diff.mappings, opts.top).map((m) => [
      formatSignedBytes(m.privateDirty.delta), m.perms, m.name,
    ]), ['private dirty', 'perms', 'mapping']);
  } else {
    out.push('', `Mappings: ${diff.mappingsReason}`);
  }
  return out.join('\n') + '\n';
}

/** `memlens leaks`: what grew in every interval, fastest first. */
export function renderLeaks(report: LeakFindings, opts: CompareReportOptions): string {
  const out: string[] = [];
  const title = `MemLens — leaks over ${report.snapshots.length} snapshots (${report.intervals} intervals, ${formatDuration(report.seconds)})`;
  out.push(title, '═'.repeat(title.length));
  for (const w of report.warnings) out.push(`Warning: ${w}`);
  out.push(`A row is listed when it grew by at least ${formatBytes(report.minGrowthBytes)} in every interval.`);
  section(out, 'Lines that grew in every interval', report.lines.slice(0, opts.top).map((l) => [
    `${formatSignedTracedBytes(l.bytesPerInterval, report.estimated)}/interval`, `${formatSignedTracedBytes(l.bytesPerSecond, report.estimated)}/s`,
    `${displayPath(l.file, opts.cwd)}:${l.line}${l.noUserFrame ? ' *' : ''}`,
  ]), ['rate', 'per second', 'line']);
  if (report.typesAvailable) {
    section(out, 'Types that grew in every interval', report.types.slice(0, opts.top).map((r) => [
      `${formatSignedBytes(r.bytesPerInterval)}/interval`, formatSignedCount(r.countPerSecond), r.type,
    ]), ['rate', 'objects/s', 'type']);
  } else {
    out.push('', `Types: ${report.typesReason}`);
  }
  return out.join('\n') + '\n';
}

function section(out: string[], title: string, rows: string[][], head: string[]): void {
  out.push('', title);
  if (rows.length === 0) {
    out.push('  (none)');
    return;
  }
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  // Figures right-aligned, the name (last column) left as it is.
  const fmt = (r: string[]): string =>
    '  ' + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padStart(widths[c]))).join('  ');
  out.push(fmt(head), ...rows.map(fmt));
}

/** A byte figure's change; `estimated` marks a traced one of a fast-mode run with `≈`. */
function bytesDelta(d: Delta, estimated = false): string {
  return `${formatSignedTracedBytes(d.delta, estimated).padStart(12)}  (${formatTracedBytes(d.before, estimated)} → ${formatTracedBytes(d.after, estimated)})`;
}

/** A count's change; `estimated` likewise. */
function countDelta(d: Delta, estimated = false): string {
  const count = (n: number): string => estimate(formatCount(n), estimated);
  return `${estimate(formatSignedCount(d.delta), estimated).padStart(12)}  (${count(d.before)} → ${count(d.after)})`;
}

/** `"after round 1" (snapshot, 1.2 s into process 4242)`. */
function refText(ref: SnapshotRef): string {
  const name = ref.label ? `"${ref.label}"` : ref.kind === 'exit' ? 'the exit snapshot' : 'a snapshot';
  return ref.elapsed === null ? `${name} (imported)` : `${name} (${formatDuration(ref.elapsed)} into process ${ref.pid})`;
}
