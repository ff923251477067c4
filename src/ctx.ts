/**
 * The extension's state and its owner: the current model and where it came from, the view the
 * annotations show (exit or peak), the run in progress, the context keys that gate the palette
 * (`memlens.running`, `memlens.hasResults`), and every disposable of the extension's lifetime.
 * Views never keep their own copy of the model: they read it here and redraw on `onDidChange`.
 * How a document maps to the model (its file, and where the run's lines are after edits) comes
 * from objects the extension makes and hands in (`DocumentPaths`, `LineFollower`): they listen to
 * the editor, a layer above this one.
 */
import * as vscode from 'vscode';
import * as config from './config';
import type { Comparison } from './model/comparison';
import type { MemModel, View } from './model/types';
import type { TerminalRun } from './terminal/terminalRun';

/**
 * Where the shown results came from, and what the user was told about how the run ended: it comes
 * in with the model (`setModel`) and never changes after, so every view that redraws on
 * `onDidChange` sees all of it.
 */
export interface ResultSource {
  /** The snapshot file the model was loaded from. */
  readonly snapshotPath: string;
  /** The profiled script, when the results come from a run. */
  readonly script?: string;
  /** The sentence shown about the run's end (exception, exit status, stop), if any. */
  readonly outcome?: string;
}

/** Where a line of the run is now. */
export interface LinePosition {
  /** 1-based line in the document as it is now. */
  line: number;
  /** The line's text was changed since the run. */
  stale: boolean;
}

/**
 * Follows the lines of the shown results through the edits made since the run
 * (`editor/editTracker.ts`): `Ctx` starts it afresh with every model, views ask it where a line
 * of the run is now.
 */
export interface LineFollower {
  /** Records the edits made from now on, for the results of the run that starts. */
  beginRun(): void;
  /**
   * Starts over for a new model (or none); `extra` names more lines to follow, and `runGoesOn`
   * says the run that began goes on after these results.
   */
  reset(model: MemModel | undefined, extra?: Iterable<[file: string, line: number]>, runGoesOn?: boolean): void;
  /** Where line `runLine` (1-based) of `file` is now; undefined when it was deleted. */
  current(file: string, runLine: number): LinePosition | undefined;
  /** The line of the run now at `line` (1-based) of `file`, if a followed line is there. */
  runLine(file: string, line: number): number | undefined;
  /** Fires after an edit moved or staled a followed line. */
  readonly onDidMove: vscode.Event<void>;
}

/** How views find a document's file in the model (`editor/paths.ts`). */
export interface DocumentPaths {
  /** The model's key for a document: its real path on disk, as the helper writes paths. */
  modelPath(uri: vscode.Uri): string;
}

export class Ctx implements vscode.Disposable {
  /** Disposables of the extension's lifetime, disposed on deactivation. */
  readonly subscriptions: vscode.Disposable[] = [];
  /** The "MemLens" output channel: run details and errors with their full text. */
  readonly log: vscode.LogOutputChannel;

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

  /**
   * @param paths finds a document's file in the model.
   * @param lines moves annotations with the edits made after the run and marks edited lines stale.
   */
  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly paths: DocumentPaths,
    readonly lines: LineFollower,
  ) {
    this.log = vscode.window.createOutputChannel('MemLens', { log: true });
    this.currentView = config.annotationView();
    this.subscriptions.push(this.log, this.changed, this.runChanged, lines.onDidMove(() => this.changed.fire()));
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
