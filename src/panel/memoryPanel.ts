/**
 * The memory panel's host: the webview beside the editor that explains memory as a whole. It owns
 * the `WebviewPanel` (one at a time) and what the panel shows: the current model's results
 * (`PanelData`, computed once per model) or a running process's memory maps, and beside either
 * the last comparison and the last leak search. It posts all of it whenever the panel says
 * `ready` (VS Code reloads a hidden webview, so that is also how state comes back), and answers
 * the panel's requests (`openLine` opens the editor beside the panel, `refreshProcess` reads the
 * process again).
 *
 * After a window reload VS Code gives the panel back through the serializer registered here
 * (activation event `onWebviewPanel:memlens.memoryPanel`); what it showed is kept in
 * `workspaceState` (the snapshot file, or the process id), read again, and shown with the editor's
 * annotations. A snapshot that is gone or unreadable gets a sentence in the panel and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { displayPath } from '../editor/paths';
import { showLine } from '../editor/showLine';
import type { Compatibility } from '../model/compat';
import type { SnapshotDiff } from '../model/diff';
import type { LeakReport } from '../model/leaks';
import { loadSnapshotFile, SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import type { MemModel } from '../model/types';
import * as notify from '../notify/notify';
import type { CompareData, FromPanel, LeaksData, LiveProcessData, PanelData, PanelTab, ToPanel } from '../protocol/panel';
import { PANEL_TABS } from '../protocol/panel';
import { compareData } from './compareData';
import { panelHtml } from './html';
import { leaksData } from './leaksData';
import { liveProcessData, type LiveRead } from './liveProcess';
import { panelData } from './panelData';

/** The panel's view type. */
export const PANEL_VIEW_TYPE = 'memlens.memoryPanel';

/** The sentence shown (and posted) when there are no results. */
export const NO_RESULTS = 'No results: profile a program (MemLens: Profile Memory) or open a snapshot file.';

/** The `workspaceState` key of what the panel showed, for after a window reload. */
export const PANEL_STATE_KEY = 'memlens.panel.content';

/** What the panel showed, as kept in `workspaceState`. */
export type PanelContent =
  | { kind: 'snapshot'; snapshotPath: string; script?: string; outcome?: string }
  | { kind: 'process'; pid: number };

/** What the extension-host tests read back: the panel's messages, both ways, and what it showed. */
export interface PanelProbe {
  readonly open: boolean;
  /** Types of the messages posted to the panel, oldest first. */
  readonly posted: readonly ToPanel['type'][];
  /** Messages received from the panel, oldest first. */
  readonly received: readonly FromPanel[];
  /** The data of the last `show` posted. */
  readonly lastShown: PanelData | undefined;
  /** The last process inspected, as posted. */
  readonly lastProcess: LiveProcessData | undefined;
  /** The last comparison posted (its `lines[0]` is the Compare tab's top row). */
  readonly lastComparison: CompareData | undefined;
  readonly lastLeaks: LeaksData | undefined;
  /** The tab the panel last said it shows. */
  readonly selectedTab: PanelTab | undefined;
  readonly onDidReceive: vscode.Event<FromPanel>;
}

