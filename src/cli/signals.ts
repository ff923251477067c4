/**
 * Job control for `memlens profile`. The program runs in its own session (so that stopping it
 * reaches its whole process group, helper children included), which also means the terminal's
 * signals reach only the CLI: here they are passed on. Ctrl+C, `kill` and a closed terminal
 * (SIGINT, SIGTERM, SIGHUP, and Ctrl+\'s SIGQUIT) stop the program with that same signal, so it
 * ends as it would have without MemLens; Ctrl+Z (SIGTSTP) suspends the program's group and then
 * the CLI, and `fg`/`bg` (SIGCONT) resume both. Killing the CLI outright (SIGKILL) cannot be seen
 * here: the helper ends the program when the CLI's channel goes away (`endWithHost`).
 */
import type { RunHandle } from '../run/profileProcess';

/** The signals that stop the program; each is passed on as itself. */
const STOPPING: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Signals being passed on; `dispose` stops it. */
export interface Forwarding {
  /** The first signal that stopped the program, if one did. */
  readonly stoppedBy: NodeJS.Signals | undefined;
  /** Resolves on the next stopping signal: after the program has ended, it cuts a wait short. */
  nextStop(): Promise<NodeJS.Signals>;
  dispose(): void;
}

/**
 * Passes the CLI's signals on to `run` until disposed, which is after the run's files are
 * collected: a signal then must not kill the CLI before it removes its temporary folder. `say`
 * tells the user (on stderr, which may be gone after SIGHUP: it must not throw).
 */
export function forwardSignals(run: Pick<RunHandle, 'cancel' | 'signal' | 'done'>, say: (text: string) => void): Forwarding {
  const handlers = new Map<NodeJS.Signals, () => void>();
  let stoppedBy: NodeJS.Signals | undefined;
  let waiting: ((sig: NodeJS.Signals) => void)[] = [];
  for (const sig of STOPPING) {
    handlers.set(sig, () => {
      stoppedBy ??= sig;
      if (!ended) say(`\nMemLens: stopping the program (${sig})…\n`);
      void run.cancel(sig);
      for (const resolve of waiting.splice(0)) resolve(sig);
    });
  }
  let ended = false;
  void run.done.then(() => (ended = true), () => (ended = true));
  if (process.platform !== 'win32') {
    handlers.set('SIGTSTP', () => {
      // SIGSTOP, not SIGTSTP: the program's group has no parent in its session (it is orphaned),
      // and the kernel drops SIGTSTP sent to an orphaned group.
      run.signal('SIGSTOP');
      // A handler replaced the default action (stop), so the CLI stops itself: the shell then
      // sees its job stopped and takes the terminal back.
      process.kill(process.pid, 'SIGSTOP');
    });
    handlers.set('SIGCONT', () => run.signal('SIGCONT'));
  }
  for (const [sig, handler] of handlers) process.on(sig, handler);
  return {
    get stoppedBy() {
      return stoppedBy;
    },
    nextStop() {
      return new Promise((resolve) => waiting.push(resolve));
    },
    dispose() {
      for (const [sig, handler] of handlers) process.off(sig, handler);
      waiting = [];
    },
  };
}
