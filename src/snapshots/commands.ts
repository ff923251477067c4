/**
 * The snapshot commands: Take Snapshot (during a run), Compare Snapshots…, Find Leaks, End
 * Comparison, and the Snapshots view's own (show, compare with previous, rename, delete, reveal,
 * export). Each returns what it did, so tests and other extensions can follow it; every refusal
 * is also said to the user in a sentence.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { displayPath } from '../editor/paths';
import { Comparison } from '../model/comparison';
import { compareCompatibility } from '../model/compat';
import { diffSnapshots, largestGrowth } from '../model/diff';
import { diffToCsv, diffToJson, snapshotToCsv, snapshotToJson } from '../model/export';
import { formatBytes, formatDuration, formatSignedBytes } from '../model/format';
import { findLeaks, type LeakReport } from '../model/leaks';
import { SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import * as notify from '../notify/notify';
import type { MemoryPanel } from '../panel/memoryPanel';
import type { SnapshotOutcome } from '../terminal/runSnapshots';
import { snapshotName, type DeletionTarget, type RunFolder, type SnapshotInfo, type SnapshotStore } from './store';
import type { SnapshotNode, SnapshotsView } from './view';

/** What Compare Snapshots did. */
export type CompareOutcome =
  | { ok: true; before: string; after: string; warnings: string[]; message: string }
  | { ok: false; message: string };

/** What Delete did: the files removed, and a sentence on what stayed. */
export type DeleteOutcome = { ok: true; message: string; removed: string[] } | { ok: false; message: string };

/** What Find Leaks did. */
export type LeaksOutcome = { ok: boolean; message: string; report?: LeakReport };

export class SnapshotCommands {
  constructor(
    private readonly ctx: Ctx,
    private readonly store: SnapshotStore,
    private readonly view: SnapshotsView,
    private readonly panel: MemoryPanel,
  ) {}

  /** The command table entries this module owns. */
  table(): Record<string, (...args: any[]) => unknown> {
    return {
      'memlens.takeSnapshot': (args?: { label?: string }) => this.take(args?.label),
      // Files as two arguments, or as one array (what a keybinding's `args` can pass).
      'memlens.compareSnapshots': (before?: unknown, after?: unknown) => {
        const [b, a] = Array.isArray(before) ? before : [before, after];
        return this.compare(typeof b === 'string' ? b : undefined, typeof a === 'string' ? a : undefined);
      },
      'memlens.findLeaks': (target?: SnapshotNode | string[], selected?: SnapshotNode[]) => this.findLeaks(target, selected),
      'memlens.clearComparison': () => this.ctx.clearComparison(),
      'memlens.exportComparison': (target?: vscode.Uri) => this.exportComparison(target),
      'memlens.refreshSnapshots': () => this.view.refresh(),
      'memlens.compareWithPrevious': (node?: SnapshotNode) => this.compareWithPrevious(node),
      'memlens.compareSelected': (node?: SnapshotNode, selected?: SnapshotNode[]) => this.compareSelected(node, selected),
      'memlens.renameSnapshot': (node?: SnapshotNode, label?: string) => this.rename(node, label),
      'memlens.deleteSnapshot': (node?: SnapshotNode, selected?: SnapshotNode[]) => this.delete(node, selected),
      'memlens.revealSnapshot': (node?: SnapshotNode) => this.reveal(node),
      'memlens.exportSnapshot': (node?: SnapshotNode, target?: vscode.Uri) => this.exportSnapshot(node, target),
    };
  }

