/**
 * `MemLens: Profile Memory`: profiles the active Python file (or the one picked in the Explorer)
 * in a terminal and shows the results. Refuses in an untrusted workspace, since profiling runs
 * the program. Each run gets a private folder, `<YYYYMMDD-HHMMSS>-<script>/`, in the runs folder
 * (the extension's storage, or `memlens.snapshots.folder`), which stays there after the run: the
 * exit snapshot `snapshot.json` and those taken during the run, `snapshot-<n>.json`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import * as config from '../config';
import type { Ctx } from '../ctx';
import { formatTracedBytes, LIGHT_MODE_TEXT } from '../model/format';
import { SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import type { WithProgram } from '../model/origin';
import * as notify from '../notify/notify';
import { openChannel } from '../run/channel';
import { helperDirFor, helperEnvironment } from '../run/helperEnv';
import { checkInterpreter, InterpreterError } from '../run/interpreter';
import { finishRun } from '../run/profileProcess';
import { runsFolder } from '../snapshots/location';
import { runFolderName } from '../snapshots/runNames';
import { TerminalRun, type RunEnd } from '../terminal/terminalRun';
import { interpreterFor } from './editorInterpreter';

/** The sentence shown when the workspace is not trusted. */
export const UNTRUSTED_MESSAGE =
  'MemLens: profiling runs the program\'s code, so it is turned off in Restricted Mode. ' +
  'Trust this workspace to profile it.';

/** The button of the result notification that opens the memory panel. */
export const OPEN_PANEL = 'Open Memory Panel';

/** The button that shows a run's results when a comparison was kept on screen instead. */
const SHOW_RESULTS = 'Show Run Results';

/** What a profile command ended with; returned to callers (tests, other extensions). */
export interface ProfileOutcome {
  /** `shown`: results are in the editor; `failed`: a run ended without results; else it never ran. */
  result: 'shown' | 'failed' | 'refused' | 'busy' | 'noFile' | 'noInterpreter';
  /** The sentence shown to the user. */
  message: string;
  script?: string;
  /** The run's folder and snapshot file. */
  runDir?: string;
  snapshotPath?: string;
  end?: RunEnd;
  python?: string;
}

/** Options of a profile command call that the palette does not pass; tests and the API do. */
export interface ProfileOptions {
  args?: string[];
  /** Seconds between stop steps (SIGINT → SIGTERM → SIGKILL). */
  graceSeconds?: number;
}

/** Runs the command: `target` is the Explorer's file, else the active editor's. */
export async function profileCommand(ctx: Ctx, target?: vscode.Uri, options: ProfileOptions = {}): Promise<ProfileOutcome> {
  const tell = (outcome: ProfileOutcome, severity: 'info' | 'warning' | 'error', actions: Record<string, string> = {}): ProfileOutcome => {
    ctx.log.info(outcome.message);
    void notify.show(severity, outcome.message, ...Object.keys(actions)).then((pick) => {
      if (pick !== undefined && actions[pick]) void vscode.commands.executeCommand(actions[pick]);
    });
    return outcome;
  };

  if (!vscode.workspace.isTrusted) {
    ctx.log.warn(UNTRUSTED_MESSAGE);
    void notify.error(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { result: 'refused', message: UNTRUSTED_MESSAGE };
  }
  if (ctx.run) {
    return tell({ result: 'busy', message: 'MemLens is already profiling a program: stop it first (MemLens: Stop Profiling).' }, 'warning');
  }
  const uri = target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri;
  if (!uri || uri.scheme !== 'file' || !/\.pyw?$/i.test(uri.fsPath)) {
    return tell({ result: 'noFile', message: 'MemLens: open a Python file (or pick one in the Explorer) to profile it.' }, 'warning');
  }
  const script = uri.fsPath;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty && !(await open.save())) {
    return tell({ result: 'noFile', message: `MemLens: ${path.basename(script)} could not be saved, so it was not profiled.` }, 'error');
  }

  let python: string;
  try {
    const chosen = await interpreterFor(uri);
    const info = await checkInterpreter(chosen.path);
    python = chosen.path;
    ctx.log.info(`interpreter ${python} (${chosen.source}): Python ${info.version.join('.')} at ${info.executable}`);
  } catch (err) {
    if (!(err instanceof InterpreterError)) throw err;
    const outcome: ProfileOutcome = { result: 'noInterpreter', message: `MemLens: ${err.message}` };
    ctx.log.error(outcome.message);
    void notify.error(outcome.message, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'memlens.pythonPath');
    });
    return outcome;
  }

  const runDir = await makeRunDir(ctx, script);
  const snapshotPath = path.join(runDir, 'snapshot.json');
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const folders = vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath) ?? [];
  const roots = folders.length > 0 ? folders : [path.dirname(script)];
  const channel = await openChannel();
  const helperDir = helperDirFor(ctx.extension.extensionPath);
  const full = helperEnvironment(process.env, {
    helperDir,
    outFile: snapshotPath,
    channel: { path: channel.path, token: channel.token },
    mode: config.mode(uri),
    sampleInterval: config.sampleIntervalBytes(uri),
    frames: config.frames(uri),
    roots,
    peak: config.peakEnabled(uri),
  });
  // Edits made while the program runs must move its annotations too: record them from now.
  ctx.lines.beginRun();
  const run = new TerminalRun({
    python,
    launcher: path.join(helperDir, 'memlens_launch.py'),
    script,
    args: options.args ?? [],
    cwd: folder?.uri.fsPath ?? path.dirname(script),
    env: environmentDelta(process.env, full),
    channel,
    runDir,
    graceSeconds: options.graceSeconds,
    replaces: ctx.lastRunTerminal,
  });
  ctx.setRun(run);
  ctx.log.info(`profiling ${script} in ${runDir}`);

  let end: RunEnd;
  try {
    end = await notify.withProgress(
      `MemLens: profiling ${path.basename(script)}`,
      true,
      async (progress, token) => {
        token.onCancellationRequested(() => void run.stop());
        const update = run.onDidUpdate(() => {
          if (run.live && run.mode !== 'light') {
            const est = run.mode === 'fast';
            progress.report({ message: `${formatTracedBytes(run.live.tracedCurrent, est)} traced (peak ${formatTracedBytes(run.live.tracedPeak, est)})` });
          }
        });
        try {
          return await run.ended;
        } finally {
          update.dispose();
        }
      },
    );
  } finally {
    run.dispose();
    await channel.dispose();
    ctx.setRun(undefined);
  }
  ctx.log.info(`${path.basename(script)} ended: ${JSON.stringify(end)}`);

  const base: ProfileOutcome = { result: 'failed', message: '', script, runDir, snapshotPath, end, python };
  let doc: WithProgram;
  try {
    doc = await finishRun(snapshotPath, { exitCode: end.exitCode, signal: end.signal });
  } catch (err) {
    if (!(err instanceof SnapshotError)) throw err;
    return tell({ ...base, message: noResultsSentence(script, end, err) }, 'error');
  }
  const message = outcomeSentence(script, doc, end);
  // A comparison of this run's snapshots made while it ran stays on screen: the user is reading it.
  if (ctx.comparison && path.dirname(ctx.comparison.afterPath) === runDir) {
    ctx.log.info(message.text);
    void notify.info(`${message.text} The comparison stays shown.`, SHOW_RESULTS).then((pick) => {
      if (pick) void vscode.commands.executeCommand('memlens.openSnapshot', vscode.Uri.file(snapshotPath));
    });
    return { ...base, result: 'shown', message: message.text };
  }
  ctx.setModel(buildModel(doc), { snapshotPath, script, outcome: message.text });
  return tell({ ...base, result: 'shown', message: message.text }, message.severity, { [OPEN_PANEL]: 'memlens.openPanel' });
}

