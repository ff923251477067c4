/**
 * One profiling run in the editor. The terminal's process is the interpreter running the
 * launcher (`python-helper/memlens_launch.py`), which runs the program as a child sharing the
 * terminal (input, Ctrl+C and colours work as usual), reports its exact exit status on the
 * helper's channel, and keeps the terminal open until a key is pressed, so the program's output
 * and traceback stay readable: VS Code closes a terminal when its process ends, and the API has no
 * `waitOnExit`. A status bar item and a cancellable progress notification show live memory from
 * the helper's channel; stopping sends SIGINT, then SIGTERM, then SIGKILL to the terminal's
 * process group, in which the launcher ignores the first two (they are the program's to
 * handle), and waits (up to a minute) between them while the helper says it is taking the exit
 * snapshot.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, formatTracedBytes, LIGHT_MODE_TEXT } from '../model/format';
import * as notify from '../notify/notify';
import type { FromHelper } from '../protocol/channel';
import type { ProfileMode } from '../protocol/snapshot';
import type { Channel } from '../run/channel';
import type { RunStatus } from '../run/profileProcess';
import { RunSnapshots } from './runSnapshots';

/** What a run needs to start. */
export interface RunSpec {
  python: string;
  /** The launcher script that runs the program and keeps the terminal open. */
  launcher: string;
  script: string;
  args: string[];
  cwd: string;
  /** Variables to set on top of the terminal's own environment (null unsets). */
  env: Record<string, string | null>;
  channel: Channel;
  /** The run's folder, where the helper writes its snapshots. */
  runDir: string;
  /** Seconds between the steps of stopping; 3 unless a test says otherwise. */
  graceSeconds?: number;
  /** The last run's terminal, kept open for its output until this run replaces it. */
  replaces?: vscode.Terminal;
}

/** How the program's process ended, as the editor saw it. */
export interface RunEnd extends RunStatus {
  /** The user asked to stop the run (Stop command, status bar, or the notification's Cancel). */
  stopped: boolean;
  /** The terminal was closed (by the user or another extension) while the program ran. */
  closedByUser: boolean;
}

const POSIX = process.platform !== 'win32';
/**
 * How long a stop waits for an exit snapshot being taken before the next signal: a million live
 * blocks take about 1.5 s, a big heap on a busy machine much longer.
 */
const EXIT_SNAPSHOT_SECONDS = 60;

export class TerminalRun implements vscode.Disposable {
  readonly terminal: vscode.Terminal;
  /** The program's process id, once the helper reports it. */
  pid: number | undefined;
  /** The terminal's process (the launcher), which leads the process group signals go to. */
  private terminalPid: number | undefined;
  /** The last `live` message from the helper. */
  live: Extract<FromHelper, { type: 'live' }> | undefined;
  /** The helper said hello: it is tracing. */
  started = false;
  /** The mode the helper runs in, from its `started` message; undefined until then. */
  mode: ProfileMode | undefined;
  /** Settles once the program's process has ended. */
  readonly ended: Promise<RunEnd>;
  /** Snapshots taken during the run, on request or by the program. */
  readonly snapshots: RunSnapshots;

  private readonly status: vscode.StatusBarItem;
  /** Takes a snapshot; shown once the helper is tracing. */
  private readonly snapshotStatus: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly liveChanged = new vscode.EventEmitter<void>();
  /** Fires on each live figure from the helper. */
  readonly onDidUpdate = this.liveChanged.event;
  private lastSignal: NodeJS.Signals | null = null;
  /** Where the helper's exit snapshot stands, from its `finishing` and `finished` messages. */
  private exitSnapshot: 'not yet' | 'taking' | 'done' = 'not yet';
  private readonly exitSnapshotChanged = new vscode.EventEmitter<void>();
  private stopping: Promise<void> | undefined;
  private resolveEnd!: (end: RunEnd) => void;
  private endedYet = false;

