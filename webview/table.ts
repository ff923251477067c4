/**
 * `<ml-table>`: the panel's table. Sortable by clicking a header (first click: numbers largest
 * first, text A to Z; second: the other way; third: the host's order), filterable by a text field,
 * and virtualized with `@lit-labs/virtualizer`, so only the rows in view exist in the DOM and
 * 100 000 rows cost what 40 do. Rows can be activated (click, Enter or Space) when the owner
 * passes `onActivate`. Cells render through Lit templates, so profile strings stay text. It draws
 * in the light DOM, so `panel.css` and the codicons' stylesheet style it.
 */
import '@lit-labs/virtualizer';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatSignedBytes,
  formatSignedCount,
  formatSignedTracedBytes,
  formatTracedBytes,
} from '../src/model/format';
import { fixedRows, RowSlots } from './fixedRowLayout';
import { nextSort, viewRows, type SortableColumn, type SortDir, type TableState } from './tableModel';
import { patchVirtualizer } from './virtualizerPatch';

/**
 * How a column's value is shown when it has no `cell` of its own; `delta…` carry a sign;
 * `estimatedBytes` are a fast-mode run's traced bytes, marked `≈`.
 */
export type ColumnKind =
  | 'bytes'
  | 'estimatedBytes'
  | 'count'
  | 'share'
  | 'seconds'
  | 'text'
  | 'deltaBytes'
  | 'estimatedDeltaBytes'
  | 'deltaCount';

export interface Column<R> extends SortableColumn<R> {
  title: string;
  /** A CSS grid track: `7em` (figures: fixed), `minmax(12em, 3fr)` (text: grows); its em is its minimum. */
  width: string;
  kind: ColumnKind;
  /** Cell content; default: the value formatted by `kind`. */
  cell?: (row: R) => unknown;
  /** A cell's tooltip. */
  tooltip?: (row: R) => string;
  /** The header's tooltip: what the column means. */
  about?: string;
  /** Direction of a first click; default: `desc` for numbers, `asc` for text. */
  firstDir?: SortDir;
}

/** A value formatted by kind; null (unknown) is a dash. */
export function formatValue(kind: ColumnKind, v: number | string | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  switch (kind) {
    case 'bytes':
      return formatBytes(v);
    case 'estimatedBytes':
      return formatTracedBytes(v, true);
    case 'count':
      return formatCount(v);
    case 'deltaBytes':
      return formatSignedBytes(v);
    case 'estimatedDeltaBytes':
      return formatSignedTracedBytes(v, true);
    case 'deltaCount':
      return formatSignedCount(v);
    case 'share':
      return `${(v * 100).toFixed(1)} %`;
    case 'seconds':
      return formatDuration(v);
    case 'text':
      return String(v);
  }
}

/** Height of a row in pixels; `panel.css` agrees. */
export const ROW_HEIGHT = 22;

export class MlTable<R> extends LitElement {
  static override properties = {
    columns: { attribute: false },
    rows: { attribute: false },
    state: { attribute: false },
    label: {},
    size: {},
    maxRows: { type: Number },
  };

  declare columns: Column<R>[];
  declare rows: R[];
  /** The sort and filter; the owner keeps it across tab switches through `onStateChange`. */
  declare state: TableState;
  /** What the table lists, for the filter's placeholder and screen readers (`lines`). */
  declare label: string;
  /** `fill`: as tall as the panel allows; `auto`: as tall as its rows, up to `maxRows`. */
  declare size: 'fill' | 'auto';
  declare maxRows: number;
  onActivate?: (row: R) => void;
  onStateChange?: (state: TableState) => void;
  /** Extra classes of a row (`dim` for library lines). */
  rowClass?: (row: R) => string;

  private view: R[] = [];
  private readonly slots = new RowSlots();
  private readonly layout = fixedRows({ rowHeight: ROW_HEIGHT, slots: this.slots });

