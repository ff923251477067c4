/**
 * What every tab shares: the context the app hands it (table state, opening a line) and small
 * templates for notices and headline figures. Everything renders through Lit bindings, so profile
 * strings are text.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { FileRef } from '../../src/protocol/panel';
import { cssProps } from '../cssProps';
import type { Column } from '../table';
import type { TableState } from '../tableModel';

/** What a tab may ask of the app. */
export interface TabContext {
  /** The sort and filter of table `id`, kept across tab switches and reloads. */
  tableState(id: string): TableState;
  setTableState(id: string, state: TableState): void;
  /** Opens the editor at a line of the run. */
  openLine(file: string, line: number): void;
  /** Reads the inspected process's memory maps again. */
  refreshProcess(): void;
}

/** A notice: why a part is missing, a warning, or a note. */
export function notice(kind: 'info' | 'warning', text: string, detail?: unknown): TemplateResult {
  return html`<div class="ml-notice ml-${kind}" role=${kind === 'warning' ? 'alert' : 'note'}>
    <span class="codicon codicon-${kind === 'warning' ? 'warning' : 'info'}"></span>
    <div><div class="ml-notice-text">${text}</div>${detail ? html`<div class="ml-notice-detail">${detail}</div>` : nothing}</div>
  </div>`;
}

/** One headline figure: a label, a value, and a note under it. `id` names it for tests. */
export function tile(id: string, label: string, value: string, note?: string, emphasis = false): TemplateResult {
  return html`<div class="ml-tile ${emphasis ? 'ml-emphasis' : ''}" data-figure=${id}>
    <div class="ml-tile-label">${label}</div>
    <div class="ml-tile-value">${value}</div>
    ${note ? html`<div class="ml-tile-note">${note}</div>` : nothing}
  </div>`;
}

/** A horizontal bar for a share (0…1); its width is set through the CSSOM (see `cssProps`). */
export function shareBar(share: number): TemplateResult {
  const pct = Math.max(0, Math.min(1, share)) * 100;
  return html`<span class="ml-bar" aria-hidden="true"><span class="ml-bar-fill" ${cssProps({ width: `${pct.toFixed(2)}%` })}></span></span>`;
}


/** The words for the snapshot's moment: `at exit` or `at the snapshot`. */
export function momentWord(kind: 'exit' | 'snapshot'): string {
  return kind === 'exit' ? 'at exit' : 'at the snapshot';
}

const memos = new WeakMap<object, Map<string, unknown>>();

/**
 * `build()` once per `data` and `key`: tables recompute their rows when given new columns, so
 * tabs hand them the same column objects on every render of the same data.
 */
export function memo<T>(data: object, key: string, build: () => T): T {
  let m = memos.get(data);
  if (m === undefined) memos.set(data, (m = new Map()));
  if (!m.has(key)) m.set(key, build());
  return m.get(key) as T;
}

/**
 * A path as a cell: the file name first (what tells files apart), then its folder, dimmed, so a
 * narrow column cuts the folder rather than the name. `suffix` follows the name (`:12`).
 */
export function pathCell(path: string, suffix = ''): TemplateResult {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (cut < 0) return html`<span class="ml-base">${path}${suffix}</span>`;
  return html`<span class="ml-base">${path.slice(cut + 1)}${suffix}</span> <span class="ml-dir">${path.slice(0, cut + 1)}</span>`;
}

/**
 * A table of at most `maxRows` rows in view, its sort and filter kept by the app under `id`;
 * `activate` makes a row open something (a click, Enter or Space).
 */
export function smallTable<R>(
  ctx: TabContext,
  id: string,
  label: string,
  maxRows: number,
  columns: Column<R>[],
  rows: R[],
  activate?: (row: R) => void,
): TemplateResult {
  return html`<ml-table
    id=${`table-${id}`}
    label=${label}
    .maxRows=${maxRows}
    .columns=${columns}
    .rows=${rows}
    .state=${ctx.tableState(id)}
    .onStateChange=${(s: TableState) => ctx.setTableState(id, s)}
    .onActivate=${activate}
  ></ml-table>`;
}

/**
 * The `Line` column of a table whose rows name a source line (`file` indexes `files`): the file's
 * display name and line, a library icon where no user frame was within reach, the full path as the
 * tooltip unless `tooltip` says more.
 */
export function lineColumn<R extends { file: number; line: number; noUserFrame: boolean }>(
  files: readonly FileRef[],
  tooltip: (row: R) => string = (r) => `${files[r.file].path}:${r.line}`,
): Column<R> {
  return {
    id: 'where', title: 'Line', kind: 'text', width: 'minmax(11em, 2fr)', searchable: true,
    value: (r) => `${files[r.file].display}:${r.line}`, tooltip,
    cell: (r) => html`${r.noUserFrame ? html`<span class="codicon codicon-library" aria-label="no user frame"></span> ` : nothing}${pathCell(files[r.file].display, `:${r.line}`)}`,
  };
}