  constructor(private readonly spec: RunSpec) {
    this.ended = new Promise((resolve) => (this.resolveEnd = resolve));
    const name = path.basename(spec.script);
    this.status = vscode.window.createStatusBarItem('memlens.run', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'MemLens run';
    this.status.command = 'memlens.stop';
    this.status.text = `$(pulse) MemLens: starting ${name}…`;
    this.status.tooltip = `MemLens is profiling ${name}. Click to stop it (what it holds then is kept).`;
    this.status.show();
    this.snapshotStatus = vscode.window.createStatusBarItem('memlens.snapshot', vscode.StatusBarAlignment.Left, 49);
    this.snapshotStatus.name = 'MemLens snapshot';
    this.snapshotStatus.command = 'memlens.takeSnapshot';
    this.snapshots = new RunSnapshots((m) => spec.channel.send(m));
    this.showSnapshotStatus();

    this.disposables.push(
      this.status,
      this.snapshotStatus,
      this.exitSnapshotChanged,
      this.snapshots,
      this.snapshots.onDidChange(() => this.showSnapshotStatus()),
      this.liveChanged,
      spec.channel.onMessage((m) => this.onMessage(m)),
      vscode.window.onDidCloseTerminal((t) => {
        if (t === this.terminal) this.onTerminalClosed(t);
      }),
    );
    this.terminal = vscode.window.createTerminal({
      name: `MemLens: ${name}`,
      shellPath: spec.python,
      // -S: the launcher must not import site, so that MemLens's sitecustomize starts only in the program.
      shellArgs: ['-S', spec.launcher, spec.script, ...spec.args],
      cwd: spec.cwd,
      env: spec.env,
      iconPath: new vscode.ThemeIcon('pulse'),
      // Not restored after a reload: the process it showed is gone by then.
      isTransient: true,
    });
    spec.replaces?.dispose();
    // Shown with focus: the program's output is there, and it may be waiting for input.
    this.terminal.show(false);
    void Promise.resolve(this.terminal.processId).then((pid) => (this.terminalPid = pid));
  }

  /** The run's folder, where its snapshots are written. */
  get runDir(): string {
    return this.spec.runDir;
  }

  /**
   * Stops the program: SIGINT (Python writes its exit snapshot), after the grace period SIGTERM,
   * after another SIGKILL to the process group. Resolves when the program has ended.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const grace = (this.spec.graceSeconds ?? 3) * 1000;
      const pid = this.terminalPid ?? (await this.terminal.processId);
      if (pid === undefined || !POSIX) {
        // No process to signal (or no signals on Windows): closing the terminal ends it.
        this.terminal.dispose();
        await this.ended;
        return;
      }
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
        if (this.endedYet) return;
        this.lastSignal = sig;
        signal(pid, sig);
        if (await this.endsWithin(grace)) return;
        // The helper is taking the exit snapshot (seconds for a big heap): the next signal would
        // cost it, so it gets time to finish first.
        if (this.exitSnapshot === 'taking' && (await this.exitSnapshotWithin(EXIT_SNAPSHOT_SECONDS * 1000))) {
          if (await this.endsWithin(grace)) return;
        }
      }
      // Even SIGKILL left it standing (a zombie the terminal does not reap): give up on it.
      this.terminal.dispose();
      await this.ended;
    })();
    return this.stopping;
  }

  /** Whether the helper says the exit snapshot is done within `ms`, or the program ends. */
  private exitSnapshotWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const sub = this.exitSnapshotChanged.event(() => done(true));
      void this.ended.then(() => done(true));
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        sub.dispose();
        resolve(ok);
      };
    });
  }

  private endsWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.ended.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The snapshot button: hidden until the helper traces, spinning while snapshots are written. */
  private showSnapshotStatus(): void {
    const item = this.snapshotStatus;
    if (!this.started || this.endedYet) {
      item.hide();
      return;
    }
    const busy = this.snapshots.busy;
    item.text = busy > 0 ? '$(sync~spin) Snapshot' : '$(device-camera) Snapshot';
    item.tooltip = busy > 0
      ? `MemLens is writing ${busy === 1 ? 'a snapshot' : `${busy} snapshots`} while the program runs on. Click to take another.`
      : 'Take a MemLens snapshot now, without stopping the program';
    item.show();
  }

  private onMessage(m: FromHelper): void {
    if (this.snapshots.handle(m)) return;
    switch (m.type) {
      case 'started':
        this.started = true;
        this.pid = m.pid;
        this.mode = m.mode;
        // Said once per run, as plain text: the helper runs another mode than the one asked for.
        if (m.modeNote !== undefined) void notify.info(`MemLens: ${m.modeNote}`);
        this.showSnapshotStatus();
        break;
      case 'live': {
        this.live = m;
        const rss = m.rss !== null ? `RSS ${formatBytes(m.rss)}` : undefined;
        const resident = m.rss !== null ? `, resident ${formatBytes(m.rss)}` : '';
        if (this.mode === 'light') {
          // Nothing is traced in light mode: its zeros are not shown.
          this.status.text = `$(pulse) MemLens${rss !== undefined ? ` ${rss}` : ''}`;
          this.status.tooltip = `MemLens is profiling ${path.basename(this.spec.script)} (${LIGHT_MODE_TEXT})${resident}. ` +
            'Click to stop it (what it holds then is kept).';
        } else {
          const est = this.mode === 'fast';
          this.status.text = `$(pulse) MemLens ${formatTracedBytes(m.tracedCurrent, est)}` + (rss !== undefined ? ` · ${rss}` : '');
          this.status.tooltip =
            `MemLens is profiling ${path.basename(this.spec.script)}: ${formatTracedBytes(m.tracedCurrent, est)} traced ` +
            `(peak ${formatTracedBytes(m.tracedPeak, est)})${resident}. ` +
            'Click to stop it (what it holds then is kept).';
        }
        this.liveChanged.fire();
        break;
      }
      case 'finishing':
        this.exitSnapshot = 'taking';
        break;
      case 'finished':
        this.exitSnapshot = 'done';
        this.exitSnapshotChanged.fire();
        break;
      case 'snapshotWritten':
      case 'snapshotStarted':
      case 'snapshotFailed':
        break;
      case 'exited':
        // The launcher's word is exact: the code, or the signal that ended the program.
        this.settle({ exitCode: m.code, signal: (m.signal as NodeJS.Signals | null) ?? null, closedByUser: false });
        break;
      default: {
        const never: never = m;
        void never;
      }
    }
  }

  private onTerminalClosed(t: vscode.Terminal): void {
    // Any reason but the process's own exit means the terminal was closed under the program.
    const reason = t.exitStatus?.reason;
    this.end(t.exitStatus?.code, reason !== vscode.TerminalExitReason.Process && this.stopping === undefined);
  }

  /** The terminal went away before the launcher reported: its exit status is all there is. */
  private end(code: number | undefined, closedByUser: boolean): void {
    // VS Code reports a process ended by a signal with code 0 (or none, or 128 + n from a shell
    // convention): after a signal was sent, the signal is the better account of the end.
    const bySignal = code === undefined || (this.lastSignal !== null && (code === 0 || code > 128));
    this.settle({
      exitCode: bySignal ? null : code,
      signal: bySignal ? this.lastSignal ?? (closedByUser ? 'SIGHUP' : null) : null,
      closedByUser,
    });
  }

  private settle(end: Omit<RunEnd, 'stopped'>): void {
    if (this.endedYet) return;
    this.endedYet = true;
    this.snapshots.end();
    this.showSnapshotStatus();
    this.resolveEnd({ ...end, stopped: this.stopping !== undefined });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * Sends `sig` to the process group led by `pid` (node-pty starts one per terminal): the program
 * and its children, and the launcher, which ignores SIGINT and SIGTERM. Else to `pid` alone.
 */
function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
      return;
    } catch {
      // The group or the process is gone already.
    }
  }
}
