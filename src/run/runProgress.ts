/**
 * What the helper has said on its channel about one run, for a host that runs the program itself
 * (the CLI): whether the helper started, where the exit snapshot stands (`finishing`, then
 * `finished` with the real error when it could not be written) and which snapshots taken during
 * the run are still being written by their children. The host waits on it before it stops the
 * program harder, and before it collects the run's files.
 */
import type { FromHelper } from '../protocol/channel';
import type { HelperReport } from './profileProcess';

export class RunProgress {
  /** The helper said `started`: it runs in the program. */
  started = false;
  /** The helper's `finished` message, once it came. */
  finished: { path: string | null; error?: string } | undefined;
  /** The helper said `finishing`: the exit snapshot is being taken. */
  private finishing = false;
  /** Snapshots whose child was forked (`snapshotStarted`) and not yet answered. */
  private readonly writing = new Set<number>();
  private readonly waiters = new Set<() => void>();

  /** Takes one message from the channel. */
  handle(m: FromHelper): void {
    switch (m.type) {
      case 'started':
        this.started = true;
        break;
      case 'finishing':
        this.finishing = true;
        break;
      case 'finished':
        this.finished = { path: m.path, ...(m.error !== undefined ? { error: m.error } : {}) };
        break;
      case 'snapshotStarted':
        this.writing.add(m.seq);
        break;
      case 'snapshotWritten':
      case 'snapshotFailed':
        if (m.seq !== undefined) this.writing.delete(m.seq);
        break;
      default:
        return;
    }
    for (const w of [...this.waiters]) w();
  }

  /** What `readRunSnapshot` needs to say why a snapshot is missing. */
  get report(): HelperReport {
    return { started: this.started, ...(this.finished !== undefined ? { finished: this.finished } : {}) };
  }

  /**
   * Whether the helper has accounted for everything: the exit snapshot is finished and every
   * snapshot it started is written or failed. Then no helper child is left writing a file.
   */
  get settled(): boolean {
    return this.finished !== undefined && this.writing.size === 0;
  }

  /** How many snapshots the helper said it started and has not answered. */
  get unanswered(): number {
    return this.writing.size;
  }

  /**
   * Waits (up to `ms`, or until `abort` fires) while the exit snapshot is being taken; resolves
   * true when it waited, false at once when no exit snapshot is being taken.
   */
  async exitSnapshotTaken(ms: number, abort?: AbortSignal): Promise<boolean> {
    if (!this.finishing || this.finished !== undefined) return false;
    await this.until(() => this.finished !== undefined, ms, abort);
    return true;
  }

  /** Resolves true once `ready()` holds, false when `ms` passed (or `abort` fired) first. */
  until(ready: () => boolean, ms: number, abort?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (abort?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!ready()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), ms);
      const onAbort = (): void => finish(false);
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        abort?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      this.waiters.add(check);
      abort?.addEventListener('abort', onAbort);
    });
  }
}
