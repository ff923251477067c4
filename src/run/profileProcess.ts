/**
 * Runs the user's program under the helper as a child process and collects its snapshot: the CLI
 * uses it, and so do tests (the extension runs the program in a terminal instead, then calls
 * `finishRun`). The program gets its own process group, so cancelling reaches everything it
 * started, including the helper's forked peak capture.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSnapshotFile, SnapshotError } from '../model/load';
import { hasProgram, type WithProgram } from '../model/origin';

/** How the program's process ended. */
export interface RunStatus {
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended the process, e.g. `SIGKILL`, or null. */
  signal: NodeJS.Signals | null;
}

/** What to run. */
export interface RunOptions {
  /** The interpreter (see `resolveInterpreter`). */
  python: string;
  /** The program's command line after the interpreter: `[script, ...args]` or `['-m', module, ...args]`. */
  args: string[];
  cwd: string;
  /** The environment, normally from `helperEnvironment`. */
  env: NodeJS.ProcessEnv;
  /** `inherit` lets the program use the terminal (it can prompt); `pipe` is for tests. */
  stdio: 'inherit' | 'pipe';
  /** Seconds to wait after SIGINT and again after SIGTERM while cancelling; 3 unless a test says. */
  graceSeconds?: number;
  /**
   * Called when a grace period of `cancel` has run out, before the next signal; the next signal
   * waits until it resolves, and when it resolves true (it waited for something) the program gets
   * another grace period. The CLI waits there while the helper is writing the exit snapshot,
   * which the next signal would cost (a big heap takes seconds). `abort` fires when the program
   * has ended meanwhile: stop waiting then.
   */
  beforeEscalating?: (abort: AbortSignal) => Promise<boolean>;
}

/** A running program. */
export interface RunHandle {
  readonly child: ChildProcess;
  /** Settles when the program's process has exited; rejects when it could not be started. */
  readonly done: Promise<RunStatus>;
  /**
   * Stops the program in three steps: `first` (SIGINT unless given: Python
   * writes the exit snapshot) to its process group, after the grace period SIGTERM (unless that
   * was `first`), after another SIGKILL. The CLI passes the signal it received itself, so the
   * program ends as it would have without MemLens (SIGTERM gives 143, a closed terminal's SIGHUP
   * 129). Resolves with how it ended; a second call joins the first. On Windows, which has no
   * signals to send, the process is terminated at once.
   */
  cancel(first?: NodeJS.Signals): Promise<RunStatus>;
  /** Sends `sig` to the program's process group alone (SIGTSTP, SIGCONT: job control); POSIX only. */
  signal(sig: NodeJS.Signals): void;
}

/** Starts the program; see `RunHandle`. */
export function runProfile(opts: RunOptions): RunHandle {
  const posix = process.platform !== 'win32';
  const child = spawn(opts.python, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: opts.stdio,
    // Its own process group, so signals reach the program's children too. On Windows `detached`
    // would open a new console instead, which would take the program off the user's terminal.
    detached: posix,
    windowsHide: true,
  });
  const done = new Promise<RunStatus>((resolve, reject) => {
    child.once('error', (err) =>
      reject(new Error(`MemLens could not start ${opts.python}: ${err.message}.`, { cause: err })),
    );
    // 'exit', not 'close': the helper's forked child may hold the pipes open a little longer.
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  // A start failure is reported through `done`; this keeps an unobserved rejection from crashing.
  done.catch(() => undefined);

  const graceMs = (opts.graceSeconds ?? 3) * 1000;
  let cancelling: Promise<RunStatus> | undefined;
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      if (posix) process.kill(-child.pid, sig);
      else child.kill();
    } catch {
      // The group is already gone: nothing left to stop.
    }
  };
  const exitedWithin = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      done.then(
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        () => {
          clearTimeout(timer);
          resolve(true);
        },
      );
    });

  const cancel = (first: NodeJS.Signals = 'SIGINT'): Promise<RunStatus> => {
    cancelling ??= (async () => {
      for (const sig of first === 'SIGTERM' ? ['SIGTERM'] : [first, 'SIGTERM']) {
        signalGroup(sig as NodeJS.Signals);
        if (await exitedWithin(graceMs)) return done;
        if (opts.beforeEscalating !== undefined) {
          const ended = new AbortController();
          void done.then(() => ended.abort(), () => ended.abort());
          const waited = await opts.beforeEscalating(ended.signal);
          if (ended.signal.aborted || (waited && (await exitedWithin(graceMs)))) return done;
        }
      }
      signalGroup('SIGKILL');
      return done;
    })();
    return cancelling;
  };

  return { child, done, cancel, signal: (sig) => posix && signalGroup(sig) };
}