  /** `MemLens: Take Snapshot`: asks for an optional label, then for the snapshot. */
  async take(label?: string): Promise<SnapshotOutcome> {
    const run = this.ctx.run;
    if (!run) {
      const error = 'MemLens: no program is being profiled. Start one with MemLens: Profile Memory; a program can also ' +
        'mark snapshots itself with sys.audit("memlens.snapshot", "label").';
      void notify.info(error);
      return { ok: false, error };
    }
    if (label === undefined) {
      label = await vscode.window.showInputBox({
        title: 'MemLens: Take Snapshot',
        prompt: 'A label for the snapshot (optional): press Enter to take it',
        placeHolder: 'after loading the data',
      });
      if (label === undefined) return { ok: false, error: 'cancelled' };
    }
    label = label.trim();
    // The view refreshes itself on the helper's message (extension.ts, followRunSnapshots).
    const outcome = await notify.withProgress('MemLens: taking a snapshot (the program runs on)…', false, () =>
      run.snapshots.take(label || undefined),
    );
    if (!outcome.ok) {
      void notify.error(`MemLens: no snapshot was taken. ${outcome.error}`);
      return outcome;
    }
    const listed = (await this.store.run(path.dirname(outcome.path))).snapshots;
    const info = listed.find((s) => s.path === outcome.path);
    const name = info ? snapshotName(info) : path.basename(outcome.path);
    const figures = info ? `${formatBytes(info.traced)} traced, ${formatDuration(info.elapsed)} into the run` : '';
    const hasPrevious = listed.length >= 2;
    const actions = hasPrevious ? ['Compare with Previous', 'Show'] : ['Show'];
    void notify.info(`MemLens: snapshot ${name} taken${figures ? `: ${figures}` : ''}.`, ...actions).then((pick) => {
      if (pick === 'Show') void vscode.commands.executeCommand('memlens.openSnapshot', vscode.Uri.file(outcome.path));
      if (pick === 'Compare with Previous') void this.compareWithPrevious(outcome.path);
    });
    return outcome;
  }

  /**
   * `MemLens: Compare Snapshots…`: compares `before` with `after` (files), or asks for two, the
   * last two of the current run picked already.
   */
  async compare(before?: string, after?: string): Promise<CompareOutcome> {
    if (before === undefined || after === undefined) {
      const picked = await this.pickTwo();
      if (!picked) return { ok: false, message: 'cancelled' };
      [before, after] = picked;
    }
    let docs;
    try {
      docs = await Promise.all([this.store.read(before), this.store.read(after)]);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      return this.refuse(`MemLens: cannot compare: ${err.message}`);
    }
    // The earlier is the baseline, whichever order they were picked in (an imported dump has no time: as given).
    const [t0, t1] = docs.map((d) => d.program?.endTime);
    if (t0 !== undefined && t1 !== undefined && t1 < t0) {
      docs.reverse();
      [before, after] = [after, before];
    }
    const [b, a] = docs;
    const compat = compareCompatibility(b, a);
    const diff = diffSnapshots(b, a);
    const comparison = new Comparison(diff, before, after);
    this.ctx.setComparison(buildModel(a), { snapshotPath: after }, comparison);
    this.panel.showComparison(diff, compat);
    if (compat.warnings.length > 0) void notify.warn(`MemLens: ${compat.warnings.join(' ')}`);
    const top = largestGrowth(diff.lines, 1)[0];
    const where = top ? `; most growth: ${displayPath(top.file)}:${top.line} ${formatSignedBytes(top.growth)}` : '; no line grew';
    const apart = diff.seconds === null ? '' : ` (${formatDuration(diff.seconds)})`;
    const message = `MemLens: from ${comparison.beforeName} to ${comparison.afterName}${apart}: ` +
      `traced ${formatSignedBytes(diff.totals.traced.delta)}` +
      (diff.totals.writable ? `, writable ${formatSignedBytes(diff.totals.writable.delta)}` : '') + `${where}.`;
    this.ctx.log.info(message);
    const actions = top ? ['Go to Line', 'End Comparison'] : ['End Comparison'];
    void notify.info(message, ...actions).then((pick) => {
      if (pick === 'Go to Line' && top) void vscode.commands.executeCommand('memlens.showLine', { file: top.file, line: top.line, hover: true });
      if (pick === 'End Comparison') this.ctx.clearComparison();
    });
    return { ok: true, before, after, warnings: compat.warnings, message };
  }