/** Creates `<YYYYMMDD-HHMMSS>-<script name>` in the runs folder (`snapshots/location.ts`). */
async function makeRunDir(ctx: Ctx, script: string): Promise<string> {
  const start = new Date();
  const root = runsFolder(ctx.extension);
  for (let i = 1; ; i++) {
    // The store lists a folder as a run only by this name (snapshots/runNames.ts).
    const dir = path.join(root, runFolderName(start, script, i));
    try {
      await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
      await fs.mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * The variables of `full` that differ from `base`: the terminal starts from its own environment
 * and adds these (null removes a variable).
 */
function environmentDelta(base: NodeJS.ProcessEnv, full: NodeJS.ProcessEnv): Record<string, string | null> {
  const delta: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(full)) {
    if (v !== undefined && base[k] !== v) delta[k] = v;
  }
  for (const k of Object.keys(base)) {
    if (!(k in full)) delta[k] = null;
  }
  return delta;
}

/** How the process ended, in words: `exit status 3`, `SIGKILL`. */
function statusText(end: RunEnd): string {
  if (end.signal) return end.signal;
  return end.exitCode === null || end.exitCode === undefined ? 'an unknown status' : `exit status ${end.exitCode}`;
}

/** The sentence for a run with results, and how loudly to say it. */
export function outcomeSentence(
  script: string,
  doc: WithProgram,
  end: RunEnd,
): { text: string; severity: 'info' | 'warning' | 'error' } {
  const name = path.basename(script);
  const t = doc.totals;
  const mode = doc.settings.mode;
  const est = mode === 'fast';
  const peak = t.tracedPeak === null ? '' : `, peak ${formatTracedBytes(t.tracedPeak, est)}`;
  // A light-mode run tracked nothing: its zeros would read as a program that held nothing.
  const figures = mode === 'light' ? LIGHT_MODE_TEXT : `${formatTracedBytes(t.tracedCurrent, est)} live at exit${peak}`;
  const e = doc.program.end;
  // Stopping interrupts the program (KeyboardInterrupt from SIGINT): say it was stopped, not that it failed.
  if (end.stopped || e.kind === 'signal') {
    const how = end.signal ?? (e.kind === 'signal' ? e.signal : 'a stop request');
    return { text: `MemLens: ${name} was stopped (${how}). Showing what was live then: ${figures}.`, severity: 'info' };
  }
  if (e.kind === 'exception') {
    const where = e.file ? ` at ${path.basename(e.file)}${e.line ? `:${e.line}` : ''}` : '';
    return {
      text: `MemLens: the program ended with ${e.type}: ${e.message}${where} (${statusText(end)}). Showing what was live when it ended: ${figures}.`,
      severity: 'warning',
    };
  }
  if (end.exitCode !== null && end.exitCode !== undefined && end.exitCode !== 0) {
    return { text: `MemLens: ${name} exited with status ${end.exitCode}. Showing what was live at exit: ${figures}.`, severity: 'warning' };
  }
  return { text: `MemLens: profiled ${name}: ${figures}.`, severity: 'info' };
}

/** The sentence for a run that left no snapshot. */
function noResultsSentence(script: string, end: RunEnd, err: SnapshotError): string {
  const name = path.basename(script);
  if (end.closedByUser) {
    return `MemLens: the terminal of ${name} was closed before the program finished, so there is no snapshot to show.`;
  }
  if (end.signal === 'SIGKILL') {
    return `MemLens: ${name} was killed (SIGKILL) before it could write its snapshot, so there are no results.`;
  }
  return `MemLens: ${name} ended (${statusText(end)}) without results. ${err.message}`;
}
