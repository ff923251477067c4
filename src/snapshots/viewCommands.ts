/**
 * The Snapshots view's commands on what it lists: Refresh, Rename, Delete (only the files MemLens
 * wrote, after saying which), Reveal in the file manager, and Export as JSON or CSV. Each returns
 * what it did, so tests can follow it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { snapshotToCsv, snapshotToJson } from '../model/export';
import * as notify from '../notify/notify';
import { refuse, saveDialog } from './commandSupport';
import { snapshotName, type DeletionTarget, type SnapshotStore } from './store';
import type { SnapshotNode, SnapshotsView } from './view';

/** What Delete did: the files removed, and a sentence on what stayed. */
export type DeleteOutcome = { ok: true; message: string; removed: string[] } | { ok: false; message: string };

export class SnapshotViewCommands {
  constructor(
    private readonly ctx: Ctx,
    private readonly store: SnapshotStore,
    private readonly view: SnapshotsView,
  ) {}

  /** The command table entries this module owns. */
  table(): Record<string, (...args: any[]) => unknown> {
    return {
      'memlens.refreshSnapshots': () => this.view.refresh(),
      'memlens.renameSnapshot': (node?: SnapshotNode, label?: string) => this.rename(node, label),
      'memlens.deleteSnapshot': (node?: SnapshotNode, selected?: SnapshotNode[]) => this.delete(node, selected),
      'memlens.revealSnapshot': (node?: SnapshotNode) => this.reveal(node),
      'memlens.exportSnapshot': (node?: SnapshotNode, target?: vscode.Uri) => this.exportSnapshot(node, target),
    };
  }

  private async rename(node?: SnapshotNode, label?: string): Promise<boolean> {
    if (node?.kind !== 'snapshot') return false;
    label ??= await vscode.window.showInputBox({
      title: 'MemLens: Rename Snapshot',
      prompt: 'The snapshot\'s label (empty removes it)',
      value: node.snapshot.label ?? '',
    });
    if (label === undefined) return false;
    try {
      await this.store.rename(node.snapshot.path, label);
    } catch (err) {
      void notify.error(`MemLens: could not rename ${node.snapshot.path}: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
    this.view.refresh();
    return true;
  }

  /**
   * Deletes the selected runs and snapshots after saying exactly which files go: only those
   * MemLens wrote, and a run's folder only once nothing else is left in it.
   */
  private async delete(node?: SnapshotNode, selected?: SnapshotNode[]): Promise<DeleteOutcome> {
    const nodes = selected && selected.length > 0 ? selected : node ? [node] : [];
    if (nodes.length === 0) return { ok: false, message: 'cancelled' };
    const plan = await this.store.planDeletion(nodes.map((n): DeletionTarget =>
      n.kind === 'run' ? { kind: 'run', dir: n.run.dir } : { kind: 'file', file: n.kind === 'snapshot' ? n.snapshot.path : n.problem.path }));
    const stays = plan.refused.map((r) => `${r.path} stays: ${r.reason}.`);
    if (plan.files.length === 0) {
      return refuse(this.ctx, `MemLens: nothing to delete. ${stays.join(' ') || 'The files are gone already.'}`);
    }
    const what = nodes.length === 1 ? describeNode(nodes[0]) : `${nodes.length} items`;
    const count = `${plan.files.length} file${plan.files.length === 1 ? '' : 's'}`;
    const detail = [
      `These ${count} MemLens wrote are removed:`,
      ...plan.files,
      ...(plan.folders.length > 0
        ? [`Then the folder${plan.folders.length === 1 ? '' : 's'} ${plan.folders.join(', ')}, only if nothing else is left in ${plan.folders.length === 1 ? 'it' : 'them'}: other files stay.`]
        : []),
      ...stays,
      'This cannot be undone.',
    ].join('\n');
    const pick = await notify.askModal(`Delete ${what}?`, detail, 'Delete');
    if (pick !== 'Delete') return { ok: false, message: 'cancelled' };
    const done = await this.store.delete(plan);
    this.view.refresh();
    const kept = done.kept.map((k) =>
      ` The folder ${k.dir} stays: it also holds ${k.holds.length === 1 ? 'a file' : 'files'} MemLens did not write (${listNames(k.holds)}).`);
    const message = `MemLens: deleted ${done.removed.length} file${done.removed.length === 1 ? '' : 's'}.${kept.join('')}`;
    this.ctx.log.info(message);
    if (kept.length > 0) void notify.info(message);
    return { ok: true, message, removed: done.removed };
  }

  private async reveal(node?: SnapshotNode): Promise<void> {
    if (!node) return;
    const target = node.kind === 'run' ? node.run.dir : node.kind === 'snapshot' ? node.snapshot.path : node.problem.path;
    await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(target));
  }

  /** Exports a snapshot as JSON or CSV (by the file name's extension); false when cancelled. */
  private async exportSnapshot(node?: SnapshotNode, target?: vscode.Uri): Promise<boolean> {
    if (node?.kind !== 'snapshot') return false;
    const doc = await this.store.read(node.snapshot.path);
    const name = snapshotName(node.snapshot).replace(/[^\w.-]+/g, '-');
    target ??= await saveDialog('MemLens: Export Snapshot', `${node.snapshot.program}-${name}`);
    if (!target) return false;
    const text = target.fsPath.toLowerCase().endsWith('.csv') ? snapshotToCsv(doc) : snapshotToJson(doc);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void notify.info(`MemLens: exported to ${target.fsPath}.`);
    return true;
  }

}

function describeNode(n: SnapshotNode): string {
  if (n.kind === 'run') return `the run ${n.run.name}`;
  if (n.kind === 'snapshot') return `the snapshot ${snapshotName(n.snapshot)} (${path.basename(n.snapshot.path)})`;
  return path.basename(n.problem.path);
}

/** `a, b and c`; at most five names, then how many more. */
function listNames(names: string[]): string {
  const shown = names.length > 5 ? [...names.slice(0, 5), `${names.length - 5} more`] : names;
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