  /** `MemLens: Find Leaks`: what grew in every interval between three or more snapshots of a run. */
  async findLeaks(target?: SnapshotNode | string[], selected?: SnapshotNode[]): Promise<LeaksOutcome> {
    let files: string[] | undefined;
    if (Array.isArray(target)) files = target;
    else if (selected && selected.length > 1) {
      // Snapshots selected in the view: exactly those, and a sentence when they are too few.
      files = selected.flatMap((n) => (n.kind === 'snapshot' ? [n.snapshot.path] : []));
      if (files.length < 3) return this.refuse(`MemLens: select three or more snapshots to look for leaks (${files.length} selected).`);
    } else if (target?.kind === 'run') files = target.run.snapshots.map((s) => s.path);
    else files = await this.pickRunForLeaks();
    if (!files) return { ok: false, message: 'cancelled' };
    let docs;
    try {
      docs = await Promise.all(files.map((f) => this.store.read(f)));
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      return this.refuse(`MemLens: cannot look for leaks: ${err.message}`);
    }
    const report = await notify.withProgress(`MemLens: comparing ${docs.length} snapshots…`, false, async () => findLeaks(docs));
    if (!report.ok) return { ...this.refuse(`MemLens: ${report.error}`), report };
    this.panel.showLeaks(report);
    const top = report.lines[0];
    const counts = `${report.lines.length} line${report.lines.length === 1 ? '' : 's'}` +
      (report.typesAvailable ? ` and ${report.types.length} type${report.types.length === 1 ? '' : 's'}` : '');
    const message = report.lines.length === 0 && report.types.length === 0
      ? `MemLens: nothing grew in every one of the ${report.intervals} intervals.`
      : `MemLens: ${counts} grew in every one of the ${report.intervals} intervals` +
        (top ? `; fastest: ${displayPath(top.file)}:${top.line}, ${formatSignedBytes(top.bytesPerInterval)} per interval.` : '.');
    this.ctx.log.info(message);
    void notify.info(message, ...(top ? ['Go to Line'] : [])).then((pick) => {
      if (pick && top) void vscode.commands.executeCommand('memlens.showLine', { file: top.file, line: top.line, hover: true });
    });
    return { ok: true, message, report };
  }

  private async compareWithPrevious(node?: SnapshotNode | string): Promise<CompareOutcome> {
    const file = typeof node === 'string' ? node : node?.kind === 'snapshot' ? node.snapshot.path : undefined;
    if (!file) return this.refuse('MemLens: pick a snapshot in the Snapshots view to compare it with the one before it.');
    const run = await this.store.run(path.dirname(file));
    const i = run.snapshots.findIndex((s) => s.path === file);
    if (i <= 0) return this.refuse(`MemLens: ${path.basename(file)} is the first snapshot of its run: there is nothing before it to compare with.`);
    return this.compare(run.snapshots[i - 1].path, file);
  }

