/**
 * MemLens's entry point: builds the `Ctx`, registers the views (decorations, CodeLens, hover, the
 * memory panel) and one command table, and returns an API object with the state the VS Code API
 * cannot read back (the drawn annotations, the current model, the run in progress, the panel's
 * messages), which the extension-host tests use.
 */
import * as vscode from 'vscode';
import * as config from './config';
import { Ctx, type ResultSource } from './ctx';
import { MemCodeLensProvider } from './editor/codeLens';
import { Decorations, type DrawnAnnotation } from './editor/decorations';
import { EditTracker } from './editor/editTracker';
import { MemHoverProvider } from './editor/hover';
import { hottestLineItems, showHottestLines, type HottestLineItem } from './editor/hottestLines';
import { ModelPaths } from './editor/paths';
import { showLine, type ShowLineArgs } from './editor/showLine';
import type { Comparison } from './model/comparison';
import { loadSnapshotFile, SnapshotError } from './model/load';
import { buildModel } from './model/model';
import type { MemModel, View } from './model/types';
import * as notify from './notify/notify';
import { MemoryPanel, type PanelProbe } from './panel/memoryPanel';
import { inspectProcessCommand } from './process/inspect';
import { readLiveProcess } from './process/readLive';
import { profileCommand, type ProfileOptions } from './session/profile';
import { openTracemallocSnapshot, type ImportCommandOptions } from './session/openTracemallocDump';
import { CompareCommands } from './snapshots/compareCommands';
import { FindLeaksCommand } from './snapshots/leaksCommand';
import { runsFolders } from './snapshots/location';
import { SnapshotStore, type RunFolder } from './snapshots/store';
import { TakeSnapshotCommand } from './snapshots/takeSnapshot';
import { SNAPSHOTS_VIEW, SnapshotsView } from './snapshots/view';
import { SnapshotViewCommands } from './snapshots/viewCommands';
import type { TerminalRun } from './terminal/terminalRun';

/** What `activate` returns. */
export interface MemLensApi {
  readonly model: MemModel | undefined;
  readonly source: ResultSource | undefined;
  /** The two snapshots compared, while the editor shows growth. */
  readonly comparison: Comparison | undefined;
  readonly view: View;
  /** The run in progress, with its terminal and live figures. */
  readonly run: TerminalRun | undefined;
  /** The annotations drawn on a document now. */
  annotations(uri: vscode.Uri): DrawnAnnotation[];
  /** The items `MemLens: Show Hottest Lines` would offer now. */
  hottestLineItems(): Promise<HottestLineItem[]>;
  readonly onDidChange: vscode.Event<void>;
  readonly onDidChangeRun: vscode.Event<void>;
  /** The runs and snapshots the Snapshots view lists. */
  listSnapshots(): Promise<RunFolder[]>;
  /** The memory panel's traffic: what was posted to it and what it said. */
  readonly panel: PanelProbe;
}

export function activate(context: vscode.ExtensionContext): MemLensApi {
  const paths = new ModelPaths();
  const lines = new EditTracker(paths);
  const ctx = new Ctx(context, paths, lines);
  const decorations = new Decorations(ctx);
  const lenses = new MemCodeLensProvider(ctx);
  const panel = new MemoryPanel(ctx, readLiveProcess);
  const store = new SnapshotStore(() => runsFolders(context));
  const snapshots = new SnapshotsView(store, () => ctx.run?.runDir);
  const selector: vscode.DocumentSelector = { scheme: 'file' };
  ctx.subscriptions.push(
    lines,
    decorations,
    lenses,
    panel,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerHoverProvider(selector, new MemHoverProvider(ctx)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('memlens.annotations.view')) ctx.setView(config.annotationView());
      if (config.affectsViews(e)) ctx.refresh();
      if (e.affectsConfiguration('memlens.snapshots.folder')) snapshots.refresh();
    }),
    snapshots,
    vscode.window.createTreeView(SNAPSHOTS_VIEW, { treeDataProvider: snapshots, canSelectMany: true, showCollapseAll: true }),
    followRunSnapshots(ctx, snapshots),
  );
  const table = {
    ...commands(ctx, panel),
    ...new TakeSnapshotCommand(ctx, store).table(),
    ...new CompareCommands(ctx, store, panel).table(),
    ...new FindLeaksCommand(ctx, store, panel).table(),
    ...new SnapshotViewCommands(ctx, store, snapshots).table(),
  };
  for (const [id, handler] of Object.entries(table)) {
    ctx.subscriptions.push(vscode.commands.registerCommand(id, notify.unlinkedErrors(handler)));
  }
  context.subscriptions.push(ctx);

  return {
    get model() {
      return ctx.model;
    },
    get source() {
      return ctx.source;
    },
    get comparison() {
      return ctx.comparison;
    },
    get view() {
      return ctx.view;
    },
    get run() {
      return ctx.run;
    },
    annotations: (uri) => decorations.annotations(uri),
    hottestLineItems: () => hottestLineItems(ctx),
    listSnapshots: () => store.runs(),
    onDidChange: ctx.onDidChange,
    onDidChangeRun: ctx.onDidChangeRun,
    panel: panel.probe,
  };
}

