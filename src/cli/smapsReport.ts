/**
 * The CLI's text report of a process's memory maps (`memlens smaps`): the writable-memory
 * headline, the classic table (mapped files, anonymous memory and kernel pages, each by
 * permission class, with Shared_Clean, Shared_Dirty, Private_Clean, Private_Dirty, Rss, Pss and
 * Swap, and a total row per group and overall) and the files holding the most private dirty
 * memory. A pure function of the classified report, so tests check the text without a process.
 */
import { formatBytes, formatCount } from '../model/format';
import type { SmapsReport } from '../model/smaps';
import {
  PERM_CLASS_TITLES,
  SMAPS_FIELD_NAMES,
  SMAPS_GROUP_TITLES,
  type SmapsField,
  type SmapsFigures,
  type SmapsGroup,
} from '../protocol/smaps';

/** What the report needs besides the classified maps. */
export interface SmapsReportOptions {
  /** What the maps are of, after "Memory maps of": `process 1234 (python3)`. */
  title: string;
  /** Rows of the file ranking. */
  top: number;
}

/** Group headings: the kernel's group names the pages it means, as a terminal has no tooltip. */
const GROUP_TITLES: Record<SmapsGroup, string> = {
  ...SMAPS_GROUP_TITLES,
  kernel: `${SMAPS_GROUP_TITLES.kernel} ([vdso], [vvar], [vsyscall])`,
};

/** The figure columns of the table, in order: the four classic ones, then resident, proportional, swapped. */
const COLUMNS: readonly SmapsField[] = ['sharedClean', 'sharedDirty', 'privateClean', 'privateDirty', 'rss', 'pss', 'swap'];

/**
 * The headline as one line: `Writable memory (private dirty) 84.2 MiB; RSS 95.0 MiB, PSS
 * 90.1 MiB, USS 92.0 MiB, swap 0 B.` Also printed by `memlens profile`/`show` when the snapshot
 * holds memory maps.
 */
export function writableMemoryLine(report: SmapsReport): string {
  const t = report.total;
  return (
    `Writable memory (private dirty) ${formatBytes(report.writable)}; ` +
    `RSS ${formatBytes(t.rss)}, PSS ${formatBytes(t.pss)}, USS ${formatBytes(report.uss)}, swap ${formatBytes(t.swap)}.`
  );
}

/** Renders the report; the text ends with a newline. Names (file paths) are printed as they are. */
export function renderSmapsReport(report: SmapsReport, opts: SmapsReportOptions): string {
  const title = `Memory maps of ${opts.title}`;
  const out: string[] = [title, '═'.repeat(title.length), writableMemoryLine(report), ''];
  out.push(...classicTable(report), '');

  const shown = report.files.slice(0, Math.max(0, opts.top));
  const of = report.files.length > shown.length ? ` (top ${shown.length} of ${formatCount(report.files.length)})` : '';
  out.push(`Files by private dirty${of}`);
  if (shown.length === 0) {
    out.push('  (no mapped files)');
  } else {
    const head = ['#', 'Private_Dirty', 'Pss', 'Rss', 'maps', 'file'];
    const cells = shown.map((f, i) => [
      String(i + 1),
      formatBytes(f.privateDirty),
      formatBytes(f.pss),
      formatBytes(f.rss),
      formatCount(f.mappings),
      f.path,
    ]);
    const widths = head.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
    // Numbers right-aligned; the path last and unpadded, so an odd name prints exactly as it is.
    const fmt = (r: string[]): string =>
      '  ' + [...r.slice(0, 5).map((v, c) => v.padStart(widths[c])), r[5]].join('  ');
    out.push(fmt(head), ...cells.map(fmt));
  }
  return out.join('\n') + '\n';
}

/** Heading rows (a group's title) and figure rows (a label and the column values). */
type Row = { heading: string } | { label: string; figures: SmapsFigures };

function classicTable(report: SmapsReport): string[] {
  const rows: Row[] = [];
  for (const g of report.groups) {
    // Kernel pages are a few pages in every process: shown only when present, as they always are
    // on Linux, but a hand-made or filtered map may lack them.
    if (g.group === 'kernel' && g.total.mappings === 0) continue;
    rows.push({ heading: GROUP_TITLES[g.group] });
    if (g.total.mappings === 0) {
      rows.push({ heading: '  (none)' });
      continue;
    }
    for (const c of g.classes) rows.push({ label: `  ${PERM_CLASS_TITLES[c.permClass]} ${c.perms.join(' ')}`, figures: c });
    rows.push({ label: '  total', figures: g.total });
  }
  rows.push({ label: 'All mappings', figures: report.total });

  const head = ['', 'maps', ...COLUMNS.map((field) => SMAPS_FIELD_NAMES[field])];
  const body = rows.map((r) =>
    'heading' in r
      ? r
      : [r.label, formatCount(r.figures.mappings), ...COLUMNS.map((key) => formatBytes(r.figures[key]))],
  );
  const table = body.filter((r): r is string[] => Array.isArray(r));
  const widths = head.map((h, c) => Math.max(h.length, ...table.map((r) => r[c].length)));
  const fmt = (r: string[]): string =>
    [r[0].padEnd(widths[0]), ...r.slice(1).map((v, c) => v.padStart(widths[c + 1]))].join('  ').trimEnd();
  return [fmt(head), ...body.map((r) => (Array.isArray(r) ? fmt(r) : r.heading))];
}
