/**
 * `memlens profile`: runs the program under the helper with the terminal's input and output,
 * listens on the helper's channel (the exit snapshot's real error, the snapshots still being
 * written), and once every process of the run has finished writing prints the report, keeps the
 * snapshots beside `--json FILE` and removes its temporary folder, whatever ended the run.
 * It exits with the program's own status; its own failures use `exitCodes.ts`'s codes.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotError } from '../../model/load';
import { buildModel } from '../../model/model';
import type { WithProgram } from '../../model/origin';
import { openChannel, type Channel } from '../../run/channel';
import { helperDirFor, helperEnvironment } from '../../run/helperEnv';
import { checkInterpreter, findOnPath, InterpreterError, resolveInterpreter } from '../../run/interpreter';
import { groupEnded } from '../../run/processGroup';
import { readRunSnapshot, runProfile, writeFileAtomic, type RunStatus } from '../../run/profileProcess';
import { RunProgress } from '../../run/runProgress';
import type { CliCommand } from '../args';
import { EXIT_CANNOT_RUN, EXIT_MEMLENS_FAILED, EXIT_NOT_FOUND, EXIT_OUTPUT_CLOSED } from '../exitCodes';
import { claimJsonTarget, errorText, JsonTargetError, type JsonTarget } from '../jsonTarget';
import { fail, print, printError, stdoutFailure } from '../output';
import { renderReport } from '../report';
import { forwardSignals, type Forwarding } from '../signals';
import { sourceReader } from '../sourceText';

/**
 * How long the CLI waits, once the program has ended, for the helper's children still writing
 * snapshots (a big heap takes seconds on a busy machine) and, when stopping the program, for an
 * exit snapshot being written before the next signal.
 */
const WAIT_SECONDS = 60;

