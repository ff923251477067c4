/**
 * `MemLens: Take Snapshot`: a snapshot of the program being profiled, taken while it runs on,
 * with a label the user may give. Returns what it did, so tests and other extensions can follow
 * it; a refusal is also said to the user in a sentence.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { formatDuration, tracedPhrase } from '../model/format';
import * as notify from '../notify/notify';
import type { SnapshotOutcome } from '../terminal/runSnapshots';
import { snapshotName, type SnapshotStore } from './store';

export class TakeSnapshotCommand {
  constructor(
    private readonly ctx: Ctx,
    private readonly store: SnapshotStore,
  ) {}

  /** The command table entries this module owns. */
  table(): Record<string, (...args: any[]) => unknown> {
    return { 'memlens.takeSnapshot': (args?: { label?: string }) => this.take(args?.label) };
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
    const figures = info ? `${tracedPhrase(info.traced, info.mode)}, ${formatDuration(info.elapsed)} into the run` : '';
    const hasPrevious = listed.length >= 2;
    const actions = hasPrevious ? ['Compare with Previous', 'Show'] : ['Show'];
    void notify.info(`MemLens: snapshot ${name} taken${figures ? `: ${figures}` : ''}.`, ...actions).then((pick) => {
      if (pick === 'Show') void vscode.commands.executeCommand('memlens.openSnapshot', vscode.Uri.file(outcome.path));
      if (pick === 'Compare with Previous') void vscode.commands.executeCommand('memlens.compareWithPrevious', outcome.path);
    });
    return outcome;
  }

}
