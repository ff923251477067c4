/**
 * Snapshots taken during one run. `take` asks the helper on its channel (`takeSnapshot` with a
 * fresh id) and settles when the helper says the file is written or why it failed. The program
 * marks snapshots of its own too (`sys.audit("memlens.snapshot", label)`): those arrive with no
 * id and are reported through the same events, so every view learns of every snapshot. The
 * helper writes in a forked child while the program runs on, so nothing here waits on the
 * program; a request still open when the program ends settles with a sentence saying so.
 */
import * as vscode from 'vscode';
import type { FromHelper, ToHelper } from '../protocol/channel';

/** How a snapshot request ended. */
export type SnapshotOutcome =
  | { ok: true; path: string; seq: number | null; label: string | null; seconds: number }
  | { ok: false; error: string };

/** A snapshot the helper has started or written, whoever asked for it. */
export interface RunSnapshotEvent {
  seq: number | null;
  label: string | null;
  /** Set once written. */
  path?: string;
}

export class RunSnapshots implements vscode.Disposable {
  private nextId = 1;
  private readonly pending = new Map<number, (outcome: SnapshotOutcome) => void>();
  /** Sequence numbers started and not yet written or failed. */
  private readonly inFlight = new Set<number>();
  /** Paths of the snapshots written in this run, in the order written. */
  readonly written: string[] = [];
  private readonly changed = new vscode.EventEmitter<RunSnapshotEvent>();
  /** Fires when a snapshot starts, is written or fails. */
  readonly onDidChange = this.changed.event;

  /** `send` writes to the helper; false when no helper is connected. */
  constructor(private readonly send: (message: ToHelper) => boolean) {}

  /** How many snapshots are being written now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Asks the helper for a snapshot now, with an optional label. */
  take(label?: string): Promise<SnapshotOutcome> {
    const id = this.nextId++;
    const message: ToHelper = label ? { type: 'takeSnapshot', id, label } : { type: 'takeSnapshot', id };
    if (!this.send(message)) {
      return Promise.resolve({
        ok: false,
        error: 'The program is not connected to MemLens (it has not started tracing yet, or it has ended).',
      });
    }
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  /** Takes the helper's snapshot messages; false for any other message. */
  handle(m: FromHelper): boolean {
    switch (m.type) {
      case 'snapshotStarted':
        this.inFlight.add(m.seq);
        this.changed.fire({ seq: m.seq, label: m.label ?? null });
        return true;
      case 'snapshotWritten':
        if (m.kind !== 'snapshot') return false;
        if (m.seq !== undefined) this.inFlight.delete(m.seq);
        this.written.push(m.path);
        this.settle(m.id, { ok: true, path: m.path, seq: m.seq ?? null, label: m.label ?? null, seconds: m.seconds });
        this.changed.fire({ seq: m.seq ?? null, label: m.label ?? null, path: m.path });
        return true;
      case 'snapshotFailed':
        this.inFlight.delete(m.seq);
        this.settle(m.id, { ok: false, error: m.error });
        this.changed.fire({ seq: m.seq, label: null });
        return true;
      default:
        return false;
    }
  }

  /** The program ended: requests still open will not be answered. */
  end(): void {
    for (const id of [...this.pending.keys()]) {
      this.settle(id, { ok: false, error: 'The program ended before the snapshot was written.' });
    }
    if (this.inFlight.size > 0) {
      this.inFlight.clear();
      this.changed.fire({ seq: null, label: null });
    }
  }

  private settle(id: number | undefined, outcome: SnapshotOutcome): void {
    if (id === undefined) return;
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(outcome);
  }

  dispose(): void {
    this.end();
    this.changed.dispose();
  }
}