/** Runs `memlens profile`; `packageRoot` holds the helper. Resolves with the exit status. */
export async function profile(cmd: Extract<CliCommand, { kind: 'profile' }>, packageRoot: string): Promise<number> {
  const cwd = process.cwd();
  let programArgs: string[];
  let defaultRoot: string;
  if ('script' in cmd.target) {
    const given = cmd.target.script;
    const script = path.resolve(given);
    if (!(await isFile(script))) return fail(`The script ${given} does not exist.`, EXIT_MEMLENS_FAILED);
    programArgs = [asScriptArgument(given), ...cmd.args];
    defaultRoot = path.dirname(script);
  } else {
    programArgs = ['-m', cmd.target.module, ...cmd.args];
    defaultRoot = cwd;
  }

  const helperDir = helperDirFor(packageRoot);
  if (!(await isFile(path.join(helperDir, 'sitecustomize.py')))) {
    return fail(`MemLens's Python helper is missing from ${helperDir}; reinstall MemLens.`, EXIT_MEMLENS_FAILED);
  }
  let python: string;
  try {
    const chosen = await resolveInterpreter({ setting: cmd.python, env: process.env, path: () => findOnPath() });
    await checkInterpreter(chosen.path);
    python = chosen.path;
  } catch (err) {
    if (err instanceof InterpreterError) return fail(err.message, err.reason === 'notFound' ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
    throw err;
  }

  // Checked and locked now rather than after a long run whose snapshot would have nowhere to go.
  let target: JsonTarget | undefined;
  if (cmd.json !== undefined) {
    try {
      target = await claimJsonTarget(path.resolve(cmd.json), cmd.json);
    } catch (err) {
      if (err instanceof JsonTargetError) return fail(err.message, EXIT_MEMLENS_FAILED);
      throw err;
    }
    if (target.tookOverFrom !== undefined) {
      printError(`memlens: took over ${cmd.json}.lock, left by memlens process ${target.tookOverFrom}, which has ended.\n`);
    }
  }
  try {
    return await run(cmd, { python, programArgs, defaultRoot, helperDir, cwd, json: target?.file });
  } finally {
    await target?.release();
  }
}

interface RunSetup {
  python: string;
  programArgs: string[];
  defaultRoot: string;
  helperDir: string;
  cwd: string;
  json: string | undefined;
}

async function run(cmd: Extract<CliCommand, { kind: 'profile' }>, s: RunSetup): Promise<number> {
  let tmp: string;
  try {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-run-'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'that folder does not exist' : errorText(err);
    return fail(`MemLens could not create its temporary folder in ${os.tmpdir()}: ${why}; set TMPDIR to a writable folder.`, EXIT_MEMLENS_FAILED);
  }
  let channel: Channel | undefined;
  let forwarding: Forwarding | undefined;
  try {
    try {
      // In the run's folder, so that a CLI killed outright leaves no folder behind: the helper
      // then removes the run's files, the socket among them, and the folder.
      channel = await openChannel(tmp);
    } catch (err) {
      return fail(`MemLens could not open its channel to the helper in ${os.tmpdir()} (${errorText(err)}); set TMPDIR to a short, writable folder.`, EXIT_MEMLENS_FAILED);
    }
    const progress = new RunProgress();
    channel.onMessage((m) => {
      // Said once, before the program's own output: the helper runs another mode than the one asked for.
      if (m.type === 'started' && m.modeNote !== undefined) printError(`memlens: ${m.modeNote}\n`);
      progress.handle(m);
    });
    const outFile = path.join(tmp, 'snapshot.json');
    // The helper compares real paths (os.path.realpath), so roots must be real paths too.
    const roots = await Promise.all((cmd.roots.length > 0 ? cmd.roots : [s.defaultRoot]).map(realPath));
    const env = helperEnvironment(process.env, {
      helperDir: s.helperDir,
      outFile,
      channel: { path: channel.path, token: channel.token },
      // Killed outright (SIGKILL), the CLI cannot stop the program: the helper then does, when the
      // channel goes away, and removes the files it wrote.
      endWithHost: true,
      mode: cmd.mode,
      sampleInterval: cmd.sampleInterval,
      frames: cmd.frames,
      roots,
      peak: cmd.peak,
    });
    const handle = runProfile({
      python: s.python,
      args: s.programArgs,
      cwd: s.cwd,
      env,
      stdio: 'inherit',
      beforeEscalating: (ended) => progress.exitSnapshotTaken(WAIT_SECONDS * 1000, ended),
    });
    forwarding = forwardSignals(handle, printError);
    let status: RunStatus;
    try {
      status = await handle.done;
    } catch (err) {
      const code = (err as { cause?: NodeJS.ErrnoException }).cause?.code;
      return fail((err as Error).message, code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
    }
    const exitCode = programExitCode(status);
    try {
      const waited = await runFilesWritten(progress, handle.child.pid, forwarding.nextStop());
      if (waited !== undefined) printError(`memlens: ${waited}\n`);
      const closed = await report(cmd, s, outFile, tmp, status, progress);
      // After SIGHUP the terminal is gone and so is the report's reader: the program's status says more.
      return closed && forwarding.stoppedBy !== 'SIGHUP' ? EXIT_OUTPUT_CLOSED : exitCode;
    } catch (err) {
      // The program ran: its status stands, whatever went wrong in MemLens afterwards.
      printError(`memlens: MemLens failed after the program ended (${errorText(err)}); no report.\n`);
      return exitCode;
    }
  } finally {
    forwarding?.dispose();
    await channel?.dispose();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Prints the report and keeps the snapshots; resolves true when the report's reader went away. */
async function report(
  cmd: Extract<CliCommand, { kind: 'profile' }>,
  s: RunSetup,
  outFile: string,
  tmp: string,
  status: RunStatus,
  progress: RunProgress,
): Promise<boolean> {
  // Kept first: a run that ends without its exit snapshot (killed, crashed) is when the
  // snapshots it took before matter most.
  const kept = await keepRunSnapshots(tmp, s.json);
  let doc: WithProgram;
  try {
    doc = await readRunSnapshot(outFile, status, progress.report);
  } catch (err) {
    if (!(err instanceof SnapshotError)) throw err;
    print(kept);
    printError(`memlens: ${err.message}\n`);
    return (await stdoutFailure()) === 'EPIPE';
  }
  let written = '';
  if (s.json !== undefined) {
    try {
      await writeFileAtomic(s.json, JSON.stringify(doc));
      written = `\nSnapshot written to ${s.json}\n`;
    } catch (err) {
      written = `\nThe snapshot was not written to ${s.json}: ${errorText(err)}.\n`;
    }
  }
  // The snapshot was made here, from the program's own frames: library lines keep their source too.
  const text = renderReport(buildModel(doc), { top: cmd.top, cwd: s.cwd, sourceLine: sourceReader(undefined) });
  print('\n' + text + written + kept);
  // The reader went away (`| head`): end quietly, as other tools do when their output closes.
  return (await stdoutFailure()) === 'EPIPE';
}

/**
 * Waits until no helper child is left writing a file of the run: at once when the helper said
 * its exit snapshot is finished and answered every snapshot it started; else (the program died
 * first: its snapshots' children may still be writing, and may not even have been announced)
 * until no process of the program's group is left, for at most `WAIT_SECONDS`, or until the user
 * stops the wait (Ctrl+C). Resolves with a sentence when it stopped waiting early.
 */
async function runFilesWritten(progress: RunProgress, pgid: number | undefined, stop: Promise<NodeJS.Signals>): Promise<string | undefined> {
  if (progress.settled || pgid === undefined || process.platform === 'win32') return undefined;
  if (await groupEnded(pgid, 1000)) return undefined;
  printError(`memlens: waiting (up to ${WAIT_SECONDS} s) for processes of the run that are still writing snapshots…\n`);
  const stopped = new AbortController();
  const outcome = await Promise.race([groupEnded(pgid, (WAIT_SECONDS - 1) * 1000, stopped.signal), stop]);
  stopped.abort();
  if (outcome === true) return undefined;
  const why = outcome === false ? `after ${WAIT_SECONDS} s` : `on ${outcome}`;
  return (
    `stopped waiting ${why} for processes left in the program's process group ${pgid}; ` +
    'snapshots they write from now on are not kept.'
  );
}

/**
 * Moves the snapshots the program took during the run (`snapshot-<n>.json` beside the exit
 * snapshot in `tmp`) next to `--json FILE`, as `FILE-<n>.json`; returns what to tell the user.
 */
async function keepRunSnapshots(tmp: string, json: string | undefined): Promise<string> {
  const taken = (await fs.readdir(tmp)).filter((n) => /^snapshot-\d+\.json$/.test(n));
  if (taken.length === 0) return '';
  if (json === undefined) {
    return `\n${taken.length} snapshot${taken.length === 1 ? ' was' : 's were'} taken during the run and not kept: pass --json FILE to keep them.\n`;
  }
  const stem = json.replace(/\.json$/i, '');
  const written: string[] = [];
  const lost: string[] = [];
  for (const name of taken.sort((a, b) => parseInt(a.slice(9), 10) - parseInt(b.slice(9), 10))) {
    const to = `${stem}-${name.slice('snapshot-'.length)}`;
    try {
      await writeFileAtomic(to, await fs.readFile(path.join(tmp, name), 'utf8'));
      written.push(to);
    } catch (err) {
      lost.push(`${to} (${errorText(err)})`);
    }
  }
  return (
    (written.length > 0 ? `Snapshots taken during the run: ${written.join(', ')}\n` : '') +
    (lost.length > 0 ? `Snapshots taken during the run that could not be written: ${lost.join(', ')}\n` : '')
  );
}

/**
 * The script as the interpreter's argument: a name starting with `-` (`-i`, `-`, `-c.py`) would be
 * read as an option (the interactive prompt, standard input, code to run), so it gets `./` in
 * front, which names the same file and keeps the report's label.
 */
export function asScriptArgument(script: string): string {
  return script.startsWith('-') ? `.${path.sep}${script}` : script;
}

/** The program's exit status as a shell reports it: the code, or 128 + the signal's number. */
export function programExitCode(status: RunStatus): number {
  if (status.signal !== null) return 128 + (os.constants.signals[status.signal] ?? 0);
  return status.exitCode ?? 0;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

async function realPath(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}