  constructor() {
    super();
    this.columns = [];
    this.rows = [];
    this.state = { filter: '' };
    this.label = 'rows';
    this.size = 'auto';
    this.maxRows = 12;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('rows') || changed.has('columns') || changed.has('state')) {
      this.view = viewRows(this.rows, this.columns, this.state);
    }
    if (changed.has('columns')) {
      this.style.setProperty('--ml-cols', this.columns.map((c) => c.width).join(' '));
      // Narrower than its columns' minimum, the table scrolls sideways instead of cutting figures.
      const ems = this.columns.reduce((s, c) => s + Number(/([\d.]+)em/.exec(c.width)?.[1] ?? 6), 0);
      this.style.setProperty('--ml-min-width', `calc(${ems}em + ${(this.columns.length - 1) * 10 + 16}px)`);
    }
    if (this.size === 'auto') {
      const shown = Math.max(1, Math.min(this.view.length, this.maxRows));
      this.style.setProperty('--ml-body-height', `${shown * ROW_HEIGHT + 2}px`);
    } else {
      this.style.removeProperty('--ml-body-height');
    }
    this.classList.toggle('ml-fill', this.size === 'fill');
  }

  protected override updated(): void {
    const body = this.querySelector('lit-virtualizer');
    if (body) void (body as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete.then(() => patchVirtualizer(body));
  }

  private setState(state: TableState): void {
    this.state = state;
    this.onStateChange?.(state);
  }

  private sortBy(c: Column<R>): void {
    const first = c.firstDir ?? (c.kind === 'text' ? 'asc' : 'desc');
    this.setState({ ...this.state, sort: nextSort(this.state.sort, c.id, first) });
  }

  private readonly onFilter = (e: Event): void => {
    const value = (e.target as HTMLInputElement).value ?? '';
    this.setState({ ...this.state, filter: value });
  };

  private readonly renderRow = (row: R): TemplateResult => {
    const activate = this.onActivate;
    const extra = this.rowClass?.(row) ?? '';
    return html`<div
      class="ml-row ${activate ? 'ml-active' : ''} ${extra}"
      role="row"
      tabindex=${activate ? 0 : -1}
      @click=${activate ? () => activate(row) : nothing}
      @keydown=${activate
        ? (e: KeyboardEvent) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              activate(row);
            }
          }
        : nothing}
    >
      ${this.columns.map(
        (c) => html`<div class="ml-cell ${c.kind === 'text' ? 'ml-text' : 'ml-num'}" role="cell" title=${c.tooltip?.(row) ?? nothing}>
          ${c.cell ? c.cell(row) : formatValue(c.kind, c.value(row))}
        </div>`,
      )}
    </div>`;
  };

  protected override render(): TemplateResult {
    const sort = this.state.sort;
    const filtered = this.view.length !== this.rows.length;
    return html`
      <div class="ml-toolbar">
        <vscode-textfield
          class="ml-filter"
          placeholder=${`Filter ${this.label}`}
          aria-label=${`Filter ${this.label}`}
          .value=${this.state.filter}
          @input=${this.onFilter}
        >
          <span slot="content-before" class="codicon codicon-filter"></span>
        </vscode-textfield>
        <vscode-badge class="ml-count" variant="counter">
          ${filtered ? `${formatCount(this.view.length)} of ${formatCount(this.rows.length)}` : formatCount(this.rows.length)}
        </vscode-badge>
      </div>
      <div class="ml-table" role="table" aria-label=${this.label} aria-rowcount=${this.view.length}>
        <div class="ml-head" role="row">
          ${this.columns.map((c) => {
            const dir = sort?.column === c.id ? sort.dir : undefined;
            return html`<div
              class="ml-th ${c.kind === 'text' ? 'ml-text' : 'ml-num'} ${dir ? 'ml-sorted' : ''}"
              role="columnheader"
              tabindex="0"
              title=${c.about ?? `Sort by ${c.title}`}
              aria-sort=${dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
              @click=${() => this.sortBy(c)}
              @keydown=${(e: KeyboardEvent) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  this.sortBy(c);
                }
              }}
            >
              <span class="ml-th-title">${c.title}</span>${dir
                ? html`<span class="codicon codicon-arrow-${dir === 'desc' ? 'down' : 'up'}"></span>`
                : nothing}
            </div>`;
          })}
        </div>
        ${this.view.length === 0
          ? html`<div class="ml-empty">${this.rows.length === 0 ? `No ${this.label}.` : `No ${this.label} match “${this.state.filter}”.`}</div>`
          : html`<lit-virtualizer class="ml-body" scroller .layout=${this.layout} .keyFunction=${this.slots.key} .items=${this.view} .renderItem=${this.renderRow}></lit-virtualizer>`}
      </div>
    `;
  }
}

customElements.define('ml-table', MlTable);

declare global {
  interface HTMLElementTagNameMap {
    'ml-table': MlTable<unknown>;
  }
}
