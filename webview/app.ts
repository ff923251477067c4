/**
 * `<memlens-panel>`: the panel's frame. It handles the host's messages (`show`, `clear`), keeps
 * the selected tab and each table's sort and filter (in `vscode.setState`, so they survive a
 * reload), and draws a header with the program and the tabs; only the selected tab's content is
 * rendered. Each tab lives in its own module under `tabs/`.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import type { PanelData, ToPanel } from '../src/protocol/panel';
import { loadState, post, saveState, type ViewState } from './host';
import './table';
import type { TableState } from './tableModel';
import type { TabContext } from './tabs/common';
import { gcTab } from './tabs/gc';
import { importsTab } from './tabs/imports';
import { linesTab } from './tabs/lines';
import { processTab } from './tabs/process';
import { summaryTab } from './tabs/summary';
import './tabs/timeline';
import { timelineTab } from './tabs/timeline';
import { typesTab } from './tabs/types';

interface Tab {
  id: string;
  title: string;
  icon: string;
  render: (data: PanelData, ctx: TabContext) => TemplateResult;
  /** A codicon after the title when the tab holds something to look at (a warning). */
  flag?: (data: PanelData) => string | undefined;
}

const TABS: readonly Tab[] = [
  { id: 'summary', title: 'Summary', icon: 'dashboard', render: summaryTab },
  { id: 'lines', title: 'Lines', icon: 'list-ordered', render: linesTab },
  { id: 'types', title: 'Types', icon: 'symbol-class', render: typesTab, flag: (d) => (d.types.ok && !d.types.data.complete ? 'warning' : undefined) },
  { id: 'process', title: 'Process', icon: 'server-process', render: processTab },
  { id: 'timeline', title: 'Timeline', icon: 'graph-line', render: timelineTab },
  { id: 'gc', title: 'GC', icon: 'trash', render: gcTab, flag: (d) => (d.gc.ok && d.gc.data.uncollectable.length > 0 ? 'warning' : undefined) },
  { id: 'imports', title: 'Imports', icon: 'package', render: importsTab },
];

export class MemlensPanel extends LitElement {
  static override properties = {
    data: { state: true },
    cleared: { state: true },
    tab: { state: true },
  };

  declare data: PanelData | undefined;
  /** Why nothing is shown, after `clear`. */
  declare cleared: string | undefined;
  declare tab: number;
  private view: ViewState;
  private readonly ctx: TabContext;

  constructor() {
    super();
    this.view = loadState();
    this.data = undefined;
    this.cleared = undefined;
    this.tab = Math.min(Math.max(0, this.view.tab), TABS.length - 1);
    this.ctx = {
      tableState: (id) => {
        let s = this.view.tables[id];
        if (s === undefined) this.view.tables[id] = s = { filter: '' };
        return s;
      },
      setTableState: (id: string, s: TableState) => {
        // Tables redraw themselves; the frame only remembers (no redraw of the whole tab).
        this.view.tables[id] = s;
        saveState(this.view);
      },
      openLine: (file, line) => post({ type: 'openLine', file, line }),
    };
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Handles a message from the host. */
  receive(msg: ToPanel): void {
    switch (msg.type) {
      case 'show': {
        const t0 = performance.now();
        // A different snapshot starts with every table in the host's order and unfiltered.
        if (this.data !== undefined && this.data.source.snapshotPath !== msg.data.source.snapshotPath) {
          this.view.tables = {};
          saveState(this.view);
        }
        this.data = msg.data;
        this.cleared = undefined;
        void this.measure(t0);
        return;
      }
      case 'clear':
        this.data = undefined;
        this.cleared = msg.reason;
        return;
      default: {
        const never: never = msg;
        post({ type: 'problem', message: `unknown message ${JSON.stringify(never)}` });
      }
    }
  }

  /**
   * Records `memlens:render`, from a message's arrival until the selected tab is drawn (the rows
   * of its table in the DOM, then one frame painted), with the Performance API: the UI test reads
   * it to report render times.
   */
  private async measure(t0: number): Promise<void> {
    await this.updateComplete;
    const frame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));
    const panel = this.querySelector(`vscode-tab-panel[data-panel="${TABS[this.tab].id}"]`);
    // The virtualizer lays rows out in a frame of its own; a table with rows shows them within a few.
    for (let i = 0; i < 120 && panel?.querySelector('ml-table .ml-body') && !panel.querySelector('.ml-row'); i++) await frame();
    await frame();
    performance.measure('memlens:render', { start: t0, end: performance.now(), detail: { tab: TABS[this.tab].id } });
  }

  private selectTab(i: number): void {
    if (i === this.tab || i < 0 || i >= TABS.length) return;
    this.tab = i;
    this.view.tab = i;
    saveState(this.view);
  }

  protected override render(): TemplateResult {
    const d = this.data;
    if (!d) {
      return html`<div class="ml-waiting">${this.cleared ?? 'Waiting for results…'}</div>`;
    }
    const p = d.program;
    return html`
      <header class="ml-header">
        <h1><span class="codicon codicon-pulse"></span> ${p.name}</h1>
        <div class="ml-header-note">
          ${p.python} · pid ${p.pid} · ${p.ended}${p.label ? ` · snapshot “${p.label}”` : ''}
        </div>
        <div class="ml-header-note ml-path" title=${d.source.snapshotPath}>${d.source.snapshotPath}</div>
      </header>
      <vscode-tabs
        .selectedIndex=${this.tab}
        @vsc-tabs-select=${(e: CustomEvent<{ selectedIndex: number }>) => this.selectTab(e.detail.selectedIndex)}
      >
        ${TABS.map((t, i) => {
          const flag = t.flag?.(d);
          return html`
            <vscode-tab-header slot="header" id=${`tab-${t.id}`} data-tab=${t.id}>
              <span class="codicon codicon-${t.icon}"></span> ${t.title}${flag ? html` <span class="codicon codicon-${flag} ml-flag"></span>` : nothing}
            </vscode-tab-header>
            <vscode-tab-panel data-panel=${t.id}>${i === this.tab ? t.render(d, this.ctx) : nothing}</vscode-tab-panel>
          `;
        })}
      </vscode-tabs>
    `;
  }
}

customElements.define('memlens-panel', MemlensPanel);

declare global {
  interface HTMLElementTagNameMap {
    'memlens-panel': MemlensPanel;
  }
}
