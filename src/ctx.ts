/**
 * The extension's state and its owner: the current model and where it came from, the view the
 * annotations show (exit or peak), the run in progress, the context keys that gate the palette
 * (`memlens.running`, `memlens.hasResults`), and every disposable of the extension's lifetime.
 * Views never keep their own copy of the model: they read it here and redraw on `onDidChange`.
 */
import * as vscode from 'vscode';
import * as config from './config';
import { EditTracker } from './editor/editTracker';
import type { Comparison } from './model/comparison';
import type { MemModel, View } from './model/types';
import type { TerminalRun } from './terminal/terminalRun';

/** Where the shown results came from, and what the user was told about how the run ended. */
export interface ResultSource {
  /** The snapshot file the model was loaded from. */
  snapshotPath: string;
  /** The profiled script, when the results come from a run. */
  script?: string;
  /** The sentence shown about the run's end (exception, exit status, stop), if any. */
  outcome?: string;
}

export class Ctx implements vscode.Disposable {
  /** Disposables of the extension's lifetime, disposed on deactivation. */
  readonly subscriptions: vscode.Disposable[] = [];
  /** The "MemLens" output channel: run details and errors with their full text. */
  readonly log: vscode.LogOutputChannel;
  /** Moves annotations with edits made after the run, and marks edited lines stale. */
  readonly lines: EditTracker;

  private currentModel: MemModel | undefined;
  private currentSource: ResultSource | undefined;
  private currentComparison: Comparison | undefined;
  private currentView: View;
  private currentRun: TerminalRun | undefined;
  /** The terminal of the last run, kept open for its output until the next run replaces it. */
  private lastTerminal: vscode.Terminal | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly runChanged = new vscode.EventEmitter<void>();

  /** Fires when the model, the view or the annotated lines' positions change. */
  readonly onDidChange = this.changed.event;
  /** Fires when a run starts or ends. */
  readonly onDidChangeRun = this.runChanged.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('MemLens', { log: true });
    this.currentView = config.annotationView();
    this.lines = new EditTracker(() => this.changed.fire());
    this.subscriptions.push(this.log, this.changed, this.runChanged, this.lines);
    void this.setContextKeys();
  }

  get model(): MemModel | undefined {
    return this.currentModel;
  }

  get source(): ResultSource | undefined {
    return this.currentSource;
  }

  /**
   * Two snapshots compared, when the editor shows growth rather than sizes; `model` is then the
   * later snapshot's.
   */
  get comparison(): Comparison | undefined {
    return this.currentComparison;
  }

  get view(): View {
    return this.currentView;
  }

  /** The run in progress, with its terminal and live figures. */
  get run(): TerminalRun | undefined {
    return this.currentRun;
  }

  /** The terminal of the last run (ended or not), which the next run closes. */
  get lastRunTerminal(): vscode.Terminal | undefined {
    return this.lastTerminal;
  }

  /** Shows `model` in every view, replacing what was shown; line tracking starts afresh. */
  setModel(model: MemModel, source: ResultSource): void {
    this.currentModel = model;
    this.currentSource = source;
    this.currentComparison = undefined;
    this.lines.reset(model, [], this.currentRun !== undefined);
    void this.setContextKeys();
    this.changed.fire();
  }

  /** Shows the growth from one snapshot to a later one, whose model becomes the current one. */
  setComparison(after: MemModel, source: ResultSource, comparison: Comparison): void {
    this.currentModel = after;
    this.currentSource = source;
    this.currentComparison = comparison;
    this.lines.reset(after, comparison.lineKeys(), this.currentRun !== undefined);
    void this.setContextKeys();
    this.changed.fire();
  }

  /**
   * Back from a comparison to the later snapshot's own figures. The lines stay where edits made
   * since moved them: the trackers already follow every line of that snapshot.
   */
  clearComparison(): void {
    if (!this.currentComparison) return;
    this.currentComparison = undefined;
    void this.setContextKeys();
    this.changed.fire();
  }

  /** Removes the results from every view. */
  clear(): void {
    this.currentModel = undefined;
    this.currentSource = undefined;
    this.currentComparison = undefined;
    this.lines.reset(undefined);
    void this.setContextKeys();
    this.changed.fire();
  }

  setView(view: View): void {
    if (view !== this.currentView) {
      this.currentView = view;
      this.changed.fire();
    }
  }

  /** Records the run in progress (or its end, with `undefined`). */
  setRun(run: TerminalRun | undefined): void {
    this.currentRun = run;
    if (run) this.lastTerminal = run.terminal;
    void this.setContextKeys();
    this.runChanged.fire();
  }

  /** Redraws every view (after a settings change). */
  refresh(): void {
    this.changed.fire();
  }

  private async setContextKeys(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'memlens.running', this.currentRun !== undefined);
    await vscode.commands.executeCommand('setContext', 'memlens.hasResults', this.currentModel !== undefined);
    await vscode.commands.executeCommand('setContext', 'memlens.comparing', this.currentComparison !== undefined);
  }

  dispose(): void {
    void this.currentRun?.stop();
    for (const d of this.subscriptions.splice(0).reverse()) {
      d.dispose();
    }
  }
}