export class MemoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private cache: { model: MemModel; snapshotPath: string; outcome?: string; data: PanelData } | undefined;
  /** A running process shown instead of the results, until the results change. */
  private live: LiveProcessData | undefined;
  private comparison: CompareData | undefined;
  private leaks: LeaksData | undefined;
  /** A tab to switch to once the panel can hear it. */
  private pendingTab: PanelTab | undefined;
  /** Why the results are missing after a reload whose snapshot could not be read. */
  private restoreFailure: string | undefined;
  private restoring: Promise<void> | undefined;
  private readonly posted: ToPanel['type'][] = [];
  private readonly received: FromPanel[] = [];
  private lastShown: PanelData | undefined;
  private selectedTab: PanelTab | undefined;
  private readonly receivedEmitter = new vscode.EventEmitter<FromPanel>();
  private readonly subscriptions: vscode.Disposable[];

  /**
   * @param readProcess reads a running process's maps, name and command line
   *   (`src/process/readLive.ts`), for Refresh and for a process shown again after a reload. It
   *   comes in from the extension: `MemLens: Inspect Process Memory…` sits above the panel.
   */
  constructor(
    private readonly ctx: Ctx,
    private readonly readProcess: (pid: number) => Promise<LiveRead>,
  ) {
    this.subscriptions = [
      ctx.onDidChange(() => this.resultsChanged()),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, { deserializeWebviewPanel: (panel) => this.restore(panel) }),
    ];
  }

  /** Test access to the traffic. */
  get probe(): PanelProbe {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get open() {
        return self.panel !== undefined;
      },
      posted: this.posted,
      received: this.received,
      get lastShown() {
        return self.lastShown;
      },
      get lastProcess() {
        return self.live;
      },
      get lastComparison() {
        return self.comparison;
      },
      get lastLeaks() {
        return self.leaks;
      },
      get selectedTab() {
        return self.selectedTab;
      },
      onDidReceive: this.receivedEmitter.event,
    };
  }

  /** Opens the panel beside the editor (or reveals it); false when it has nothing to show. */
  open(): boolean {
    if (!this.ctx.model && !this.live && !this.comparison && !this.leaks) {
      void notify.info(`MemLens: ${NO_RESULTS}`);
      return false;
    }
    this.reveal();
    return true;
  }

  /** Shows a comparison in the Compare tab (opening or revealing the panel) and switches to it. */
  showComparison(diff: SnapshotDiff, compat: Compatibility): void {
    this.comparison = compareData(diff, compat, { displayPath });
    this.post({ type: 'compare', data: this.comparison });
    this.reveal('compare');
  }

  /** Shows a leak search in the Leaks tab (opening or revealing the panel) and switches to it. */
  showLeaks(report: LeakReport): void {
    this.leaks = leaksData(report, { displayPath });
    this.post({ type: 'leaks', data: this.leaks });
    this.reveal('leaks');
  }

  /** Shows a running process's memory maps in the Process tab, in place of the results. */
  showProcess(data: LiveProcessData): void {
    this.live = data;
    this.persist();
    this.postCurrent();
    this.reveal('process');
  }

  /** Creates the panel beside the editor, or reveals it; then switches to `tab` if given. */
  private reveal(tab?: PanelTab): void {
    if (tab) this.pendingTab = tab;
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.flushTab();
      return;
    }
    // Computed now, so the tab has its title from the start; posted when the panel is ready.
    this.currentData();
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      this.title(),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        enableFindWidget: true,
        // The panel re-posts everything on `ready`, so a hidden panel need not stay in memory.
        retainContextWhenHidden: false,
        localResourceRoots: [this.webviewRoot()],
      },
    );
    this.adopt(panel);
  }

  private webviewRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'out', 'webview');
  }

  /** Gives `panel` (new, or restored by VS Code) its page and listeners. */
  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    const root = this.webviewRoot();
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [root] };
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      script: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      style: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      codicons: webview.asWebviewUri(vscode.Uri.joinPath(root, 'codicon.css')).toString(),
    });
    this.panelDisposables.push(
      webview.onDidReceiveMessage((msg: FromPanel) => this.receive(msg)),
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
  }

  /**
   * VS Code gives the panel back after a window reload: the results come back from the snapshot
   * file it showed (unless a model is already loaded), with their annotations, or the process is
   * read again. Resolves when the content is ready.
   */
  private async restore(panel: vscode.WebviewPanel): Promise<void> {
    // One panel at a time: one opened before VS Code restored this one stays.
    if (this.panel) {
      panel.dispose();
      return;
    }
    this.adopt(panel);
    const saved = this.ctx.extension.workspaceState.get<PanelContent>(PANEL_STATE_KEY);
    this.restoring = this.load(saved);
    await this.restoring;
    this.restoring = undefined;
    this.postCurrent();
  }

  private async load(saved: PanelContent | undefined): Promise<void> {
    if (this.ctx.model || saved === undefined) return;
    if (saved.kind === 'process') {
      this.live = liveProcessData(await this.readProcess(saved.pid));
      return;
    }
    const path = saved.snapshotPath;
    try {
      const read = isAbsolute(path)
        ? undefined
        : async (p: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(p)));
      const doc = await loadSnapshotFile(path, read);
      this.ctx.setModel(buildModel(doc), { snapshotPath: path, script: saved.script, outcome: saved.outcome });
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      this.restoreFailure = `The snapshot this panel showed before the window was reloaded cannot be shown again. ${err.message}`;
      this.ctx.log.warn(`memory panel: ${this.restoreFailure}`);
    }
  }

  private title(): string {
    if (this.live) return `MemLens: ${this.live.name || 'process'} (${this.live.pid})`;
    const name = this.cache?.data.program.name;
    return name ? `MemLens: ${name}` : 'MemLens: Memory';
  }

  /** Handles a message from the panel. Anything else than the protocol's messages is ignored. */
  private receive(msg: FromPanel): void {
    if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string') return;
    this.received.push(msg);
    this.receivedEmitter.fire(msg);
    switch (msg.type) {
      case 'ready':
        if (this.restoring) void this.restoring.then(() => this.postAll());
        else this.postAll();
        return;
      case 'openLine':
        if (typeof msg.file === 'string' && Number.isInteger(msg.line)) void this.openLine(msg.file, msg.line);
        return;
      case 'refreshProcess':
        if (this.live) void this.refreshProcess(this.live.pid);
        return;
      case 'selected':
        if ((PANEL_TABS as readonly string[]).includes(msg.tab)) this.selectedTab = msg.tab;
        return;
      case 'problem':
        this.ctx.log.warn(`memory panel: ${String(msg.message)}`);
        return;
      default: {
        const never: never = msg;
        this.ctx.log.warn(`memory panel: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private async refreshProcess(pid: number): Promise<void> {
    const data = liveProcessData(await this.readProcess(pid));
    // The results may have replaced the process meanwhile.
    if (this.live?.pid === pid) this.showProcess(data);
  }

  /** Opens the line in an editor group other than the panel's, so the panel stays in view. */
  private async openLine(file: string, line: number): Promise<void> {
    const own = this.panel?.viewColumn;
    const other = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined && e.viewColumn !== own)?.viewColumn;
    const column = other ?? (own === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One);
    await showLine(this.ctx, { file, line }, column);
  }

  private resultsChanged(): void {
    const model = this.ctx.model;
    // Edits and the exit/peak toggle fire too; the panel shows the run, which did not change.
    if (model && this.cache?.model === model && this.cache.snapshotPath === this.ctx.source?.snapshotPath
      && this.cache.outcome === this.ctx.source?.outcome) return;
    // New results replace an inspected process; their absence does not.
    if (model) {
      this.live = undefined;
      this.restoreFailure = undefined;
    } else if (this.live) {
      return;
    }
    this.persist();
    if (this.panel) this.postCurrent();
  }

  /** Everything the panel shows, for a panel that has just (re)loaded. */
  private postAll(): void {
    this.postCurrent();
    if (this.comparison) this.post({ type: 'compare', data: this.comparison });
    if (this.leaks) this.post({ type: 'leaks', data: this.leaks });
    this.flushTab();
  }

  /** The results, the process, or why there is neither. */
  private postCurrent(): void {
    const data = this.live ? undefined : this.currentData();
    if (this.panel) this.panel.title = this.title();
    if (this.live) this.post({ type: 'process', data: this.live });
    else if (data) this.post({ type: 'show', data });
    else this.post({ type: 'clear', reason: this.restoreFailure ?? NO_RESULTS });
  }

  private flushTab(): void {
    const tab = this.pendingTab;
    if (!tab || !this.panel) return;
    // Delivered only to a live page; a page still loading hears it after its `ready`.
    void this.panel.webview.postMessage({ type: 'select', tab } satisfies ToPanel).then((delivered) => {
      if (delivered && this.pendingTab === tab) this.pendingTab = undefined;
    });
    this.posted.push('select');
  }

  /** Keeps what the panel shows in `workspaceState`, for after a window reload. */
  private persist(): void {
    const source = this.ctx.source;
    const content: PanelContent | undefined = this.live
      ? { kind: 'process', pid: this.live.pid }
      : this.ctx.model && source
        ? { kind: 'snapshot', snapshotPath: source.snapshotPath, script: source.script, outcome: source.outcome }
        : undefined;
    void this.ctx.extension.workspaceState.update(PANEL_STATE_KEY, content);
  }

  /** The panel's data for the current model, computed once per model. */
  private currentData(): PanelData | undefined {
    const model = this.ctx.model;
    const source = this.ctx.source;
    if (!model || !source) {
      this.cache = undefined;
      return undefined;
    }
    if (this.cache?.model !== model || this.cache.snapshotPath !== source.snapshotPath || this.cache.outcome !== source.outcome) {
      const data = panelData(model, {
        source: { snapshotPath: source.snapshotPath, script: source.script, outcome: source.outcome },
        displayPath,
      });
      this.cache = { model, snapshotPath: source.snapshotPath, outcome: source.outcome, data };
    }
    return this.cache.data;
  }

  private post(msg: ToPanel): void {
    if (!this.panel) return;
    this.posted.push(msg.type);
    if (msg.type === 'show') this.lastShown = msg.data;
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.panel?.dispose();
    this.receivedEmitter.dispose();
  }
}
