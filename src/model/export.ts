/**
 * Exports (the Snapshots view's Export, as JSON or CSV): a snapshot's lines and a
 * comparison's tables as CSV for spreadsheets, and a comparison as JSON. Pure: text in, text out;
 * the caller writes the file.
 *
 * CSV is RFC 4180: comma-separated, CRLF line ends, a header row, and a field quoted (with its
 * quotes doubled) when it holds a comma, a quote, CR or LF. File names, type names and labels are
 * data that a spreadsheet must not run: a text field that begins with `=`, `+`, `-`, `@`, a tab or
 * CR gets a leading `'` (OWASP's guard against formula injection). Numbers are written as plain
 * integers and never guarded, so a negative delta stays a number.
 */
import type { Delta } from '../protocol/panel';
import type { SnapshotDocument } from '../protocol/snapshot';
import type { SnapshotDiff } from './diff';

/** A CSV cell: text (guarded and quoted as needed), a number, a boolean, or empty (null). */
export type CsvValue = string | number | boolean | null;

/** Characters that make a spreadsheet read a cell as a formula when they open it. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field (see the module comment for quoting and the formula guard). */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: the header, then one record per row, each ending in CRLF. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const out = [header.map(csvField).join(',')];
  for (const row of rows) out.push(row.map(csvField).join(','));
  return out.join('\r\n') + '\r\n';
}

/**
 * A snapshot's lines as CSV: `file,line,bytes,blocks,peak_bytes,peak_blocks`, one record per line
 * holding memory at the snapshot or at the peak (0 where it held none in that view), files in the
 * document's order and lines ascending.
 */
export function snapshotToCsv(doc: SnapshotDocument): string {
  const rows: CsvValue[][] = [];
  for (const f of doc.files) {
    const byLine = new Map<number, [number, number, number, number]>();
    const at = (n: number): [number, number, number, number] => {
      let r = byLine.get(n);
      if (r === undefined) byLine.set(n, (r = [0, 0, 0, 0]));
      return r;
    };
    for (const l of f.lines) {
      const r = at(l.line);
      r[0] = l.bytes;
      r[1] = l.blocks;
    }
    for (const l of f.peakLines) {
      const r = at(l.line);
      r[2] = l.bytes;
      r[3] = l.blocks;
    }
    for (const n of [...byLine.keys()].sort((a, b) => a - b)) rows.push([f.path, n, ...byLine.get(n)!]);
  }
  return toCsv(['file', 'line', 'bytes', 'blocks', 'peak_bytes', 'peak_blocks'], rows);
}

/** The tables of a comparison that `diffToCsv` writes. */
export type DiffTable = 'lines' | 'files' | 'scopes' | 'types' | 'mappings';

/**
 * One table of a comparison as CSV, rows in the diff's order (most growth first). Each compared
 * figure is three columns, `<name>_before`, `<name>_after`, `<name>_delta`. A table the diff could
 * not fill (no census, no memory maps) is the header alone.
 */
export function diffToCsv(diff: SnapshotDiff, table: DiffTable = 'lines'): string {
  switch (table) {
    case 'lines':
      return toCsv(
        ['file', 'line', ...cols('bytes'), ...cols('blocks')],
        diff.lines.map((l) => [l.file, l.line, ...vals(l.bytes), ...vals(l.blocks)]),
      );
    case 'files':
      return toCsv(
        ['file', 'user', ...cols('bytes'), ...cols('blocks')],
        diff.files.map((f) => [f.file, f.user, ...vals(f.bytes), ...vals(f.blocks)]),
      );
    case 'scopes':
      return toCsv(
        ['file', 'scope', 'kind', 'line', 'end_line', ...cols('bytes'), ...cols('blocks')],
        diff.scopes.map((s) => [s.file, s.name, s.kind, s.line, s.endLine, ...vals(s.bytes), ...vals(s.blocks)]),
      );
    case 'types':
      return toCsv(
        ['type', ...cols('count'), ...cols('bytes')],
        diff.types.map((t) => [t.type, ...vals(t.count), ...vals(t.bytes)]),
      );
    case 'mappings':
      return toCsv(
        ['pathname', 'perms', 'group', ...cols('mappings'), ...cols('private_dirty'), ...cols('pss'), ...cols('rss'), ...cols('swap'), ...cols('size')],
        diff.mappings.map((m) => [
          m.pathname, m.perms, m.group, ...vals(m.mappings), ...vals(m.privateDirty), ...vals(m.pss),
          ...vals(m.rss), ...vals(m.swap), ...vals(m.size),
        ]),
      );
    default: {
      const never: never = table;
      throw new Error(`unknown table ${String(never)}`);
    }
  }
}

/** The `format` of an exported comparison. */
export const DIFF_EXPORT_FORMAT = 'memlens.diff';
/** The version of the exported comparison's shape. */
export const DIFF_EXPORT_VERSION = 1;

/**
 * An exported comparison: the `SnapshotDiff` as it is (plain data, every absent figure `null`),
 * stamped with a format and version so a reader can tell it from a snapshot.
 */
export interface DiffExport extends SnapshotDiff {
  format: typeof DIFF_EXPORT_FORMAT;
  version: typeof DIFF_EXPORT_VERSION;
}

/** A comparison as JSON text (`DiffExport`), indented for people who open it. */
export function diffToJson(diff: SnapshotDiff): string {
  const out: DiffExport = { format: DIFF_EXPORT_FORMAT, version: DIFF_EXPORT_VERSION, ...diff };
  return JSON.stringify(out, null, 1) + '\n';
}

/**
 * A snapshot as JSON text: the snapshot document itself (its own format and version), so an
 * exported snapshot opens again in MemLens like any other. A renamed snapshot carries its label.
 */
export function snapshotToJson(doc: SnapshotDocument): string {
  return JSON.stringify(doc);
}

function cols(name: string): string[] {
  return [`${name}_before`, `${name}_after`, `${name}_delta`];
}

function vals(d: Delta): number[] {
  return [d.before, d.after, d.delta];
}
