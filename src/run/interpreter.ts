/**
 * Finds the Python interpreter to profile with and checks that it can run the helper. The lookup
 * takes its sources as arguments so the extension and the CLI share
 * the order, and unit tests check it without either.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import * as path from 'node:path';

/** The oldest Python the helper supports (`tracemalloc` raw traces as the helper reads them). */
export const MIN_PYTHON: readonly [number, number] = [3, 8];

/** Where an interpreter path came from, in lookup order. */
export type InterpreterSource = 'pythonExtension' | 'setting' | 'environment' | 'path';

/** The places to look for an interpreter; each is optional except PATH. */
export interface InterpreterSources {
  /** The Python extension's active interpreter (extension only). */
  pythonExtension?: () => Promise<string | undefined>;
  /** `memlens.pythonPath` in the extension; `--python` in the CLI. Empty means unset. */
  setting?: string;
  /** Environment whose `MEMLENS_PYTHON` names an interpreter (the CLI passes `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Looks up `python3`, then `python`, on PATH (see `findOnPath`). */
  path: () => Promise<string | undefined>;
}

/** A chosen interpreter and where it came from. */
export interface ResolvedInterpreter {
  path: string;
  source: InterpreterSource;
}

/** What the probe found out about an interpreter. */
export interface InterpreterInfo {
  version: [number, number, number];
  /** `sys.executable`: the real interpreter behind a shim or a venv link. */
  executable: string;
}

/** An interpreter that is missing or unusable; the message is a sentence for the user. */
export class InterpreterError extends Error {
  /**
   * `notFound`: no interpreter is there; `cannotRun`: one is there but cannot be used (not
   * executable, not Python, too old). The CLI exits 127 and 126 for them, as `env` does.
   */
  readonly reason: 'notFound' | 'cannotRun';

  constructor(message: string, reason: 'notFound' | 'cannotRun' = 'cannotRun') {
    super(message);
    this.name = 'InterpreterError';
    this.reason = reason;
  }
}

/** How to pick another interpreter, appended to every InterpreterError sentence. */
const HOW_TO_PICK =
  'Pick another with the Python extension\'s "Python: Select Interpreter", the memlens.pythonPath ' +
  'setting, or --python / MEMLENS_PYTHON for the memlens command line.';

/**
 * Picks the interpreter: the Python extension's active one, then the setting (or `--python`), then
 * `MEMLENS_PYTHON`, then PATH. A source that fails (the Python extension's API throwing) counts as
 * unset, so a broken extension does not block profiling.
 *
 * @throws InterpreterError when no source names an interpreter.
 */
export async function resolveInterpreter(sources: InterpreterSources): Promise<ResolvedInterpreter> {
  const fromExtension = await sources.pythonExtension?.().catch(() => undefined);
  if (fromExtension) return { path: fromExtension, source: 'pythonExtension' };
  if (sources.setting) return { path: sources.setting, source: 'setting' };
  const fromEnv = sources.env?.MEMLENS_PYTHON;
  if (fromEnv) return { path: fromEnv, source: 'environment' };
  const fromPath = await sources.path();
  if (fromPath) return { path: fromPath, source: 'path' };
  throw new InterpreterError(`MemLens found no Python interpreter: neither python3 nor python is on PATH. ${HOW_TO_PICK}`, 'notFound');
}

/**
 * The first of `names` found as an executable file in a folder of `env.PATH`, as a shell would
 * find it. On Windows each name is also tried with the extensions of `PATHEXT`.
 */
export async function findOnPath(
  names: readonly string[] = ['python3', 'python'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const win = process.platform === 'win32';
  // Windows spells the variable Path; a copied environment object has lost the case-insensitivity.
  const pathVar = Object.entries(env).find(([k]) => (win ? k.toUpperCase() === 'PATH' : k === 'PATH'))?.[1] ?? '';
  const exts = win ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : [''];
  for (const name of names) {
    for (const dir of pathVar.split(path.delimiter)) {
      if (!dir) continue;
      for (const ext of exts) {
        const candidate = path.join(dir, name + ext);
        if (await isExecutableFile(candidate)) return candidate;
      }
    }
  }
  return undefined;
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A probe that runs under Python 2 too, so an old interpreter gets a version sentence rather than
 * a syntax error.
 */
const PROBE =
  'import sys; sys.stdout.write("%d.%d.%d %s" % (sys.version_info[0], sys.version_info[1], ' +
  'sys.version_info[2], sys.executable))';

/**
 * Runs `interpreter` with a version probe and checks it is Python 3.8 or newer.
 *
 * @throws InterpreterError naming the path when it does not exist, cannot be run, does not answer
 *   like Python, or is older than 3.8.
 */
export async function checkInterpreter(interpreter: string, timeoutMs = 20_000): Promise<InterpreterInfo> {
  const { stdout, stderr, error } = await new Promise<{
    stdout: string;
    stderr: string;
    error: ExecFileException | null;
  }>((resolve) => {
    execFile(interpreter, ['-c', PROBE], { timeout: timeoutMs, windowsHide: true }, (err, out, errOut) =>
      resolve({ stdout: String(out), stderr: String(errOut), error: err }),
    );
  });
  if (error !== null) {
    switch (error.code) {
      case 'ENOENT':
        throw new InterpreterError(`The Python interpreter ${interpreter} was not found. ${HOW_TO_PICK}`, 'notFound');
      case 'EACCES':
      case 'EPERM':
        throw new InterpreterError(`The Python interpreter ${interpreter} is not executable. ${HOW_TO_PICK}`);
      default: {
        const detail = lastLine(stderr) || `exit code ${String(error.code)}`;
        const why = error.killed
          ? `did not answer within ${Math.round(timeoutMs / 1000)} s`
          : `failed when asked its version (${detail})`;
        throw new InterpreterError(`The Python interpreter ${interpreter} ${why}. ${HOW_TO_PICK}`);
      }
    }
  }
  const m = /^(\d+)\.(\d+)\.(\d+) (.*)$/s.exec(stdout);
  if (m === null) {
    throw new InterpreterError(`${interpreter} does not answer like a Python interpreter. ${HOW_TO_PICK}`);
  }
  const version: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (version[0] < MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] < MIN_PYTHON[1])) {
    throw new InterpreterError(
      `${interpreter} is Python ${version.join('.')}; MemLens needs Python ${MIN_PYTHON.join('.')} or newer. ${HOW_TO_PICK}`,
    );
  }
  // An embedded interpreter may report an empty sys.executable; the path we ran is then the best name.
  return { version, executable: m[4] || interpreter };
}

/** The last non-empty line of a process's error output: Python puts the error itself there. */
function lastLine(s: string): string {
  const lines = s.split(/\r?\n/).filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim().replace(/\.$/, '');
}
