/**
 * The Snapshots view: the kept runs, newest first, each with its snapshots in the order they were
 * taken (label, time into the run, traced memory, writable memory). Clicking a snapshot shows it
 * in the editor; the context menu compares, renames, deletes, reveals and exports. Files that are
 * not readable snapshots are listed with the reason, so a broken file is visible, not silently
 * skipped. Refreshed when a run starts or ends, when the helper writes a snapshot, after every
 * change made from the view, and by its Refresh button.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, formatDuration, formatTracedBytes, LIGHT_MODE_TEXT, tracedPhrase } from '../model/format';
import { snapshotName, type RunFolder, type SnapshotInfo, type SnapshotProblem, type SnapshotStore } from './store';

/** The view's id in package.json. */
export const SNAPSHOTS_VIEW = 'memlens.snapshots';

export type SnapshotNode =
  | { kind: 'run'; run: RunFolder }
  | { kind: 'snapshot'; run: RunFolder; snapshot: SnapshotInfo }
  | { kind: 'problem'; run: RunFolder; problem: SnapshotProblem };

export class SnapshotsView implements vscode.TreeDataProvider<SnapshotNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SnapshotNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs: Promise<RunFolder[]> | undefined;

  /** `currentRunDir()` names the folder of the run in progress, shown as running. */
  constructor(
    private readonly store: SnapshotStore,
    private readonly currentRunDir: () => string | undefined,
  ) {}

  /** Lists the folders again. */
  refresh(): void {
    this.runs = undefined;
    this.changed.fire(undefined);
  }

  /** The runs as listed now (reading them if the view has not yet). */
  listed(): Promise<RunFolder[]> {
    this.runs ??= this.store.runs();
    return this.runs;
  }

  async getChildren(node?: SnapshotNode): Promise<SnapshotNode[]> {
    if (!node) return (await this.listed()).map((run) => ({ kind: 'run', run }));
    if (node.kind !== 'run') return [];
    return [
      ...node.run.snapshots.map((snapshot): SnapshotNode => ({ kind: 'snapshot', run: node.run, snapshot })),
      ...node.run.problems.map((problem): SnapshotNode => ({ kind: 'problem', run: node.run, problem })),
    ];
  }

  getTreeItem(node: SnapshotNode): vscode.TreeItem {
    switch (node.kind) {
      case 'run':
        return runItem(node.run, node.run.dir === this.currentRunDir());
      case 'snapshot':
        return snapshotItem(node.snapshot);
      case 'problem': {
        const item = new vscode.TreeItem(path.basename(node.problem.path), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.description = 'not a readable snapshot';
        item.tooltip = node.problem.error;
        item.contextValue = 'memlens.problem';
        item.resourceUri = vscode.Uri.file(node.problem.path);
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function runItem(run: RunFolder, running: boolean): vscode.TreeItem {
  const first = run.snapshots[0];
  const title = first?.program ?? run.name.replace(/^\d{8}-\d{6}-/, '');
  const item = new vscode.TreeItem(title, vscode.TreeItemCollapsibleState.Expanded);
  // The folder name starts with the run's local start time: YYYYMMDD-HHMMSS.
  const stamp = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(run.name);
  const when = stamp ? `${stamp[1]}-${stamp[2]}-${stamp[3]} ${stamp[4]}:${stamp[5]}:${stamp[6]}` : run.name;
  const count = `${run.snapshots.length} snapshot${run.snapshots.length === 1 ? '' : 's'}`;
  item.description = `${when} · ${count}${running ? ' · running' : ''}`;
  item.tooltip = `${run.dir}\n${count}${run.problems.length ? `, ${run.problems.length} unreadable` : ''}`;
  item.iconPath = new vscode.ThemeIcon(running ? 'pulse' : 'history');
  item.contextValue = run.snapshots.length >= 3 ? 'memlens.run.leaks' : 'memlens.run';
  item.id = `run:${run.dir}`;
  return item;
}

function snapshotItem(s: SnapshotInfo): vscode.TreeItem {
  const item = new vscode.TreeItem(snapshotName(s), vscode.TreeItemCollapsibleState.None);
  const writable = s.writable === null ? '' : ` · ${formatBytes(s.writable)} writable`;
  item.description = `${formatDuration(s.elapsed)} · ${tracedPhrase(s.traced, s.mode)}${writable}`;
  const md = new vscode.MarkdownString();
  md.appendText(`${snapshotName(s)} (${s.kind === 'exit' ? 'end of the run' : 'taken during the run'})\n\n`);
  md.appendText(`Taken ${new Date(s.time * 1000).toLocaleString()}, ${formatDuration(s.elapsed)} into ${s.program} (PID ${s.pid})\n\n`);
  md.appendText(`Traced: ${s.mode === 'light' ? LIGHT_MODE_TEXT : formatTracedBytes(s.traced, s.mode === 'fast')}\n\nWritable memory: ${s.writable === null ? 'not read' : formatBytes(s.writable)}\n\n${s.path}`);
  item.tooltip = md;
  item.iconPath = new vscode.ThemeIcon(s.kind === 'exit' ? 'debug-stop' : 'device-camera');
  item.contextValue = 'memlens.snapshot';
  item.resourceUri = vscode.Uri.file(s.path);
  item.id = `snapshot:${s.path}`;
  item.command = { command: 'memlens.openSnapshot', title: 'Show Snapshot', arguments: [vscode.Uri.file(s.path)] };
  return item;
}
