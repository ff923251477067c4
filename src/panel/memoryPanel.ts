/**
 * `MemLens: Open Memory Panel`: the webview beside the editor that explains a run's memory as a
 * whole. This host owns the `WebviewPanel` (one at a time), computes `PanelData` from the current
 * model once per model, posts it when the panel says `ready` (VS Code reloads a hidden webview, so
 * that is also how state comes back) and whenever the results change, and answers the panel's
 * requests (`openLine` opens the editor at that line, beside the panel).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { displayPath } from '../editor/paths';
import { showLine } from '../editor/showLine';
import type { MemModel } from '../model/types';
import type { FromPanel, PanelData, ToPanel } from '../protocol/panel';
import { panelHtml } from './html';
import { panelData } from './panelData';

/** The panel's view type. */
export const PANEL_VIEW_TYPE = 'memlens.memoryPanel';

/** The sentence shown (and posted) when there are no results. */
export const NO_RESULTS = 'No results: profile a program (MemLens: Profile Memory) or open a snapshot file.';

/** What the extension-host tests read back: the panel's messages, both ways. */
export interface PanelProbe {
  readonly open: boolean;
  /** Types of the messages posted to the panel, oldest first. */
  readonly posted: readonly ToPanel['type'][];
  /** Messages received from the panel, oldest first. */
  readonly received: readonly FromPanel[];
  /** The data of the last `show` posted. */
  readonly lastShown: PanelData | undefined;
  readonly onDidReceive: vscode.Event<FromPanel>;
}

export class MemoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private cache: { model: MemModel; snapshotPath: string; outcome?: string; data: PanelData } | undefined;
  private readonly posted: ToPanel['type'][] = [];
  private readonly received: FromPanel[] = [];
  private lastShown: PanelData | undefined;
  private readonly receivedEmitter = new vscode.EventEmitter<FromPanel>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.subscription = ctx.onDidChange(() => this.resultsChanged());
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
      onDidReceive: this.receivedEmitter.event,
    };
  }

  /** Opens the panel beside the editor (or reveals it); false when there are no results. */
  open(): boolean {
    if (!this.ctx.model) {
      void vscode.window.showInformationMessage(`MemLens: ${NO_RESULTS}`);
      return false;
    }
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return true;
    }
    // Computed now, so the tab has its title from the start; posted when the panel is ready.
    this.currentData();
    const root = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'out', 'webview');
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      this.title(),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        enableFindWidget: true,
        // The panel re-posts everything on `ready`, so a hidden panel need not stay in memory.
        retainContextWhenHidden: false,
        localResourceRoots: [root],
      },
    );
    this.panel = panel;
    const webview = panel.webview;
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
    return true;
  }

  private title(): string {
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
        this.postCurrent();
        return;
      case 'openLine':
        if (typeof msg.file === 'string' && Number.isInteger(msg.line)) void this.openLine(msg.file, msg.line);
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

  /** Opens the line in an editor group other than the panel's, so the panel stays in view. */
  private async openLine(file: string, line: number): Promise<void> {
    const own = this.panel?.viewColumn;
    const other = vscode.window.visibleTextEditors.find((e) => e.viewColumn !== undefined && e.viewColumn !== own)?.viewColumn;
    const column = other ?? (own === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One);
    await showLine(this.ctx, { file, line }, column);
  }

  private resultsChanged(): void {
    if (!this.panel) return;
    const model = this.ctx.model;
    // Edits and the exit/peak toggle fire too; the panel shows the run, which did not change.
    if (model && this.cache?.model === model && this.cache.snapshotPath === this.ctx.source?.snapshotPath
      && this.cache.outcome === this.ctx.source?.outcome) return;
    this.postCurrent();
  }

  private postCurrent(): void {
    const data = this.currentData();
    if (data) {
      if (this.panel) this.panel.title = this.title();
      this.post({ type: 'show', data });
    } else {
      this.post({ type: 'clear', reason: NO_RESULTS });
    }
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
    this.subscription.dispose();
    this.panel?.dispose();
    this.receivedEmitter.dispose();
  }
}