/** Refreshes the Snapshots view when a run starts or ends and whenever its helper writes a snapshot. */
function followRunSnapshots(ctx: Ctx, view: SnapshotsView): vscode.Disposable {
  let current: vscode.Disposable | undefined;
  const runChanged = ctx.onDidChangeRun(() => {
    current?.dispose();
    current = ctx.run?.snapshots.onDidChange((e) => {
      if (e.path) view.refresh();
    });
    view.refresh();
  });
  return { dispose: () => (current?.dispose(), runChanged.dispose()) };
}

/** Nothing to do: `Ctx` is disposed with the extension's subscriptions. */
export function deactivate(): void {}

/** The command table: every `memlens.*` command and its handler. */
function commands(ctx: Ctx, panel: MemoryPanel): Record<string, (...args: any[]) => unknown> {
  return {
    'memlens.profile': (uri?: vscode.Uri, _selected?: unknown, options?: ProfileOptions) => profileCommand(ctx, uri, options),
    'memlens.stop': async () => {
      if (!ctx.run) {
        void notify.info('MemLens: nothing is being profiled.');
        return false;
      }
      await ctx.run.stop();
      return true;
    },
    'memlens.showHottestLines': () => showHottestLines(ctx),
    'memlens.clearAnnotations': () => ctx.clear(),
    'memlens.toggleView': () => {
      const view: View = ctx.view === 'exit' ? 'peak' : 'exit';
      ctx.setView(view);
      vscode.window.setStatusBarMessage(`MemLens: annotations show memory ${view === 'exit' ? 'live at exit' : 'at the traced peak'}`, 4000);
      return view;
    },
    'memlens.openSnapshot': (uri?: vscode.Uri) => openSnapshot(ctx, uri),
    'memlens.openTracemallocSnapshot': (uri?: vscode.Uri, _selected?: unknown, options?: ImportCommandOptions) =>
      openTracemallocSnapshot(ctx, uri, options),
    'memlens.openPanel': () => panel.open(),
    'memlens.inspectProcess': (pid?: number) => inspectProcessCommand(panel, typeof pid === 'number' ? pid : undefined),
    'memlens.showLine': async (args?: ShowLineArgs) => {
      const editor = await showLine(ctx, args);
      return editor ? editor.selection.active.line + 1 : undefined;
    },
  };
}

/** `MemLens: Open Snapshot File…`: loads a snapshot JSON and shows it. */
async function openSnapshot(ctx: Ctx, uri?: vscode.Uri): Promise<{ ok: boolean; message: string }> {
  if (!(uri instanceof vscode.Uri)) {
    const picked = await vscode.window.showOpenDialog({
      title: 'MemLens: Open Snapshot File',
      canSelectMany: false,
      filters: { 'MemLens snapshot': ['json'] },
    });
    if (!picked || picked.length === 0) return { ok: false, message: 'cancelled' };
    uri = picked[0];
  }
  const source = uri.scheme === 'file' ? uri.fsPath : uri.toString();
  try {
    const doc = await loadSnapshotFile(source, async () => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri!)));
    ctx.setModel(buildModel(doc), { snapshotPath: source });
    const message = `MemLens: showing ${source}.`;
    ctx.log.info(message);
    return { ok: true, message };
  } catch (err) {
    if (!(err instanceof SnapshotError)) throw err;
    void notify.error(`MemLens: ${err.message}`);
    ctx.log.error(err.message);
    return { ok: false, message: err.message };
  }
}
