/**
 * The Leaks tab's data from a `LeakReport` (`src/model/leaks.ts`): the snapshots in time order,
 * the lines and the types that grew in every interval, fastest first, each with its bytes at every
 * snapshot and the call paths of its growth; or, when no leak search could be made, why. Pure.
 */
import type { LeakReport } from '../model/leaks';
import type { LeaksData } from '../protocol/panel';
import { pathsOf, snapshotName, type CompareDataOptions } from './compareData';
import { FileTable } from './rows';

/** Builds the Leaks tab's data. */
export function leaksData(report: LeakReport, options: CompareDataOptions = {}): LeaksData {
  if (!report.ok) return { ok: false, error: report.error };
  const files = new FileTable(options.displayPath);
  return {
    ok: true,
    snapshots: report.snapshots.map(snapshotName),
    seconds: report.seconds,
    intervals: report.intervals,
    minGrowthBytes: report.minGrowthBytes,
    warnings: [...report.warnings],
    estimated: report.estimated,
    files: files.refs,
    lines: report.lines.map((l) => ({
      file: files.index(l.file, l.user),
      line: l.line,
      growth: l.growth,
      bytesPerSecond: l.bytesPerSecond,
      bytesPerInterval: l.bytesPerInterval,
      bytes: [...l.bytes],
      noUserFrame: l.noUserFrame,
      ...pathsOf(l.paths, l.growth, report.estimated),
    })),
    types: report.typesAvailable
      ? {
          ok: true,
          data: report.types.map((t) => ({
            type: t.type, growth: t.growth, bytesPerSecond: t.bytesPerSecond, bytesPerInterval: t.bytesPerInterval,
            bytes: [...t.bytes], count: [...t.count], countPerSecond: t.countPerSecond,
          })),
        }
      : { ok: false, missing: report.typesReason ?? 'Types cannot be followed.' },
  };
}