  private compareSelected(node?: SnapshotNode, selected?: SnapshotNode[]): Promise<CompareOutcome> {
    const picked = (selected && selected.length > 0 ? selected : node ? [node] : []).filter((n) => n.kind === 'snapshot');
    if (picked.length !== 2) {
      return Promise.resolve(this.refuse(`MemLens: select exactly two snapshots to compare (${picked.length} selected).`));
    }
    const [a, b] = picked.map((n) => (n as Extract<SnapshotNode, { kind: 'snapshot' }>).snapshot.path);
    return this.compare(a, b);
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
      return this.refuse(`MemLens: nothing to delete. ${stays.join(' ') || 'The files are gone already.'}`);
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

  /** Exports the comparison shown (every line as CSV, or the whole comparison as JSON). */
  private async exportComparison(target?: vscode.Uri): Promise<boolean> {
    const comparison = this.ctx.comparison;
    if (!comparison) {
      void notify.info('MemLens: no comparison is shown. Run MemLens: Compare Snapshots… first.');
      return false;
    }
    target ??= await saveDialog('MemLens: Export Comparison', 'memlens-comparison');
    if (!target) return false;
    const text = target.fsPath.toLowerCase().endsWith('.csv') ? diffToCsv(comparison.diff, 'lines') : diffToJson(comparison.diff);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void notify.info(`MemLens: exported to ${target.fsPath}.`);
    return true;
  }

  /** Asks for two snapshots; the last two of the current (else the shown, else the newest) run come picked. */
  private async pickTwo(): Promise<[string, string] | undefined> {
    const runs = await this.store.runs();
    const all = runs.flatMap((r) => r.snapshots);
    if (all.length < 2) {
      this.refuse('MemLens: comparing needs two snapshots, and fewer are kept. Take snapshots during a run ' +
        '(MemLens: Take Snapshot), or profile a program twice.');
      return undefined;
    }
    const home = this.defaultRun(runs, 2);
    const defaults = new Set(home ? home.snapshots.slice(-2).map((s) => s.path) : []);
    type Item = vscode.QuickPickItem & { path?: string };
    const items: Item[] = [];
    for (const run of runs) {
      items.push({ label: run.snapshots[0]?.program ?? run.name, description: run.name, kind: vscode.QuickPickItemKind.Separator });
      for (const s of run.snapshots) items.push({ ...pickItem(s), picked: defaults.has(s.path), path: s.path });
    }
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = 'MemLens: Compare Snapshots';
    pick.placeholder = 'Pick two snapshots: the earlier one is the baseline';
    pick.canSelectMany = true;
    pick.matchOnDescription = true;
    pick.items = items;
    pick.selectedItems = items.filter((i) => i.picked);
    return new Promise((resolve) => {
      let done = false;
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems.filter((i) => i.path !== undefined);
        if (chosen.length !== 2) {
          pick.placeholder = `Pick exactly two snapshots (${chosen.length} picked)`;
          return;
        }
        done = true;
        resolve([chosen[0].path!, chosen[1].path!]);
        pick.hide();
      });
      pick.onDidHide(() => {
        pick.dispose();
        if (!done) resolve(undefined);
      });
      pick.show();
    });
  }

  /** Asks which run to look for leaks in (runs with three or more snapshots); its files. */
  private async pickRunForLeaks(): Promise<string[] | undefined> {
    const runs = (await this.store.runs()).filter((r) => r.snapshots.length >= 3);
    if (runs.length === 0) {
      this.refuse('MemLens: finding leaks needs a run with at least three snapshots. Take them during a run ' +
        '(MemLens: Take Snapshot) or from the program with sys.audit("memlens.snapshot", "label").');
      return undefined;
    }
    const home = this.defaultRun(runs, 3);
    if (runs.length === 1 || (home && home.dir === this.ctx.run?.runDir)) {
      return (home ?? runs[0]).snapshots.map((s) => s.path);
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({
        label: r.snapshots[0]?.program ?? r.name,
        description: `${r.name} · ${r.snapshots.length} snapshots`,
        picked: r === home,
        run: r,
      })),
      { title: 'MemLens: Find Leaks', placeHolder: 'Which run? Its snapshots are compared in time order' },
    );
    return picked?.run.snapshots.map((s) => s.path);
  }

  /** The run a command means by default: the one in progress, else the one shown, else the newest. */
  private defaultRun(runs: RunFolder[], least: number): RunFolder | undefined {
    const enough = runs.filter((r) => r.snapshots.length >= least);
    const running = this.ctx.run?.runDir;
    const shown = this.ctx.source ? path.dirname(this.ctx.source.snapshotPath) : undefined;
    return enough.find((r) => r.dir === running) ?? enough.find((r) => r.dir === shown) ?? enough[0];
  }

  private refuse(message: string): { ok: false; message: string } {
    this.ctx.log.warn(message);
    void notify.warn(message);
    return { ok: false, message };
  }
}

function pickItem(s: SnapshotInfo): vscode.QuickPickItem {
  const writable = s.writable === null ? '' : ` · ${formatBytes(s.writable)} writable`;
  return {
    label: `$(${s.kind === 'exit' ? 'debug-stop' : 'device-camera'}) ${snapshotName(s)}`,
    description: `${formatDuration(s.elapsed)} · ${formatBytes(s.traced)} traced${writable}`,
  };
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

async function saveDialog(title: string, name: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title,
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${name}.json`) : undefined,
    filters: { JSON: ['json'], CSV: ['csv'] },
  });
}
