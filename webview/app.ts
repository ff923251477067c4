/**
 * `<memlens-panel>`: the panel's frame. It handles the host's messages (`show`, `clear`,
 * `process`, `compare`, `leaks`, `select`), keeps the selected tab and each table's sort and
 * filter (in `vscode.setState`, so they survive a reload), and draws a header and the tabs; only
 * the selected tab's content is rendered. Each tab lives in its own module under `tabs/`. The
 * results' tabs need a snapshot: while a running process is shown instead, they say so.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import type { CompareData, LeaksData, LiveProcessData, PanelData, PanelTab, ToPanel } from '../src/protocol/panel';
import { ESTIMATE_MARK, estimateSentence, LIGHT_MODE_TEXT } from '../src/model/format';
import { loadState, post, saveState, type ViewState } from './host';
import './table';
import type { TableState } from './tableModel';
import { notice, type TabContext } from './tabs/common';
import { compareTab } from './tabs/compare';
import { gcTab } from './tabs/gc';
import { importsTab } from './tabs/imports';
import { leaksTab } from './tabs/leaks';
import { linesTab } from './tabs/lines';
import { liveProcessTab, processTab } from './tabs/process';
import { summaryTab } from './tabs/summary';
import './tabs/timeline';
import { timelineTab } from './tabs/timeline';
import { typesTab } from './tabs/types';

/** What the panel holds: results or a running process (or why neither), and the comparisons. */
export interface PanelView {
  data?: PanelData;
  live?: LiveProcessData;
  /** Why there are no results, after `clear`. */
  cleared?: string;
  comparison?: CompareData;
  leaks?: LeaksData;
}

interface Tab {
  id: PanelTab;
  title: string;
  icon: string;
  render: (view: PanelView, ctx: TabContext) => TemplateResult;
  /** A codicon after the title when the tab holds something to look at (a warning). */
  flag?: (view: PanelView) => string | undefined;
}

/** A results tab: drawn from the snapshot, else a sentence saying what it needs. */
function results(title: string, render: (data: PanelData, ctx: TabContext) => TemplateResult): Tab['render'] {
  return (view, ctx) => {
    if (view.data) return render(view.data, ctx);
    if (view.live) {
      return notice('info', `${title} needs a profiled run: process ${view.live.pid} is shown from its memory maps alone (see Process). Profile a Python program (MemLens: Profile Memory) or open a snapshot file to fill this tab.`);
    }
    return notice('info', view.cleared ?? 'No results.');
  };
}

const TABS: readonly Tab[] = [
  { id: 'summary', title: 'Summary', icon: 'dashboard', render: results('Summary', summaryTab) },
  { id: 'lines', title: 'Lines', icon: 'list-ordered', render: results('Lines', linesTab) },
  { id: 'types', title: 'Types', icon: 'symbol-class', render: results('Types', typesTab), flag: (v) => (v.data?.types.ok && !v.data.types.data.complete ? 'warning' : undefined) },
  {
    id: 'process', title: 'Process', icon: 'server-process',
    render: (v, ctx) => (v.live ? liveProcessTab(v.live, ctx) : results('Process', processTab)(v, ctx)),
  },
  { id: 'timeline', title: 'Timeline', icon: 'graph-line', render: results('Timeline', timelineTab) },
  { id: 'gc', title: 'GC', icon: 'trash', render: results('GC', gcTab), flag: (v) => (v.data?.gc.ok && v.data.gc.data.uncollectable.length > 0 ? 'warning' : undefined) },
  { id: 'imports', title: 'Imports', icon: 'package', render: results('Imports', importsTab) },
  { id: 'compare', title: 'Compare', icon: 'diff', render: (v, ctx) => compareTab(v.comparison, ctx), flag: (v) => (v.comparison?.warnings.length ? 'warning' : undefined) },
  { id: 'leaks', title: 'Leaks', icon: 'flame', render: (v, ctx) => leaksTab(v.leaks, ctx) },
];

const tabIndex = (id: string): number => Math.max(0, TABS.findIndex((t) => t.id === id));

export class MemlensPanel extends LitElement {
  static override properties = {
    view: { state: true },
    tab: { state: true },
  };

  declare view: PanelView;
  /** Index into TABS. */
  declare tab: number;
  private state: ViewState;
  private readonly ctx: TabContext;

