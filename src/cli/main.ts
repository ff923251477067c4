/**
 * The `memlens` command: profiles a Python program from a terminal and prints its hottest lines,
 * prints the report of an existing snapshot, compares snapshots and looks for leaks. It wires `src/run` (interpreter, helper
 * environment, process) to `src/model` and `report.ts`; it holds no logic of its own beyond
 * choosing defaults and exit codes.
 */
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSnapshotFile, SnapshotError } from '../model/load';
import { buildModel } from '../model/model';
import { originText } from '../model/origin';
import type { MemModel } from '../model/types';
import { checkInterpreter, findOnPath, InterpreterError, resolveInterpreter } from '../run/interpreter';
import { helperDirFor, helperEnvironment } from '../run/helperEnv';
import { finishRun, runProfile, writeFileAtomic, type RunStatus } from '../run/profileProcess';
import { readProcessName, readSmaps, SmapsReadError } from '../run/smaps';
import { classifySmaps, parseSmaps } from '../model/smaps';
import { compareCompatibility } from '../model/compat';
import { diffSnapshots } from '../model/diff';
import { diffToCsv, diffToJson } from '../model/export';
import { findLeaks } from '../model/leaks';
import type { SnapshotDocument } from '../protocol/snapshot';
import { renderComparison, renderLeaks } from './compareReport';
import { parseArgs, USAGE, UsageError, type CliCommand } from './args';
import { programLabel, renderReport } from './report';
import { renderSmapsReport } from './smapsReport';

/** Exit status for a command line that cannot be run. */
const EXIT_USAGE = 2;
/** Exit status when no snapshot could be made or read. */
const EXIT_NO_SNAPSHOT = 3;

/** The package root: `out/cli.js` sits one folder below it. */
const PACKAGE_ROOT = path.join(__dirname, '..');

async function main(argv: string[]): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message, EXIT_USAGE);
    throw err;
  }
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version': {
      const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
      process.stdout.write(`memlens ${pkg.version}\n`);
      return 0;
    }
    case 'show':
      return show(cmd.file, cmd.top);
    case 'profile':
      return profile(cmd);
    case 'smaps':
      return smaps(cmd);
    case 'compare':
      return compare(cmd);
    case 'leaks':
      return leaks(cmd);
  }
}

async function compare(cmd: Extract<CliCommand, { kind: 'compare' }>): Promise<number> {
  let before: SnapshotDocument;
  let after: SnapshotDocument;
  try {
    [before, after] = await Promise.all([loadSnapshotFile(path.resolve(cmd.before)), loadSnapshotFile(path.resolve(cmd.after))]);
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_NO_SNAPSHOT);
    throw err;
  }
  const diff = diffSnapshots(before, after);
  process.stdout.write(renderComparison(diff, compareCompatibility(before, after), { top: cmd.top, cwd: process.cwd() }));
  if (cmd.out !== undefined) {
    const out = path.resolve(cmd.out);
    await writeFileAtomic(out, out.toLowerCase().endsWith('.csv') ? diffToCsv(diff, 'lines') : diffToJson(diff));
    process.stdout.write(`\nComparison written to ${out}\n`);
  }
  return 0;
}

async function leaks(cmd: Extract<CliCommand, { kind: 'leaks' }>): Promise<number> {
  let docs: SnapshotDocument[];
  try {
    docs = await Promise.all(cmd.files.map((f) => loadSnapshotFile(path.resolve(f))));
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_NO_SNAPSHOT);
    throw err;
  }
  const report = findLeaks(docs);
  if (!report.ok) return fail(report.error, EXIT_USAGE);
  process.stdout.write(renderLeaks(report, { top: cmd.top, cwd: process.cwd() }));
  return 0;
}

async function smaps(cmd: Extract<CliCommand, { kind: 'smaps' }>): Promise<number> {
  let text: string;
  let title: string;
  if ('pid' in cmd.target) {
    const { pid } = cmd.target;
    try {
      text = await readSmaps(pid);
    } catch (err) {
      if (err instanceof SmapsReadError) return fail(err.message, EXIT_NO_SNAPSHOT);
      throw err;
    }
    const name = await readProcessName(pid);
    title = `process ${pid}${name === undefined ? '' : ` (${name})`}`;
  } else {
    const file = path.resolve(cmd.target.file);
    try {
      const doc = await loadSnapshotFile(file);
      const maps = doc.process?.smaps;
      if (maps === undefined) {
        const why = doc.program === null ? `it was ${originText(doc)}, which holds the traces alone` : 'it was made by a MemLens that did not read them';
        return fail(doc.process?.smapsError ?? `${file} holds no memory maps: ${why}.`, EXIT_NO_SNAPSHOT);
      }
      text = maps;
      const p = doc.program;
      const what = p === null ? (doc.label ?? file) : `${programLabel(p.argv, p.cwd, process.cwd())} (process ${p.pid})`;
      title = `${what} at ${doc.kind === 'exit' ? 'exit' : 'the snapshot'}`;
    } catch (err) {
      if (err instanceof SnapshotError) return fail(err.message, EXIT_NO_SNAPSHOT);
      throw err;
    }
  }
  process.stdout.write(renderSmapsReport(classifySmaps(parseSmaps(text)), { title, top: cmd.top }));
  return 0;
}