/**
 * What the helper said on its channel about the exit snapshot, when the host listened: whether it
 * started in the program, and its `finished` message (the error is the real one, such as a full
 * disk). Without it the reasons for a missing snapshot are guessed from the exit status.
 */
export interface HelperReport {
  started: boolean;
  finished?: { path: string | null; error?: string };
}

/**
 * After the program ended: loads the snapshot the helper wrote to `outFile`, records the exit
 * status the helper could not see from inside, and writes the document atomically to `writeTo`
 * (default: back to `outFile`). Returns the patched document.
 *
 * @throws SnapshotError as `readRunSnapshot` does; the write's own error when it fails.
 */
export async function finishRun(outFile: string, status: RunStatus, writeTo = outFile, helper?: HelperReport): Promise<WithProgram> {
  const doc = await readRunSnapshot(outFile, status, helper);
  await writeFileAtomic(writeTo, JSON.stringify(doc));
  return doc;
}

/**
 * After the program ended: loads the snapshot the helper wrote to `outFile` and records in it the
 * exit status the helper could not see from inside. Writes nothing.
 *
 * @throws SnapshotError when there is no readable snapshot, with a sentence saying why there is
 *   none (the helper's own error, killed before it could be written, or the helper never ran),
 *   or when the file is not a run's snapshot (it knows no program: an imported tracemalloc dump).
 */
export async function readRunSnapshot(outFile: string, status: RunStatus, helper?: HelperReport): Promise<WithProgram> {
  let doc;
  try {
    doc = await loadSnapshotFile(outFile);
  } catch (err) {
    if (err instanceof SnapshotError && !(await exists(outFile))) {
      throw new SnapshotError(outFile, missingSentence(outFile, status, helper));
    }
    throw err;
  }
  if (!hasProgram(doc)) {
    throw new SnapshotError(outFile, `${outFile} is not the snapshot of a run: it says nothing of the program.`);
  }
  doc.program.exitCode = status.exitCode;
  doc.program.exitSignal = status.signal;
  return doc;
}

/** Why there is no snapshot: the helper's own word when it gave one, else from how the program ended. */
export function missingSentence(outFile: string, status: RunStatus, helper?: HelperReport): string {
  const error = helper?.finished?.error;
  if (error !== undefined) {
    return `MemLens could not write the snapshot: ${error.replace(/\.$/, '')}; no results.`;
  }
  if (status.signal === 'SIGKILL') {
    return 'The program was killed (SIGKILL) before MemLens could write its snapshot; no results.';
  }
  if (status.signal !== null) {
    return `The program was ended by ${status.signal} before MemLens could write its snapshot; no results.`;
  }
  if (helper !== undefined && !helper.started) {
    return (
      `The program exited with code ${status.exitCode}, but MemLens's helper never started in it ` +
      '(python -I, -S or -E, or a PYTHONPATH that hides the helper, skip it); no results.'
    );
  }
  if (helper !== undefined) {
    return (
      `The program exited with code ${status.exitCode} without Python's normal exit (os._exit(), or a crash in ` +
      'native code), so MemLens could not write its snapshot; no results.'
    );
  }
  return (
    `The program exited with code ${status.exitCode} but MemLens found no snapshot at ${outFile}: ` +
    'the helper did not run or could not finish (python -I or -S, os._exit() and crashes skip it); no results.'
  );
}

/**
 * Writes `text` to `file` through a temporary file in the same folder and a rename, so a reader
 * sees the old file or the new one, never half of one. The file is the owner's alone (0600):
 * snapshots hold command lines, paths and memory maps.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, text, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