  constructor() {
    super();
    this.state = loadState();
    this.view = {};
    this.tab = tabIndex(this.state.tab);
    this.ctx = {
      tableState: (id) => {
        let s = this.state.tables[id];
        if (s === undefined) this.state.tables[id] = s = { filter: '' };
        return s;
      },
      setTableState: (id: string, s: TableState) => {
        // Tables redraw themselves; the frame only remembers (no redraw of the whole tab).
        this.state.tables[id] = s;
        saveState(this.state);
      },
      openLine: (file, line) => post({ type: 'openLine', file, line }),
      refreshProcess: () => post({ type: 'refreshProcess' }),
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
        if (this.view.data !== undefined && this.view.data.source.snapshotPath !== msg.data.source.snapshotPath) {
          this.state.tables = {};
          saveState(this.state);
        }
        this.view = { ...this.view, data: msg.data, live: undefined, cleared: undefined };
        void this.measure(t0);
        return;
      }
      case 'clear':
        this.view = { ...this.view, data: undefined, live: undefined, cleared: msg.reason };
        return;
      case 'process':
        this.view = { ...this.view, data: undefined, live: msg.data, cleared: undefined };
        return;
      case 'compare':
        this.view = { ...this.view, comparison: msg.data };
        return;
      case 'leaks':
        this.view = { ...this.view, leaks: msg.data };
        return;
      case 'select':
        this.selectTab(tabIndex(msg.tab));
        post({ type: 'selected', tab: TABS[this.tab].id });
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
    this.state.tab = TABS[i].id;
    saveState(this.state);
  }

  protected override render(): TemplateResult {
    const v = this.view;
    if (!v.data && !v.live && !v.comparison && !v.leaks) {
      return html`<div class="ml-waiting">${v.cleared ?? 'Waiting for results…'}</div>`;
    }
    return html`
      ${this.header(v)}
      <vscode-tabs
        .selectedIndex=${this.tab}
        @vsc-tabs-select=${(e: CustomEvent<{ selectedIndex: number }>) => {
          this.selectTab(e.detail.selectedIndex);
          post({ type: 'selected', tab: TABS[this.tab].id });
        }}
      >
        ${TABS.map((t, i) => {
          const flag = t.flag?.(v);
          return html`
            <vscode-tab-header slot="header" id=${`tab-${t.id}`} data-tab=${t.id}>
              <span class="codicon codicon-${t.icon}"></span> ${t.title}${flag ? html` <span class="codicon codicon-${flag} ml-flag"></span>` : nothing}
            </vscode-tab-header>
            <vscode-tab-panel data-panel=${t.id}>${i === this.tab ? t.render(v, this.ctx) : nothing}</vscode-tab-panel>
          `;
        })}
      </vscode-tabs>
    `;
  }

  /** The program of the results, the inspected process, or a plain title. */
  private header(v: PanelView): TemplateResult {
    if (v.live) {
      const l = v.live;
      return html`<header class="ml-header">
        <h1><span class="codicon codicon-server-process"></span> ${l.name || 'process'} <span class="ml-muted">${l.pid}</span></h1>
        <div class="ml-header-note">running process, not profiled · memory maps read at ${new Date(l.readAt).toLocaleTimeString()}</div>
        <div class="ml-header-note ml-path" title=${l.commandLine}>${l.commandLine}</div>
      </header>`;
    }
    if (!v.data) {
      return html`<header class="ml-header"><h1><span class="codicon codicon-pulse"></span> MemLens</h1>
        <div class="ml-header-note">${v.cleared ?? ''}</div></header>`;
    }
    const d = v.data;
    const p = d.program;
    return html`
      <header class="ml-header">
        <h1><span class="codicon codicon-pulse"></span> ${p.name}</h1>
        <div class="ml-header-note">
          ${[p.python, p.pid === null ? null : `pid ${p.pid}`, p.ended, p.origin, p.label ? `snapshot “${p.label}”` : null]
            .filter((part) => part !== null)
            .join(' · ')}
        </div>
        ${modeNote(p)}
        <div class="ml-header-note ml-path" title=${d.source.snapshotPath}>${d.source.snapshotPath}</div>
      </header>
    `;
  }
}

/**
 * The header's line on how allocations were tracked: fast mode's estimates and light mode's
 * absence of them, and the helper's sentence when the mode asked for did not run. Nothing for an
 * exact run as asked, whose header reads as it always has.
 */
function modeNote(p: PanelData['program']): TemplateResult | typeof nothing {
  const parts: string[] = [];
  if (p.mode === 'fast') {
    parts.push(`fast mode: ${ESTIMATE_MARK} figures are ${estimateSentence(undefined, p.sampleInterval ?? undefined)}`);
  }
  if (p.mode === 'light') parts.push(LIGHT_MODE_TEXT);
  if (p.modeNote !== null) parts.push(p.modeNote);
  return parts.length === 0 ? nothing : html`<div class="ml-header-note" data-mode=${p.mode}>${parts.join(' · ')}</div>`;
}

customElements.define('memlens-panel', MemlensPanel);

declare global {
  interface HTMLElementTagNameMap {
    'memlens-panel': MemlensPanel;
  }
}
