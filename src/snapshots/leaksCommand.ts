/**
 * `MemLens: Find Leaks`: what grew in every interval between three or more snapshots of a run (a
 * run picked, the run's node in the Snapshots view, or the snapshots selected there). The report
 * goes to the panel; the command returns what it did, and a refusal is said in a sentence.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { displayPath } from '../editor/paths';
import { formatSignedTracedBytes } from '../model/format';
import { findLeaks, type LeakReport } from '../model/leaks';
import { SnapshotError } from '../model/load';
import * as notify from '../notify/notify';
import type { MemoryPanel } from '../panel/memoryPanel';
import { defaultRun, refuse } from './commandSupport';
import type { SnapshotStore } from './store';
import type { SnapshotNode } from './view';

/** What Find Leaks did. */
export type LeaksOutcome = { ok: boolean; message: string; report?: LeakReport };

export class FindLeaksCommand {
  constructor(
    private readonly ctx: Ctx,
    private readonly store: SnapshotStore,
    private readonly panel: MemoryPanel,
  ) {}

  /** The command table entries this module owns. */
  table(): Record<string, (...args: any[]) => unknown> {
    return {
      'memlens.findLeaks': (target?: SnapshotNode | string[], selected?: SnapshotNode[]) => this.findLeaks(target, selected),
    };
  }

  /** `MemLens: Find Leaks`: what grew in every interval between three or more snapshots of a run. */
  async findLeaks(target?: SnapshotNode | string[], selected?: SnapshotNode[]): Promise<LeaksOutcome> {
    let files: string[] | undefined;
    if (Array.isArray(target)) files = target;
    else if (selected && selected.length > 1) {
      // Snapshots selected in the view: exactly those, and a sentence when they are too few.
      files = selected.flatMap((n) => (n.kind === 'snapshot' ? [n.snapshot.path] : []));
      if (files.length < 3) return refuse(this.ctx, `MemLens: select three or more snapshots to look for leaks (${files.length} selected).`);
    } else if (target?.kind === 'run') files = target.run.snapshots.map((s) => s.path);
    else files = await this.pickRunForLeaks();
    if (!files) return { ok: false, message: 'cancelled' };
    let docs;
    try {
      docs = await Promise.all(files.map((f) => this.store.read(f)));
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      return refuse(this.ctx, `MemLens: cannot look for leaks: ${err.message}`);
    }
    const report = await notify.withProgress(`MemLens: comparing ${docs.length} snapshots…`, false, async () => findLeaks(docs));
    if (!report.ok) return { ...refuse(this.ctx, `MemLens: ${report.error}`), report };
    this.panel.showLeaks(report);
    const top = report.lines[0];
    const counts = `${report.lines.length} line${report.lines.length === 1 ? '' : 's'}` +
      (report.typesAvailable ? ` and ${report.types.length} type${report.types.length === 1 ? '' : 's'}` : '');
    const message = report.lines.length === 0 && report.types.length === 0
      ? `MemLens: nothing grew in every one of the ${report.intervals} intervals.`
      : `MemLens: ${counts} grew in every one of the ${report.intervals} intervals` +
        (top ? `; fastest: ${displayPath(top.file)}:${top.line}, ${formatSignedTracedBytes(top.bytesPerInterval, report.estimated)} per interval.` : '.');
    this.ctx.log.info(message);
    void notify.info(message, ...(top ? ['Go to Line'] : [])).then((pick) => {
      if (pick && top) void vscode.commands.executeCommand('memlens.showLine', { file: top.file, line: top.line, hover: true });
    });
    return { ok: true, message, report };
  }

  /** Asks which run to look for leaks in (runs with three or more snapshots); its files. */
  private async pickRunForLeaks(): Promise<string[] | undefined> {
    const runs = (await this.store.runs()).filter((r) => r.snapshots.length >= 3);
    if (runs.length === 0) {
      refuse(this.ctx, 'MemLens: finding leaks needs a run with at least three snapshots. Take them during a run ' +
        '(MemLens: Take Snapshot) or from the program with sys.audit("memlens.snapshot", "label").');
      return undefined;
    }
    const home = defaultRun(this.ctx, runs, 3);
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

}