async function show(file: string, top: number): Promise<number> {
  try {
    const model = buildModel(await loadSnapshotFile(path.resolve(file)));
    process.stdout.write(renderReport(model, { top, cwd: process.cwd(), sourceLine: sourceReader() }));
    return 0;
  } catch (err) {
    if (err instanceof SnapshotError) return fail(err.message, EXIT_NO_SNAPSHOT);
    throw err;
  }
}

async function profile(cmd: Extract<CliCommand, { kind: 'profile' }>): Promise<number> {
  const cwd = process.cwd();
  let programArgs: string[];
  let defaultRoot: string;
  if ('script' in cmd.target) {
    const script = path.resolve(cmd.target.script);
    if (!(await isFile(script))) return fail(`The script ${cmd.target.script} does not exist.`, EXIT_USAGE);
    programArgs = [cmd.target.script, ...cmd.args];
    defaultRoot = path.dirname(script);
  } else {
    programArgs = ['-m', cmd.target.module, ...cmd.args];
    defaultRoot = cwd;
  }

  const json = cmd.json === undefined ? undefined : path.resolve(cmd.json);
  // Checked now rather than after a long run whose snapshot would then have nowhere to go.
  if (json !== undefined && !(await isDirectory(path.dirname(json)))) {
    return fail(`The folder for --json ${cmd.json} does not exist.`, EXIT_USAGE);
  }

  const helperDir = helperDirFor(PACKAGE_ROOT);
  if (!(await isFile(path.join(helperDir, 'sitecustomize.py')))) {
    return fail(`MemLens's Python helper is missing from ${helperDir}; reinstall MemLens.`, EXIT_NO_SNAPSHOT);
  }

  let python: string;
  try {
    const chosen = await resolveInterpreter({ setting: cmd.python, env: process.env, path: () => findOnPath() });
    await checkInterpreter(chosen.path);
    python = chosen.path;
  } catch (err) {
    if (err instanceof InterpreterError) return fail(err.message, EXIT_NO_SNAPSHOT);
    throw err;
  }

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'memlens-run-'));
  try {
    const outFile = path.join(tmp, 'snapshot.json');
    // The helper compares real paths (os.path.realpath), so roots must be real paths too.
    const roots = await Promise.all((cmd.roots.length > 0 ? cmd.roots : [defaultRoot]).map(realPath));
    const env = helperEnvironment(process.env, {
      helperDir,
      outFile,
      frames: cmd.frames,
      roots,
      peak: cmd.peak,
    });
    const handle = runProfile({ python, args: programArgs, cwd, env, stdio: 'inherit' });

    // The program has its own process group, so the terminal's Ctrl+C reaches only us: pass it on
    // as a cancel, which gives the program the chance to write its exit snapshot.
    const onSignal = (): void => {
      process.stderr.write('\nMemLens: stopping the program…\n');
      void handle.cancel();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let status: RunStatus;
    try {
      status = await handle.done;
    } catch (err) {
      return fail((err as Error).message, EXIT_NO_SNAPSHOT);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }

    // Kept first: a run that ends without its exit snapshot (killed, crashed) is when the
    // snapshots it took before matter most.
    const kept = await keepRunSnapshots(tmp, json);
    let model: MemModel;
    try {
      model = buildModel(await finishRun(outFile, status, json));
    } catch (err) {
      if (err instanceof SnapshotError) {
        if (kept) process.stdout.write(kept);
        return fail(err.message, EXIT_NO_SNAPSHOT);
      }
      throw err;
    }
    const report = renderReport(model, { top: cmd.top, cwd, sourceLine: sourceReader() });
    process.stdout.write('\n' + report + (json === undefined ? '' : `\nSnapshot written to ${json}\n`) + kept);
    return programExitCode(status);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
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
  for (const name of taken.sort((a, b) => parseInt(a.slice(9), 10) - parseInt(b.slice(9), 10))) {
    const to = `${stem}-${name.slice('snapshot-'.length)}`;
    await writeFileAtomic(to, await fs.readFile(path.join(tmp, name), 'utf8'));
    written.push(to);
  }
  return `Snapshots taken during the run: ${written.join(', ')}\n`;
}

/** The program's exit status as a shell reports it: the code, or 128 + the signal's number. */
function programExitCode(status: RunStatus): number {
  if (status.signal !== null) return 128 + (os.constants.signals[status.signal] ?? 0);
  return status.exitCode ?? 0;
}

/** Reads source lines for the report, each file once; unreadable files give no text. */
function sourceReader(): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    let lines = cache.get(file);
    if (lines === undefined) {
      try {
        lines = readFileSync(file, 'utf8').split(/\r\n|\r|\n/);
      } catch {
        lines = null;
      }
      cache.set(file, lines);
    }
    return lines?.[line - 1];
  };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
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

function fail(message: string, code: number): number {
  process.stderr.write(`memlens: ${message}\n`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`memlens: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
