/**
 * Comparing two snapshots: `MemLens: Compare Snapshots…` (two files, or two picked, the last two
 * of the current run picked already), the Snapshots view's Compare with Previous and Compare
 * Selected, End Comparison and Export Comparison. The comparison goes to the editor's views and
 * the panel; each command returns what it did, and a refusal is said to the user in a sentence.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { displayPath } from '../editor/paths';
import { Comparison } from '../model/comparison';
import { compareCompatibility } from '../model/compat';
import { diffModels, largestGrowth } from '../model/diff';
import { diffToCsv, diffToJson } from '../model/export';
import { formatDuration, formatSignedBytes, formatSignedTracedBytes, LIGHT_MODE_TEXT } from '../model/format';
import { SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import * as notify from '../notify/notify';
import type { MemoryPanel } from '../panel/memoryPanel';
import { defaultRun, pickItem, refuse, saveDialog } from './commandSupport';
import type { SnapshotStore } from './store';
import type { SnapshotNode } from './view';

/** What Compare Snapshots did. */
export type CompareOutcome =
  | { ok: true; before: string; after: string; warnings: string[]; message: string }
  | { ok: false; message: string };

export class CompareCommands {
  constructor(
    private readonly ctx: Ctx,
    private readonly store: SnapshotStore,
    private readonly panel: MemoryPanel,
  ) {}

  /** The command table entries this module owns. */
  table(): Record<string, (...args: any[]) => unknown> {
    return {
      // Files as two arguments, or as one array (what a keybinding's `args` can pass).
      'memlens.compareSnapshots': (before?: unknown, after?: unknown) => {
        const [b, a] = Array.isArray(before) ? before : [before, after];
        return this.compare(typeof b === 'string' ? b : undefined, typeof a === 'string' ? a : undefined);
      },
      // A node of the Snapshots view, or a snapshot's file (Take Snapshot's "Compare with Previous").
      'memlens.compareWithPrevious': (node?: SnapshotNode | string) => this.compareWithPrevious(node),
      'memlens.compareSelected': (node?: SnapshotNode, selected?: SnapshotNode[]) => this.compareSelected(node, selected),
      'memlens.clearComparison': () => this.ctx.clearComparison(),
      'memlens.exportComparison': (target?: vscode.Uri) => this.exportComparison(target),
    };
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
      return refuse(this.ctx, `MemLens: cannot compare: ${err.message}`);
    }
    // The earlier is the baseline, whichever order they were picked in (an imported dump has no time: as given).
    const [t0, t1] = docs.map((d) => d.program?.endTime);
    if (t0 !== undefined && t1 !== undefined && t1 < t0) {
      docs.reverse();
      [before, after] = [after, before];
    }
    const [b, a] = docs;
    const compat = compareCompatibility(b, a);
    // The later snapshot's model is shown too: built once, for the diff and the views.
    const shown = buildModel(a);
    const diff = diffModels(buildModel(b), shown);
    const comparison = new Comparison(diff, before, after);
    this.ctx.setComparison(shown, { snapshotPath: after }, comparison);
    this.panel.showComparison(diff, compat);
    if (compat.warnings.length > 0) void notify.warn(`MemLens: ${compat.warnings.join(' ')}`);
    const top = largestGrowth(diff.lines, 1)[0];
    const est = diff.estimated;
    const where = !diff.tracked ? '' : top ? `; most growth: ${displayPath(top.file)}:${top.line} ${formatSignedTracedBytes(top.growth, est)}` : '; no line grew';
    const apart = diff.seconds === null ? '' : ` (${formatDuration(diff.seconds)})`;
    const message = `MemLens: from ${comparison.beforeName} to ${comparison.afterName}${apart}: ` +
      (diff.tracked ? `traced ${formatSignedTracedBytes(diff.totals.traced.delta, est)}` : `traced: ${LIGHT_MODE_TEXT}`) +
      (diff.totals.writable ? `, writable ${formatSignedBytes(diff.totals.writable.delta)}` : '') + `${where}.`;
    this.ctx.log.info(message);
    const actions = top ? ['Go to Line', 'End Comparison'] : ['End Comparison'];
    void notify.info(message, ...actions).then((pick) => {
      if (pick === 'Go to Line' && top) void vscode.commands.executeCommand('memlens.showLine', { file: top.file, line: top.line, hover: true });
      if (pick === 'End Comparison') this.ctx.clearComparison();
    });
    return { ok: true, before, after, warnings: compat.warnings, message };
  }

  private async compareWithPrevious(node?: SnapshotNode | string): Promise<CompareOutcome> {
    const file = typeof node === 'string' ? node : node?.kind === 'snapshot' ? node.snapshot.path : undefined;
    if (!file) return refuse(this.ctx, 'MemLens: pick a snapshot in the Snapshots view to compare it with the one before it.');
    const run = await this.store.run(path.dirname(file));
    const i = run.snapshots.findIndex((s) => s.path === file);
    if (i <= 0) return refuse(this.ctx, `MemLens: ${path.basename(file)} is the first snapshot of its run: there is nothing before it to compare with.`);
    return this.compare(run.snapshots[i - 1].path, file);
  }

  private compareSelected(node?: SnapshotNode, selected?: SnapshotNode[]): Promise<CompareOutcome> {
    const picked = (selected && selected.length > 0 ? selected : node ? [node] : []).filter((n) => n.kind === 'snapshot');
    if (picked.length !== 2) {
      return Promise.resolve(refuse(this.ctx, `MemLens: select exactly two snapshots to compare (${picked.length} selected).`));
    }
    const [a, b] = picked.map((n) => (n as Extract<SnapshotNode, { kind: 'snapshot' }>).snapshot.path);
    return this.compare(a, b);
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
      refuse(this.ctx, 'MemLens: comparing needs two snapshots, and fewer are kept. Take snapshots during a run ' +
        '(MemLens: Take Snapshot), or profile a program twice.');
      return undefined;
    }
    const home = defaultRun(this.ctx, runs, 2);
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

}
